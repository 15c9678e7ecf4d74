"""Writes of quarantine sites: rooms made in bulk, a room's state, placing people in rooms, their
point-to-point transfers (to the site, to hospital, home at release), a suspected cross-infection,
freeing the rooms of the people released, and the meals and needs noted in the daily care."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.core.text import NUL
from fangkong.obligations.models import Obligation, ObligationKind
from fangkong.obligations.services import obligations_meet
from fangkong.org.access import AnyUser, acting_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import InvalidIdentity, normalize_phone
from fangkong.people.models import Person
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus
from fangkong.policy.services import (
    measures_release,
    measures_site_leave,
    measures_site_place,
    site_cross_infection,
)
from fangkong.quarantine.events import sent_to_hospital
from fangkong.quarantine.home import MAX_NOTE
from fangkong.quarantine.models import (
    MAX_CAPACITY,
    CareNote,
    CareNoteKind,
    HospitalReason,
    Placement,
    Room,
    RoomState,
    Transfer,
    TransferKind,
)
from fangkong.quarantine.selectors import people_unplaced, placements_waiting_transfer
from fangkong.tracing.models import CaseKind
from fangkong.tracing.services import case_report

MAX_ROOMS = 2000  # rooms made by one request
MAX_PLACED = 1000  # people placed by one action
LAST_FLOOR = 99
LAST_ROOM = 99

# What the site page may do to a room; an occupied room changes only by placement and release.
STATE_CHANGES = {
    RoomState.TO_DISINFECT: {RoomState.FREE},
    RoomState.FREE: {RoomState.OUT_OF_SERVICE},
    RoomState.OUT_OF_SERVICE: {RoomState.FREE},
}


def _require_site(actor: AnyUser, site: Unit) -> None:
    if site.kind != Unit.Kind.QUARANTINE_SITE or not user_can(actor, Capability.MANAGE_SITE, site):
        raise PermissionDenied(_("You may not manage this quarantine site."))


def room_numbers(floors: tuple[int, int], rooms: tuple[int, int]) -> list[tuple[int, str]]:
    """(floor, number) of "floors 2–5, rooms 01–20": 201 … 520."""
    (first_floor, last_floor), (first_room, last_room) = floors, rooms
    if not 1 <= first_floor <= last_floor <= LAST_FLOOR:
        raise ValidationError({"floors": _("Floors run from 1 to 99, the first no higher.")})
    if not 1 <= first_room <= last_room <= LAST_ROOM:
        raise ValidationError({"rooms": _("Rooms run from 1 to 99, the first no higher.")})
    count = (last_floor - first_floor + 1) * (last_room - first_room + 1)
    if count > MAX_ROOMS:
        raise ValidationError({"rooms": _("At most %(max)d rooms at a time.") % {"max": MAX_ROOMS}})
    return [
        (floor, f"{floor}{room:02d}")
        for floor in range(first_floor, last_floor + 1)
        for room in range(first_room, last_room + 1)
    ]


@transaction.atomic
def rooms_create(
    *, actor: AnyUser, site: Unit, floors: tuple[int, int], rooms: tuple[int, int], capacity: int
) -> int:
    """Add a block of free rooms to a site; refused whole when one of the numbers exists."""
    _require_site(actor, site)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(
            {"capacity": _("A room holds 1 to %(max)d people.") % {"max": MAX_CAPACITY}}
        )
    wanted = room_numbers(floors, rooms)
    taken = list(
        Room.objects.filter(site=site, number__in=[number for _floor, number in wanted])
        .order_by("number")
        .values_list("number", flat=True)[:10]
    )
    if taken:
        raise ValidationError(
            {"rooms": _("These rooms exist already: %(rooms)s") % {"rooms": "、".join(taken)}}
        )
    Room.objects.bulk_create(
        Room(site=site, floor=floor, number=number, capacity=capacity) for floor, number in wanted
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="room",
        object_id=site.pk,
        unit_id=site.pk,
        summary=_("%(count)d rooms %(first)s–%(last)s, %(capacity)d beds each")
        % {
            "count": len(wanted),
            "first": wanted[0][1],
            "last": wanted[-1][1],
            "capacity": capacity,
        },
    )
    return len(wanted)


@transaction.atomic
def room_state_set(*, actor: AnyUser, room: Room, state: str) -> None:
    """Mark a room disinfected (free again), out of service, or back in service."""
    locked = Room.objects.select_for_update().select_related("site").get(pk=room.pk)
    _require_site(actor, locked.site)
    if state not in STATE_CHANGES.get(RoomState(locked.state), set()):
        raise ValidationError(
            {
                "state": _("A room %(now)s cannot become %(then)s.")
                % {
                    "now": RoomState(locked.state).label,
                    "then": RoomState(state).label if state in RoomState.values else state,
                }
            }
        )
    Room.objects.filter(pk=locked.pk).update(state=state)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="room",
        object_id=locked.pk,
        unit_id=locked.site_id,
        summary=f"{locked.number}: {RoomState(locked.state).label} → {RoomState(state).label}",
    )


def rooms_allocate(
    households: Sequence[Sequence[int]], rooms: Sequence[tuple[int, int]]
) -> dict[int, int]:
    """Person → room for people grouped by household and free rooms (id, capacity) in the order
    to fill: the largest household first, each into the smallest room that holds it all (a
    household larger than every room fills the largest ones); no room is shared by two
    households. Refused when the rooms run out."""
    by_capacity: dict[int, deque[int]] = defaultdict(deque)
    for room_id, capacity in rooms:
        by_capacity[capacity].append(room_id)
    placed: dict[int, int] = {}
    for household in sorted(households, key=len, reverse=True):
        waiting = list(household)
        while waiting:
            fitting = [c for c in sorted(by_capacity) if by_capacity[c] and c >= len(waiting)]
            left = [c for c in sorted(by_capacity) if by_capacity[c]]
            if not left:
                unplaced = sum(len(h) for h in households) - len(placed)
                raise ValidationError(
                    {
                        "site": _("Not enough free rooms at this site: %(count)d people left over.")
                        % {"count": unplaced}
                    }
                )
            capacity = fitting[0] if fitting else left[-1]
            room_id = by_capacity[capacity].popleft()
            for person_id in waiting[:capacity]:
                placed[person_id] = room_id
            waiting = waiting[capacity:]
    return placed


@transaction.atomic
def people_place(*, actor: AnyUser, site: Unit, person_ids: Sequence[int] | None) -> int:
    """安置: put the chosen people (None: everyone waiting in the actor's units, at most 1,000)
    into free rooms of the site, households together where a room holds them; their central
    quarantine names the site. All or nothing: the free rooms are locked, so two placements at
    once never fill one room twice."""
    _require_site(actor, site)
    too_many = ValidationError(
        {"people": _("At most %(max)d people at a time.") % {"max": MAX_PLACED}}
    )
    waiting = people_unplaced(actor).order_by()
    if person_ids is None:
        chosen = set(waiting.values_list("pk", flat=True)[: MAX_PLACED + 1])
    else:
        chosen = set(person_ids)
    if len(chosen) > MAX_PLACED:
        raise too_many
    # A placement at the same moment (at this site or another) holds some of these people: lock
    # them in id order, then read who still waits once that placement has committed.
    list(Person.objects.select_for_update().filter(pk__in=chosen).order_by("pk").values("pk"))
    rows = list(waiting.filter(pk__in=chosen).values_list("pk", "household_id"))
    if person_ids is not None and len(rows) != len(chosen):
        raise ValidationError(
            {
                "people": _(
                    "Some of the people chosen are not in your units, under no central "
                    "quarantine or placed already."
                )
            }
        )
    if not rows:
        raise ValidationError({"people": _("Nobody is waiting for a room.")})
    households: dict[object, list[int]] = defaultdict(list)
    for person_id, household_id in sorted(rows):
        households[household_id or ("alone", person_id)].append(person_id)
    free = list(
        Room.objects.select_for_update()
        .filter(site=site, state=RoomState.FREE)
        .order_by("id")
        .values_list("pk", "capacity", "floor", "number")
    )
    free.sort(key=lambda room: (room[2], room[3]))
    placed = rooms_allocate(list(households.values()), [(pk, cap) for pk, cap, *_ in free])
    now = clock.now()
    placer = acting_user(actor)
    Placement.objects.bulk_create(
        Placement(person_id=person_id, room_id=room_id, placed_at=now, placed_by=placer)
        for person_id, room_id in placed.items()
    )
    Room.objects.filter(pk__in=set(placed.values())).update(state=RoomState.OCCUPIED)
    measures_site_place(person_ids=list(placed), site=site)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="placement",
        object_id=site.pk,
        unit_id=site.pk,
        summary=_("%(people)d people placed in %(rooms)d rooms of %(site)s")
        % {"people": len(placed), "rooms": len(set(placed.values())), "site": site.name},
    )
    return len(placed)


def _rooms_left(room_ids: Sequence[int]) -> None:
    """Rooms nobody is left in are to be disinfected."""
    Room.objects.filter(pk__in=room_ids, state=RoomState.OCCUPIED).exclude(
        Exists(Placement.objects.filter(room=OuterRef("pk"), released_at__isnull=True))
    ).update(state=RoomState.TO_DISINFECT)


def placements_close(person_ids: Sequence[int]) -> int:
    """The released people leave their rooms, and a room left empty is to be disinfected; called
    inside the release's transaction, which writes the audit row."""
    still_quarantined = Measure.objects.filter(
        person=OuterRef("person"),
        status=MeasureStatus.ACTIVE,
        kind=MeasureKind.CENTRAL_QUARANTINE,
    )
    leaving = Placement.objects.filter(person_id__in=person_ids, released_at__isnull=True).exclude(
        Exists(still_quarantined)
    )
    room_ids = list(leaving.values_list("room_id", flat=True))
    closed = leaving.update(released_at=clock.now())
    _rooms_left(room_ids)
    return closed


@dataclass(frozen=True)
class Trip:
    """点对点闭环转运: the vehicle, its escort and the departure of one trip."""

    vehicle: str
    escort_name: str
    escort_phone: str
    departed_at: dt.datetime

    def checked(self) -> Trip:
        """The trip with the phone in its plain form; refused with each field's problem."""
        problems: dict[str, str] = {}
        vehicle, escort = self.vehicle.strip(), self.escort_name.strip()
        if not vehicle:
            problems["vehicle"] = _("Give the vehicle's plate.")
        elif len(vehicle) > 16:
            problems["vehicle"] = _("A plate has at most 16 characters.")
        if not escort:
            problems["escort_name"] = _("Name the escort.")
        elif len(escort) > 40:
            problems["escort_name"] = _("At most 40 characters.")
        if NUL in vehicle + escort + self.escort_phone:
            problems["vehicle"] = _("NUL characters are not allowed.")
        phone = ""
        try:
            phone = normalize_phone(self.escort_phone)
        except InvalidIdentity as error:
            problems["escort_phone"] = str(error)
        implausible = date_problem(self.departed_at)
        if implausible:
            problems["departed_at"] = implausible
        elif self.departed_at > clock.now():
            problems["departed_at"] = _("The departure is in the future.")
        if problems:
            raise ValidationError(problems)
        return Trip(vehicle, escort, phone, self.departed_at)

    def transfer(self, placement_id: int, kind: str, actor: AnyUser) -> Transfer:
        return Transfer(
            placement_id=placement_id,
            kind=kind,
            vehicle=self.vehicle,
            escort_name=self.escort_name,
            escort_phone=self.escort_phone,
            departed_at=self.departed_at,
            recorded_by=acting_user(actor),
        )


def _trip_summary(trip: Trip, count: int) -> str:
    return _("%(count)d people, vehicle %(vehicle)s, escort %(escort)s, left %(at)s") % {
        "count": count,
        "vehicle": trip.vehicle,
        "escort": trip.escort_name,
        "at": f"{trip.departed_at.astimezone(clock.tz()):%Y-%m-%d %H:%M}",
    }


@transaction.atomic
def transfers_depart(*, actor: AnyUser, site: Unit, person_ids: Sequence[int], trip: Trip) -> int:
    """Record the trip bringing people placed at the site (待转运) to it: the vehicle, the
    escort, the departure. Refused whole when one of them is not waiting for it."""
    _require_site(actor, site)
    trip = trip.checked()
    chosen = set(person_ids)
    if not chosen:
        raise ValidationError({"people": _("Tick the people in the vehicle.")})
    if len(chosen) > MAX_PLACED:
        raise ValidationError(
            {"people": _("At most %(max)d people at a time.") % {"max": MAX_PLACED}}
        )
    placements = list(
        placements_waiting_transfer(site)
        .select_for_update(of=("self",))
        .filter(person_id__in=chosen)
        .values_list("pk", flat=True)
    )
    if len(placements) != len(chosen):
        raise ValidationError(
            {"people": _("Some of the people chosen are not waiting for a transfer to this site.")}
        )
    Transfer.objects.bulk_create(
        trip.transfer(placement_id, TransferKind.TO_SITE, actor) for placement_id in placements
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="transfer",
        object_id=site.pk,
        unit_id=site.pk,
        summary=_("transfer to %(site)s: %(trip)s")
        % {"site": site.name, "trip": _trip_summary(trip, len(placements))},
    )
    return len(placements)


@dataclass(frozen=True)
class Arrival:
    arrived: int
    late: int  # past the transfer deadline (G-08: 12 h)


@transaction.atomic
def transfers_arrive(*, actor: AnyUser, site: Unit, transfer_ids: Sequence[int]) -> Arrival:
    """The vehicle arrived at the site: its trips end now, and the arrival meets each person's
    transfer deadline (G-08, 12 小时内完成转运) — late when it is past. The one path that meets
    it: placing names the site, the arrival proves the transfer."""
    _require_site(actor, site)
    on_the_road = Transfer.objects.select_for_update(of=("self",)).filter(
        pk__in=set(transfer_ids),
        kind=TransferKind.TO_SITE,
        arrived_at__isnull=True,
        placement__room__site=site,
        placement__released_at__isnull=True,
    )
    rows = list(on_the_road.values_list("pk", "placement__person_id"))
    if not rows or len(rows) != len(set(transfer_ids)):
        raise ValidationError(
            {"transfer": _("Some of these trips are not on the road to this site.")}
        )
    now = clock.now()
    Transfer.objects.filter(pk__in=[pk for pk, _person in rows]).update(arrived_at=now)
    person_ids = [person_id for _pk, person_id in rows]
    owed = Obligation.objects.filter(
        person_id__in=person_ids, kind=ObligationKind.TRANSFER
    ).exclude(detail__has_key="case")
    late = owed.pending().filter(due_at__lt=now).count()
    obligations_meet(
        owed,
        actor=actor,
        unit_id=site.pk,
        summary=_("transfer to %(site)s") % {"site": site.name} + (_(" (late)") if late else ""),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="transfer",
        object_id=site.pk,
        unit_id=site.pk,
        summary=_("%(count)d people arrived at %(site)s, %(late)d past the transfer deadline")
        % {"count": len(rows), "site": site.name, "late": late},
    )
    return Arrival(len(rows), late)


def _placement_at(site: Unit, person: Person) -> Placement:
    placement = (
        Placement.objects.select_for_update()
        .filter(person=person, room__site=site, released_at__isnull=True)
        .first()
    )
    if placement is None:
        raise ValidationError({"person": _("This person is not placed at this site.")})
    return placement


@transaction.atomic
def person_release_home(
    *, actor: AnyUser, site: Unit, person: Person, on: dt.date, note: str, trip: Trip
) -> int:
    """Release a person placed at the site through the release service (refused with what is
    missing: a sample, the consent, the measure not over …) and record the point-to-point
    transfer home; the release starts the post-release phases the plan gives (居家健康监测)."""
    _require_site(actor, site)
    trip = trip.checked()
    placement = _placement_at(site, person)
    released = measures_release(actor=actor, person=person, on=on, note=note)
    trip.transfer(placement.pk, TransferKind.HOME, actor).save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="transfer",
        object_id=person.pk,
        unit_id=site.pk,
        summary=_("transfer home from %(site)s: %(trip)s")
        % {"site": site.name, "trip": _trip_summary(trip, 1)},
    )
    return released


