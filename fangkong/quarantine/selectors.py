"""Reads of quarantine sites: the sites a user manages, the people waiting for a room, the people
of a site waiting for their transfer or on the road, those due for release with the engine's
decision, the occupancy board (rooms by state, beds, releases due in the next 14 days), and the
daily care: the check-in slot due now and who has not been checked in it, the care notes of a day,
the tests the people placed are due."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from fangkong.core import clock
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.models import ExposureKind, Measure, MeasureKind, MeasureStatus
from fangkong.policy.release import ReleaseAnswer
from fangkong.policy.selectors import people_standing, release_check
from fangkong.quarantine.models import (
    CareNote,
    Placement,
    Room,
    RoomState,
    Transfer,
    TransferKind,
)
from fangkong.tracing.models import Case, Exposure
from fangkong.tracing.selectors import CaseSteps, case_steps

FORECAST_DAYS = 14


def sites_visible(user: AnyUser | None) -> QuerySet[Unit]:
    """The quarantine sites the user manages (a site manager: theirs; the county: all below)."""
    return Unit.objects.filter(
        scope(user, Capability.MANAGE_SITE).units(), kind=Unit.Kind.QUARANTINE_SITE
    ).order_by("name", "id")


def people_unplaced(user: AnyUser | None) -> QuerySet[Person]:
    """People of the user's units under an active central quarantine and in no room yet,
    households together."""
    return (
        Person.objects.filter(scope(user, Capability.EDIT_PEOPLE).people())
        .filter(
            Exists(
                Measure.objects.filter(
                    person=OuterRef("pk"),
                    status=MeasureStatus.ACTIVE,
                    kind=MeasureKind.CENTRAL_QUARANTINE,
                )
            )
        )
        .exclude(Exists(Placement.objects.filter(person=OuterRef("pk"), released_at__isnull=True)))
        # Sent to hospital from a site: the case decides what follows, not a new room.
        .exclude(Exists(Case.objects.in_course().filter(person=OuterRef("pk"))))
        .select_related("unit", "household")
        .order_by("unit__path", "household_id", "id")
    )


def placements_open(site: Unit) -> QuerySet[Placement]:
    """The people in the site's rooms now, by room."""
    return (
        Placement.objects.filter(room__site=site, released_at__isnull=True)
        .select_related("person", "room")
        .order_by("room__floor", "room__number", "person_id")
    )


def placements_waiting_transfer(site: Unit) -> QuerySet[Placement]:
    """待转运: placed at the site, no trip to it recorded yet."""
    return placements_open(site).exclude(
        Exists(Transfer.objects.filter(placement=OuterRef("pk"), kind=TransferKind.TO_SITE))
    )


def transfers_on_the_road(site: Unit) -> list[list[Transfer]]:
    """The trips to the site not yet arrived, one list per vehicle and departure."""
    trips: dict[tuple[str, dt.datetime], list[Transfer]] = {}
    for transfer in (
        Transfer.objects.filter(
            placement__room__site=site,
            placement__released_at__isnull=True,
            kind=TransferKind.TO_SITE,
            arrived_at__isnull=True,
        )
        .select_related("placement__person")
        .order_by("departed_at", "vehicle", "id")
    ):
        trips.setdefault((transfer.vehicle, transfer.departed_at), []).append(transfer)
    return list(trips.values())


# The release decisions one site page computes (each reads the person's facts).
RELEASE_LIST_MAX = 50
RELEASE_AHEAD_DAYS = 2


@dataclass
class ReleaseDue:
    """A person at the site whose central quarantine ends within two days, is past its end or
    is open (ended by the release conditions), and the engine's answer for today."""

    placement: Placement
    end_date: dt.date | None
    answer: ReleaseAnswer | None


def releases_due(site: Unit) -> list[ReleaseDue]:
    """待解除: the people of the site due for release, the earliest end first, with whether a
    release today is allowed and what is missing (release_answer)."""
    today = clock.localdate()
    ends = Measure.objects.filter(
        person=OuterRef("person"), status=MeasureStatus.ACTIVE, kind=MeasureKind.CENTRAL_QUARANTINE
    ).order_by("-phase")
    due = (
        placements_open(site)
        .annotate(end_date=Subquery(ends.values("end_date")[:1]))
        .filter(
            Exists(ends),
            Q(end_date__isnull=True)
            | Q(end_date__lte=today + dt.timedelta(days=RELEASE_AHEAD_DAYS)),
        )
        .order_by(F("end_date").asc(nulls_last=True), "room__number", "person_id")
    )[:RELEASE_LIST_MAX]
    standing = people_standing([placement.person_id for placement in due])
    return [
        ReleaseDue(
            placement, placement.end_date, release_check(standing[placement.person_id], today)
        )
        for placement in due
    ]


