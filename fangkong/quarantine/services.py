"""Writes of quarantine sites: rooms made in bulk, a room's state, placing people in rooms, and
freeing the rooms of the people released."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.org.access import AnyUser, acting_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus
from fangkong.policy.services import measures_site_place
from fangkong.quarantine.models import MAX_CAPACITY, Placement, Room, RoomState
from fangkong.quarantine.selectors import people_unplaced

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
    Room.objects.filter(pk__in=room_ids, state=RoomState.OCCUPIED).exclude(
        Exists(Placement.objects.filter(room=OuterRef("pk"), released_at__isnull=True))
    ).update(state=RoomState.TO_DISINFECT)
    return closed