@transaction.atomic
def person_to_hospital(
    *, actor: AnyUser, site: Unit, person: Person, reason: str, trip: Trip
) -> None:
    """A fever or a positive at the site: the person goes to hospital in a closed-loop trip,
    leaves the room (to be disinfected once empty) and a case opens through the response chain
    (tracing.case_report: its plan deadlines run). The central quarantine is suspended, not
    ended: it no longer names the site (the site's board and beds ahead stop counting the bed,
    a cross-infection there no longer reaches the person), and while the case is in course the
    person waits for no room; a case ruled out brings them back to the placement list."""
    _require_site(actor, site)
    if reason not in HospitalReason.values:
        raise ValidationError({"reason": _("Choose fever or a positive result.")})
    trip = trip.checked()
    placement = _placement_at(site, person)
    label = HospitalReason(reason).label
    case_report(
        actor=actor,
        person=person,
        kind=CaseKind.SUSPECTED,
        note=_("transferred to hospital from %(site)s: %(reason)s")
        % {"site": site.name, "reason": label},
    )
    trip.transfer(placement.pk, TransferKind.TO_HOSPITAL, actor).save()
    Placement.objects.filter(pk=placement.pk).update(released_at=clock.now())
    _rooms_left([placement.room_id])
    measures_site_leave(person_ids=[person.pk], site=site)
    sent_to_hospital.send(sender=Transfer, person_id=person.pk)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="transfer",
        object_id=person.pk,
        unit_id=site.pk,
        summary=_("transfer to hospital from %(site)s (%(reason)s): %(trip)s")
        % {"site": site.name, "reason": label, "trip": _trip_summary(trip, 1)},
    )