def site_rooms(site: Unit) -> QuerySet[Room]:
    """A site's rooms by floor, with how many people each holds now."""
    held = (
        Placement.objects.filter(room=OuterRef("pk"), released_at__isnull=True)
        .values("room")
        .annotate(count=Count("*"))
        .values("count")
    )
    return (
        Room.objects.filter(site=site)
        .annotate(occupants=Coalesce(Subquery(held), 0))
        .order_by("floor", "number")
    )


@dataclass
class SiteFigures:
    """One site's line of the board (or the county's total)."""

    site: Unit | None
    rooms: dict[str, int] = field(default_factory=dict)  # rooms by state
    beds: int = 0  # capacity of the rooms in service
    free_beds: int = 0
    people: int = 0  # placed now

    @property
    def room_count(self) -> int:
        return sum(self.rooms.values())

    def as_json(self) -> dict[str, object]:
        return {
            "site": self.site.pk if self.site else None,
            "name": self.site.name if self.site else None,
            "rooms": {state: self.rooms.get(state, 0) for state in RoomState.values},
            "beds": self.beds,
            "free_beds": self.free_beds,
            "people": self.people,
        }


@dataclass
class Board:
    """占用看板: the sites' figures, their total and the releases due each of the next 14 days."""

    sites: list[SiteFigures]
    total: SiteFigures
    releases: list[tuple[dt.date, int]]

    def as_json(self) -> dict[str, object]:
        return {
            "sites": [figures.as_json() for figures in self.sites],
            "total": self.total.as_json(),
            "releases": [{"date": day.isoformat(), "people": n} for day, n in self.releases],
        }


def occupancy_board(sites: QuerySet[Unit] | Sequence[Unit]) -> Board:
    """The board of these sites in four queries however many sites and rooms: the sites, rooms
    by site and state, people placed by site, and active central quarantines at the sites
    ending by day (the measure's end date is the day the room is expected back)."""
    figures = {site.pk: SiteFigures(site) for site in sites}
    total = SiteFigures(None)
    for site_id, state, rooms, beds in (
        Room.objects.filter(site__in=sites)
        .values_list("site_id", "state")
        .annotate(Count("id"), Sum("capacity"))
        .order_by()
    ):
        for line in (figures[site_id], total):
            line.rooms[state] = line.rooms.get(state, 0) + rooms
            if state != RoomState.OUT_OF_SERVICE:
                line.beds += beds
            if state == RoomState.FREE:
                line.free_beds += beds
    for site_id, people in (
        Placement.objects.filter(released_at__isnull=True, room__site__in=sites)
        .values_list("room__site_id")
        .annotate(Count("id"))
        .order_by()
    ):
        figures[site_id].people = people
        total.people += people
    today = clock.localdate()
    ending = Counter(
        dict(
            Measure.objects.filter(
                site__in=sites,
                status=MeasureStatus.ACTIVE,
                kind=MeasureKind.CENTRAL_QUARANTINE,
                end_date__range=(today, today + dt.timedelta(days=FORECAST_DAYS - 1)),
            )
            .values_list("end_date")
            .annotate(Count("id"))
            .order_by()
        )
    )
    days = [today + dt.timedelta(days=offset) for offset in range(FORECAST_DAYS)]
    return Board(list(figures.values()), total, [(day, ending[day]) for day in days])


# --- daily care (日常照护) -------------------------------------------------------------------


def _placed_people(site: Unit) -> QuerySet[Placement, Any]:
    return Placement.objects.filter(room__site=site, released_at__isnull=True).values("person_id")


