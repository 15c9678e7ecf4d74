"""Signed status codes: what a person's QR carries, and how a gate checks it without the register.

The payload is the colour, the validity window and a reference to the person that is neither the
ID number nor the row id; it is signed with HMAC-SHA256 under the server key (django.core.signing,
salted for this use). Checking reads nothing from the database: the signature and the clock
(docs/adr/0017-signed-status-codes.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.core import signing
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.healthcodes.rules import Colour, status_colour
from fangkong.healthcodes.selectors import person_status_facts

SALT = "fangkong.healthcodes.status"
VALID_HOURS = 24
# A genuine code is about 150 characters; anything much longer is not one and is not parsed.
MAX_TOKEN = 400


@dataclass(frozen=True)
class StatusCode:
    colour: Colour
    valid_from: dt.datetime
    valid_until: dt.datetime
    token: str


@dataclass(frozen=True)
class Checked:
    """What a gate is shown: whether the code is genuine and current, its colour and validity."""

    valid: bool
    reason: str = ""
    colour: Colour | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


def person_reference(person_id: int) -> str:
    """The person as the code names them: a keyed hash of the row, so a gate's log can tell two
    scans of one code apart without learning who it is."""
    return signing.Signer(salt=f"{SALT}.person").signature(str(person_id))[:16]


def status_code_issue(person_id: int) -> StatusCode:
    """The person's code, valid for VALID_HOURS from now, coloured by ``rules.status_colour``."""
    now = clock.now().replace(microsecond=0)
    colour = status_colour(person_status_facts(person_id, now))
    until = now + dt.timedelta(hours=VALID_HOURS)
    return StatusCode(
        colour, now, until, status_code_sign(colour, now, until, person_reference(person_id))
    )


def status_code_sign(
    colour: Colour, valid_from: dt.datetime, valid_until: dt.datetime, reference: str
) -> str:
    """The signed payload a QR carries: compact keys, whole seconds."""
    return signing.dumps(
        {
            "c": colour.value,
            "f": int(valid_from.timestamp()),
            "u": int(valid_until.timestamp()),
            "r": reference,
        },
        salt=SALT,
    )


def status_code_check(token: str, at: dt.datetime | None = None) -> Checked:
    """Check a scanned code offline: genuine (the signature holds) and current (``at`` within its
    window). Raises ValueError for what is not a code at all (empty, too long)."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN:
        raise ValueError(_("Scan a health code."))
    try:
        payload = signing.loads(token, salt=SALT)
        colour = Colour(payload["c"])
        valid_from = dt.datetime.fromtimestamp(int(payload["f"]), tz=dt.UTC)
        valid_until = dt.datetime.fromtimestamp(int(payload["u"]), tz=dt.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return Checked(False, _("This code is not genuine."))
    at = at or clock.now()
    if not valid_from <= at < valid_until:
        return Checked(False, _("This code is out of date."), colour, valid_from, valid_until)
    return Checked(True, "", colour, valid_from, valid_until)


def qr_svg(text: str) -> str:
    """The text as a QR code, an inline SVG drawn on the server (no script, works offline)."""
    return str(segno.make(text, error="m").svg_inline(scale=4, title=""))