@transaction.atomic
def site_cross_infection_mark(*, actor: AnyUser, site: Unit, on: dt.date, floor: int | None) -> int:
    """D-04, H-11: a suspected cross-infection on a floor (or the whole site) from a day: the
    quarantine count of everyone placed there restarts from that day (policy's
    site_cross_infection, in sets, with its audit row)."""
    _require_site(actor, site)
    if on > clock.localdate():
        raise ValidationError({"on": _("The day %(day)s is in the future.") % {"day": on}})
    implausible = date_problem(on)
    if implausible:
        raise ValidationError({"on": implausible})
    placed = Placement.objects.filter(room__site=site, released_at__isnull=True)
    if floor is not None:
        placed = placed.filter(room__floor=floor)
    person_ids = list(placed.values_list("person_id", flat=True))
    if not person_ids:
        raise ValidationError(
            {"floor": _("Nobody is placed on floor %(floor)s.") % {"floor": floor}}
            if floor is not None
            else {"floor": _("Nobody is placed at this site.")}
        )
    return site_cross_infection(actor=actor, site=site, on=on, person_ids=person_ids)


@dataclass(frozen=True)
class CareNoteInput:
    """A meal or a need of a person placed at the site, as typed on the floor screen."""

    person_id: int
    kind: str
    text: str