def checkin_slot_now(site: Unit, now: dt.datetime) -> dt.datetime | None:
    """The check-in slot a check taken now meets (monitoring meets the first pending slot of the
    day due at or after the check): the first of today's slots of the site's people due at or
    after now, or after the day's last slot that one; None when nobody there owes check-ins."""
    start, end = clock.day_bounds(now.astimezone(clock.tz()).date())
    slots = (
        Obligation.objects.checkins()
        .filter(person_id__in=_placed_people(site), due_at__gte=start, due_at__lt=end)
        .exclude(status=ObligationStatus.CANCELLED)
    )
    found = slots.aggregate(next=Min("due_at", filter=Q(due_at__gte=now)), last=Max("due_at"))
    return found["next"] or found["last"]


def placements_unchecked(site: Unit, slot: dt.datetime) -> QuerySet[Placement]:
    """本时段未测: the people of the site whose check-in of this slot is still owed."""
    return placements_open(site).filter(
        Exists(
            Obligation.objects.checkins()
            .pending()
            .filter(person_id=OuterRef("person_id"), due_at=slot)
        )
    )


def care_notes_of_day(placement_ids: list[int], day: dt.date) -> dict[int, list[CareNote]]:
    """The meals and needs noted for these placements on a day, oldest first, by placement."""
    start, end = clock.day_bounds(day)
    notes: dict[int, list[CareNote]] = {}
    for note in CareNote.objects.filter(
        placement_id__in=placement_ids, at__gte=start, at__lt=end
    ).order_by("at", "id"):
        notes.setdefault(note.placement_id, []).append(note)
    return notes


@dataclass
class TestDue:
    """A test the plan owes on a day (an obligation met by a sample) of a person at the site."""

    obligation: Obligation
    placement: Placement

    @property
    def day(self) -> dt.date | None:
        """The plan's day of the test; None for a test "within N hours" (its due time counts)."""
        day = self.obligation.detail.get("date")
        return dt.date.fromisoformat(day) if day else None

    @property
    def overdue(self) -> bool:
        return self.obligation.status == ObligationStatus.MISSED


TESTS_DUE_MAX = 200


def tests_due(site: Unit) -> list[TestDue]:
    """待检测: the tests of the plan still owed by the people placed at the site, up to today's
    (the missed ones first by day); a sample taken of the person meets them (labs)."""
    placements = {p.person_id: p for p in placements_open(site)}
    owed = (
        Obligation.objects.tests()
        .pending()
        .filter(person_id__in=_placed_people(site))
        .filter(due_at__lte=clock.day_end(clock.localdate()))
        .order_by("due_at", "person_id", "id")[:TESTS_DUE_MAX]
    )
    return [TestDue(o, placements[o.person_id]) for o in owed if o.person_id in placements]


def case_steps_placed(cases: list[Case]) -> list[CaseSteps]:
    """The steps of these cases (``tracing.selectors.case_steps``) and when each one's close
    contacts were all placed (早隔离): a contact is placed when put in a room at a site (集中隔离)
    or when their home quarantine (居家隔离) is decided, and counts from their identification if
    already there; the case's step is the last of its close contacts', none while one waits. A
    contact who is a case too goes to hospital, not to a room: not waited for. Four queries,
    whatever the number of cases."""
    steps = case_steps(cases)
    by_person = {found.case.person_id: found for found in steps}
    identified = OuterRef("identified_at")
    in_room = (
        Placement.objects.filter(person_id=OuterRef("person_id"))
        .filter(Q(released_at__isnull=True) | Q(released_at__gt=identified))
        .order_by("placed_at")
        .values("placed_at")[:1]
    )
    # The first phase of a decision only: a later phase (home after the site) starts later.
    at_home = (
        Measure.objects.filter(
            person_id=OuterRef("person_id"), kind=MeasureKind.HOME_QUARANTINE, phase=0
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=identified))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    placed: dict[int, list[dt.datetime | None]] = defaultdict(list)
    for via_id, at, room, home in (
        Exposure.objects.filter(via_id__in=list(by_person), kind=ExposureKind.CLOSE_CONTACT)
        .exclude(Exists(Case.objects.filter(person_id=OuterRef("person_id"))))
        .annotate(room=Subquery(in_room), home=Subquery(at_home))
        .values_list("via_id", "identified_at", "room", "home")
    ):
        first = min((moment for moment in (room, home) if moment is not None), default=None)
        placed[via_id].append(None if first is None else max(first, at))
    for via_id, moments in placed.items():
        if None not in moments:
            by_person[via_id].placed = max(m for m in moments if m is not None)
    return steps
