"""The person's file (一人一档) as one timeline, newest first: stays, check-ins and fevers,
absences, samples and results, exposures, measures, deadlines and changes.

Those records live in apps above the register (ADR 6), so each app registers a reader here when
Django starts (``AppConfig.ready``), and the person page and API merge what the readers return.
A reader answers for one person the caller may already see; it returns at most ``limit`` entries
at or before ``before``, newest first, with names (never codes or ID numbers) in the reader's
language, and a link where the record has a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.core.countries import country_name
from fangkong.core.inputs import query_int, query_moment
from fangkong.org.access import AnyUser, user_can
from fangkong.org.roles import Capability
from fangkong.people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What each topic is called on the page; a reader names its topic by one of these keys.
TOPICS = {
    "stay": gettext_lazy("stay"),
    "checkin": gettext_lazy("check-in"),
    "fever": gettext_lazy("fever"),
    "absence": gettext_lazy("absence"),
    "sample": gettext_lazy("sample"),
    "result": gettext_lazy("test result"),
    "exposure": gettext_lazy("exposure"),
    "measure": gettext_lazy("measure"),
    "deadline": gettext_lazy("time limit"),
    "change": gettext_lazy("change"),
}

PAGE = 30


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    topic: str  # a key of TOPICS
    text: str
    link: str = ""
    alert: bool = False  # a fever, a positive result, a missed deadline

    @property
    def label(self) -> str:
        return str(TOPICS[self.topic])


Reader = Callable[[Person, AnyUser, "dt.datetime | None", int], Iterable[Entry]]

_readers: dict[str, Reader] = {}


def timeline_reader(reader: Reader) -> Reader:
    """Register a reader of the person's file (by its qualified name: registering again at a
    second start-up replaces it)."""
    _readers[f"{reader.__module__}.{reader.__qualname__}"] = reader
    return reader


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: the entries at or before ``before``, less the first ``skip`` of those
    at exactly that time (many records share a moment: an import, a day's tests)."""

    before: dt.datetime
    skip: int = 0


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]
    next: Cursor | None  # None: this is the last page


def person_timeline(
    person: Person, viewer: AnyUser, *, cursor: Cursor | None = None, limit: int = PAGE
) -> Timeline:
    """One page of the person's file, newest first: each reader reads at most a page (and the
    entries skipped at the cursor's moment), so a page costs one query per reader however long
    the file. Entries of one moment keep the readers' order, the same on every request."""
    before, skip = (cursor.before, cursor.skip) if cursor else (None, 0)
    found = [
        entry
        for reader in _readers.values()
        for entry in reader(person, viewer, before, limit + skip + 1)
    ]
    found.sort(key=lambda entry: entry.at, reverse=True)  # stable: ties keep the readers' order
    if skip:
        found = found[min(skip, sum(1 for entry in found if entry.at == before)) :]
    page = found[:limit]
    if len(found) <= limit:
        return Timeline(page, None)
    last = page[-1].at
    at_last = sum(1 for entry in page if entry.at == last)
    return Timeline(page, Cursor(last, at_last + (skip if last == before else 0)))


def timeline_cursor(data: Mapping[str, str]) -> Cursor | None:
    """The cursor of a page from a query string (``before`` and ``skip``); None for the first."""
    before = query_moment(data, "before")
    if before is None:
        return None
    return Cursor(before, query_int(data, "skip", high=10_000) or 0)


def timeline_next(timeline: Timeline) -> dict[str, str]:
    """The query of the next page; empty on the last."""
    if timeline.next is None:
        return {}
    return {"before": timeline.next.before.isoformat(), "skip": str(timeline.next.skip)}


def before_filter(field: str, before: dt.datetime | None) -> Q:
    """The rows at or before the page's cursor (all rows on the first page)."""
    return Q(**{f"{field}__lte": before}) if before is not None else Q()


def day_start(day: dt.date) -> dt.datetime:
    """A date-only record (a stay, an absence) sits at the start of its day."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.tz())


@timeline_reader
def _stays(person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int) -> list[Entry]:
    rows = person.travel.select_related("region").order_by("-start_date", "-id")
    if before is not None:
        rows = rows.filter(start_date__lte=before.astimezone(clock.tz()).date())
    link = reverse("person-detail", args=[person.pk]) + "#travel"
    entries = []
    for stay in rows[:limit]:
        at = day_start(stay.start_date)
        if before is not None and at > before:
            continue
        place = stay.region.full_name if stay.region else country_name(stay.country)
        entries.append(
            Entry(
                at,
                "stay",
                _("Stayed in %(place)s from %(start)s to %(end)s")
                % {
                    "place": f"{place} {stay.place}".strip(),
                    "start": f"{stay.start_date:%Y-%m-%d}",
                    "end": f"{stay.end_date:%Y-%m-%d}",
                },
                link,
            )
        )
    return entries


@timeline_reader
def _changes(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    """The audit trail of the file itself and of the import that brought the person in."""
    rows = (
        AuditEvent.objects.filter(
            Q(object_type="person", object_id=str(person.pk))
            | Q(object_type="import_job", object_id=str(person.import_job_id or "-")),
            before_filter("at", before),
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    link = reverse("audit-list") if user_can(viewer, Capability.VIEW_AUDIT) else ""
    return [
        Entry(
            event.at,
            "change",
            f"{event.get_action_display()} · {event.summary}"
            + (f" · {_actor_name(event.actor)}" if event.actor else ""),
            link,
        )
        for event in rows
    ]


def _actor_name(actor: User) -> str:
    return str(actor.get_full_name() or actor.get_username())
