"""The one clock every rule reads (DESIGN.md, idea 3).

Production runs on the wall clock. The demo, drills and tests set it: ``clock_set`` stores the state
in the database so every process agrees, and ``frozen`` overrides it for one block of code (tests).
Times are aware and in UTC; ``localdate`` gives the date in the installation's time zone, which is
what "day 0" and "by 10:00" are counted in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

_CACHE_KEY = "fangkong:clock"
_CACHE_SECONDS = 5
_override: ContextVar[dt.datetime | None] = ContextVar("fangkong_clock_override", default=None)


def _state() -> tuple[dt.datetime | None, float]:
    cached = cache.get(_CACHE_KEY)
    if cached is None:
        from fangkong.core.models import ClockState

        row = ClockState.objects.filter(singleton=True).values_list("frozen_at", "offset_seconds")
        found = row.first()
        if found is None and settings.FANGKONG_CLOCK:
            found = (parse_instant(settings.FANGKONG_CLOCK), 0.0)
        cached = found or (None, 0.0)
        cache.set(_CACHE_KEY, cached, _CACHE_SECONDS)
    return cached


def now() -> dt.datetime:
    override = _override.get()
    if override is not None:
        return override
    frozen_at, offset = _state()
    if frozen_at is not None:
        return frozen_at
    return timezone.now() + dt.timedelta(seconds=offset)


def localdate() -> dt.date:
    return timezone.localtime(now()).date()


def tz() -> ZoneInfo:
    """The installation's time zone, in which days are counted."""
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    """The instant a local day starts."""
    return dt.datetime.combine(day, dt.time(), tz())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of a local day and the start of the next: ``start <= at < end`` is that day."""
    return local_midnight(day), day_end(day)


def day_end(day: dt.date) -> dt.datetime:
    """The midnight that ends a local day. Something due "by the end of the day" is due then: a
    test of a day is due at the midnight that ends it, and until then it is still that day's."""
    return local_midnight(day + dt.timedelta(days=1))


def day_ended_by(at: dt.datetime) -> dt.date:
    """The day whose test is due at ``at``, the inverse of ``day_end``: the local day before."""
    return at.astimezone(tz()).date() - dt.timedelta(days=1)


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 time; without a zone it is read in the installation's time zone."""
    value = dt.datetime.fromisoformat(text.strip())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


def clock_set(at: dt.datetime | None, *, running: bool = False) -> None:
    """Freeze the clock at ``at`` (or let it run from ``at`` when ``running``); None resets it."""
    from fangkong.core.models import ClockState

    frozen_at: dt.datetime | None = None
    offset = 0.0
    if at is not None and running:
        offset = (at - timezone.now()).total_seconds()
    elif at is not None:
        frozen_at = at
    ClockState.objects.update_or_create(
        singleton=True, defaults={"frozen_at": frozen_at, "offset_seconds": offset}
    )
    cache.delete(_CACHE_KEY)


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Run a block at a fixed instant, without touching the shared state (tests)."""
    token = _override.set(at)
    try:
        yield at
    finally:
        _override.reset(token)
