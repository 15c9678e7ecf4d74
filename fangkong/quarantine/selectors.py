"""Reads of quarantine sites: the sites a user manages, the people waiting for a room, the people
of a site waiting for their transfer or on the road, those due for release with the engine's
decision, and the occupancy board (rooms by state, beds, releases due in the next 14 days)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from fangkong.core import clock
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus
from fangkong.policy.release import ReleaseAnswer
from fangkong.policy.selectors import person_release_check
from fangkong.quarantine.models import Placement, Room, RoomState, Transfer, TransferKind
from fangkong.tracing.models import Case

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
    return [
        ReleaseDue(placement, placement.end_date, person_release_check(placement.person_id, today))
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


def occupancy_board(sites: QuerySet[Unit]) -> Board:
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
