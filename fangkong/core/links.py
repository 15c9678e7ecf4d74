"""Public links without an account (a QR code on a poster, at a hall's door): a signed token that
names one row and nothing else, so no personal data ever travels in a URL, and the hourly count
of what a link may take, kept in the cache every worker shares."""

from __future__ import annotations

from django.core import signing
from django.core.cache import caches

from fangkong.core import clock


def link_token(salt: str, pk: int) -> str:
    """The signed token of the row ``pk``; ``salt`` says what kind of link it is."""
    return signing.dumps({"u": pk}, salt=salt)


def link_target(token: str, salt: str) -> int | None:
    """The row a token names, or None for a forged one or one of another kind."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    pk = data.get("u") if isinstance(data, dict) else None
    return pk if isinstance(pk, int) else None


def link_over_rate(name: str, rate: int) -> bool:
    """Count one use of the link ``name`` this hour; whether it is over ``rate`` an hour."""
    key = f"{name}:{clock.now():%Y%m%d%H}"
    shared = caches["shared"]
    shared.add(key, 0, 3600)
    return shared.incr(key) > rate