@transaction.atomic
def care_notes_record(*, actor: AnyUser, site: Unit, notes: Sequence[CareNoteInput]) -> int:
    """Note meals served and needs voiced by people placed at the site (日常照护), in one set
    with one audit row; refused whole, naming the field, when one of them is wrong."""
    _require_site(actor, site)
    if not notes:
        raise ValidationError({"notes": _("Write a meal or a need.")})
    if len(notes) > MAX_PLACED:
        raise ValidationError(
            {"notes": _("At most %(max)d notes at a time.") % {"max": MAX_PLACED}}
        )
    for note in notes:
        text = note.text.strip()
        if note.kind not in CareNoteKind.values:
            raise ValidationError({"kind": _("A note is of a meal or a need.")})
        if not text:
            raise ValidationError({"text": _("The note is empty.")})
        if len(text) > MAX_NOTE:
            raise ValidationError(
                {"text": _("A note has at most %(max)d characters.") % {"max": MAX_NOTE}}
            )
        if NUL in text:
            raise ValidationError({"text": _("NUL characters are not allowed.")})
    placements = dict(
        Placement.objects.filter(
            room__site=site,
            released_at__isnull=True,
            person_id__in={note.person_id for note in notes},
        ).values_list("person_id", "pk")
    )
    if any(note.person_id not in placements for note in notes):
        raise ValidationError({"person": _("This person is not placed at this site.")})
    now = clock.now()
    recorder = acting_user(actor)
    CareNote.objects.bulk_create(
        CareNote(
            placement_id=placements[note.person_id],
            kind=note.kind,
            text=note.text.strip(),
            at=now,
            recorded_by=recorder,
        )
        for note in notes
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="care_note",
        object_id=site.pk,
        unit_id=site.pk,
        summary=_("%(count)d care notes at %(site)s") % {"count": len(notes), "site": site.name},
    )
    return len(notes)
