"""Personal ID numbers: validation (GB 11643), phones, and how ID numbers are kept protected.

An ID number is never stored in clear. ``id_hash`` is an HMAC-SHA256 under a server key (exact
lookup and duplicate detection without the number); ``id_cipher`` is AES-GCM under a second key
(the number, for roles that may see it, with the view audited); ``id_masked`` is what everyone
else sees ("520113********1234").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"
    " 71 81 82 83".split()
)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_OTHER_ID = re.compile(r"^[A-Z0-9][A-Z0-9\-]{4,29}$")


class IdType:
    RESIDENT = "resident"  # 居民身份证
    PASSPORT = "passport"  # 护照
    HK_MACAO = "hk_macao"  # 港澳居民来往内地通行证
    TAIWAN = "taiwan"  # 台湾居民来往大陆通行证
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证
    OTHER = "other"


class InvalidIdentity(ValueError):
    """The reason is a sentence for the user, in their language."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_code: str


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(number: str) -> str:
    return number.strip().replace(" ", "").upper()


def id_number_searched(text: str) -> str | None:
    """The ID number a search box was given (15 or 18 characters, digits up to the check
    character), normalized; None for a name or a phone."""
    normalized = normalize_id_number(text)
    return normalized if len(normalized) >= 15 and normalized[:17].isdigit() else None


def parse_resident_id(number: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate an 18-digit resident ID (GB 11643-1999) and derive birth date and sex."""
    number = normalize_id_number(number)
    if not _RESIDENT_ID.match(number):
        raise InvalidIdentity(
            _("A resident ID number has 18 characters: 17 digits and a digit or X.")
        )
    if number[:2] not in _PROVINCE_CODES:
        raise InvalidIdentity(
            _("The first two digits %(code)s are not a province code.") % {"code": number[:2]}
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity(_("Digits 7-14 are not a valid birth date.")) from None
    if birth.year < 1880 or (today is not None and birth > today):
        raise InvalidIdentity(
            _("The birth date %(date)s is impossible.") % {"date": birth.isoformat()}
        )
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdentity(_("The check digit is wrong (the number is mistyped)."))
    return ResidentId(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
    )


def validate_other_id(number: str) -> str:
    number = normalize_id_number(number)
    if not _OTHER_ID.match(number):
        raise InvalidIdentity(_("An ID document number has 5 to 30 letters, digits or hyphens."))
    return number


def normalize_phone(phone: str) -> str:
    """A mainland mobile (11 digits, 1[3-9]) or a landline with area code; '+86' is accepted."""
    compact = re.sub(r"[\s()（）]", "", phone)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return compact
    raise InvalidIdentity(
        _(
            "Not a phone number: a mobile has 11 digits starting 13-19, "
            "a landline starts with its area code."
        )
    )


def mask_id_number(number: str) -> str:
    if len(number) <= 8:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """A name as someone who may not see the person reads it: the family name (张**)."""
    return name[:1] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """A phone number as someone who may not see the person reads it: 138****8000."""
    return mask_id_number(phone) if len(phone) <= 8 else phone[:3] + "****" + phone[-4:]


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[bytes, AESGCM]:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=b"fangkong-id", info=b"id-keys"
    ).derive(secret.encode())
    return derived[:32], AESGCM(derived[32:])


def _current_keys() -> tuple[bytes, AESGCM]:
    return _keys(settings.ID_KEY or settings.SECRET_KEY)


def id_hash(number: str) -> str:
    hash_key, _aes = _current_keys()
    return hmac.new(hash_key, normalize_id_number(number).encode(), hashlib.sha256).hexdigest()


def id_encrypt(number: str) -> bytes:
    _hash_key, aes = _current_keys()
    nonce = os.urandom(12)
    return nonce + aes.encrypt(nonce, number.encode(), None)


def id_decrypt(blob: bytes | memoryview) -> str:
    _hash_key, aes = _current_keys()
    blob = bytes(blob)
    return aes.decrypt(blob[:12], blob[12:], None).decode()
