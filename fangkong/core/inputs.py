"""Values people type, or tamper with, in query strings, forms and JSON: ids, whole numbers, dates
and times, read one way everywhere. What no one could mean is refused naming the field and the
reason (a 400, a form's error, an API's field error), never answered with a server error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock

ID_MAX = 2**63 - 1  # the largest value of a bigint column

# What the 400 page calls a query or form key: people read names, not parameter codes.
FIELD_NAMES = {
    "unit": gettext_lazy("Unit"),
    "day": gettext_lazy("Day"),
    "page": gettext_lazy("Page"),
    "person": gettext_lazy("Person"),
    "absence": gettext_lazy("Absence"),
    "round": gettext_lazy("Screening round"),
    "point": gettext_lazy("Sampling point"),
    "lab": gettext_lazy("Laboratory"),
    "receive": gettext_lazy("Box"),
    "state": gettext_lazy("Status"),
    "kind": gettext_lazy("Kind"),
    "action": gettext_lazy("Action"),
    "before": gettext_lazy("Page"),
    "order": gettext_lazy("Order"),
    "cases": gettext_lazy("Cases"),
    "case": gettext_lazy("Case"),
    "outbreak": gettext_lazy("Outbreak"),
    "since": gettext_lazy("From"),
    "until": gettext_lazy("To"),
    "layout": gettext_lazy("Layout"),
    "level": gettext_lazy("Risk level"),
    "rows": gettext_lazy("Rows"),
    "onset_date": gettext_lazy("Onset date"),
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "other": gettext_lazy("The other person"),
    "keep": gettext_lazy("Person kept"),
}


class BadInput(BadRequest):
    """A query or form value that cannot be read: a 400 page (or API error) naming the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{FIELD_NAMES.get(field, field)}: {reason}")
        self.field = field
        self.reason = reason


def whole_number(text: str, high: int = ID_MAX, low: int = 1) -> int | None:
    """The number from ``low`` to ``high`` written in ``text`` with ASCII digits, else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def query_int(data: Mapping[str, str], name: str, *, high: int = ID_MAX) -> int | None:
    """An id (or a page number up to ``high``) from a query string or a form; None when absent."""
    text = data.get(name) or ""
    if not text.strip():
        return None
    number = whole_number(text, high)
    if number is None:
        reason = (
            _("“%(value)s” is not a valid number.")
            if high == ID_MAX
            else _("“%(value)s” is not a whole number from 1 to %(high)d.")
        )
        raise BadInput(name, reason % {"high": high, "value": text[:40]})
    return number


def query_choice(data: Mapping[str, str], name: str, choices: Iterable[str], default: str) -> str:
    """One of ``choices`` from a query string (``default`` when absent); anything else is a
    tampered value (400)."""
    text = data.get(name) or ""
    if not text:
        return default
    if text not in choices:
        raise BadInput(name, _("“%(value)s” is not one of the choices.") % {"value": text[:40]})
    return text


def local_url(text: str, default: str) -> str:
    """A page of this site to go back to (a form's "next"); ``default`` for anything else, another
    site's address included."""
    if text.startswith("/") and url_has_allowed_host_and_scheme(text, allowed_hosts=None):
        return text
    return default


def date_parse(text: str) -> dt.date | None:
    """An ISO date (2022-02-01), None when it is not one."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def datetime_parse(text: str) -> dt.datetime | None:
    """An ISO 8601 time, None when it is not one (2026-02-30 or 2026-13-45 included)."""
    try:
        return parse_datetime(text.strip())
    except ValueError:
        return None


def local_datetime_parse(text: str) -> dt.datetime | None:
    """A time written in a file or a form, in the local time zone unless it names its own."""
    parsed = datetime_parse(text)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.tz())
    return parsed


def query_moment(data: Mapping[str, str], name: str) -> dt.datetime | None:
    """A moment with its offset (a page's cursor) from a query string; None when absent."""
    text = data.get(name) or ""
    if not text.strip():
        return None
    moment = datetime_parse(text)
    if moment is None or moment.tzinfo is None:
        raise BadInput(
            name, _("Not a time (write 2022-02-01T08:00+08:00): %(value)s") % {"value": text[:40]}
        )
    return moment


def query_date(data: Mapping[str, str], name: str, default: dt.date) -> dt.date:
    """A plausible date from a query string or a form; ``default`` when absent."""
    text = data.get(name) or ""
    if not text.strip():
        return default
    day = date_parse(text)
    if day is None:
        raise BadInput(name, _("Not a date (write 2022-02-01): %(value)s") % {"value": text[:40]})
    problem = date_problem(day)
    if problem:
        raise BadInput(name, problem)
    return day


def dates_allowed() -> tuple[dt.date, dt.date]:
    """The first and last day a user may enter (FANGKONG_DATES_FROM, FANGKONG_DATES_AHEAD_DAYS)."""
    latest = clock.localdate() + dt.timedelta(days=settings.FANGKONG_DATES_AHEAD_DAYS)
    return settings.FANGKONG_DATES_FROM, latest


def date_problem(
    value: dt.date | dt.datetime, allowed: tuple[dt.date, dt.date] | None = None
) -> str | None:
    """Why a date, or a time's day, is not plausible; None when it is. A bulk check reads
    ``dates_allowed()`` once and passes it as ``allowed``: asking the clock per row costs more
    than the rest of the row's checks."""
    # A time's own calendar day: converting year 1 or 9999 to another zone would overflow.
    day = value.date() if isinstance(value, dt.datetime) else value
    earliest, latest = allowed or dates_allowed()
    if earliest <= day <= latest:
        return None
    return _("%(value)s is not between %(earliest)s and %(latest)s.") % {
        "value": day.isoformat(),
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
    }


def moment_problem(
    value: object, latest: dt.datetime, allowed: tuple[dt.date, dt.date] | None = None
) -> str | None:
    """Why a time a row or a request sends is not usable: not a time, no time zone, later than
    ``latest`` (now and the clock skew a device may have), or a day out of ``allowed`` (see
    ``date_problem``); None when it is usable."""
    if not isinstance(value, dt.datetime):
        return _("Not a date and time.")
    if value.tzinfo is None:
        return _("Give the time zone of the time.")
    if value > latest:
        return _("The time %(at)s is in the future.") % {"at": value.isoformat()}
    return date_problem(value, allowed)


def validate_plausible_date(value: dt.date | dt.datetime) -> None:
    """The validator of form and serializer fields that take a date or a time."""
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="implausible_date")
