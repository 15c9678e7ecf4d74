"""Venue capacity and reservations (限量、预约、错峰: I-05, I-07, I-15, I-16, I-18; O-04): the
plan's limit of a venue (a share of its rated seats, entry by reservation), the venue's time slots,
a staff member booking a person into a slot or cancelling, and the live count of a venue today
(places, reservations, entries by venue code); a member of the public books a place themselves
through the venue's link or QR code and cancels it with the booking code.

A slot is never overbooked: a booking takes its place with one conditional UPDATE (booked <
capacity) and checks the row count, so concurrent bookings queue on the slot's row and the last
place goes to exactly one of them; ``slot_never_overbooked`` holds the same in the database.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Expression
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.core.links import link_over_rate, link_target, link_token
from fangkong.movement.models import Reservation, VenueSlot
from fangkong.org.access import AnyUser, Scope, acting_user, may_act_on, scope, user_can
from fangkong.org.roles import Capability
from fangkong.people.identity import InvalidIdentity, normalize_phone
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_find_or_register
from fangkong.policy.resolver import PackResolver
from fangkong.tracing.models import Scan, Venue

# A slot takes at most this many: a hall's morning, not a typing slip.
SLOT_CAPACITY_MAX = 5_000
LINK_SALT = "fangkong.movement.venue-booking-link"
# The venue's link shows the free slots of this many days, today included.
BOOKING_DAYS = 7
# A booking code is read out at the door or over the phone: no 0/O, no 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# A venue's link takes this many bookings and cancellations an hour, on its page and its API
# together: a hall's busy morning, not a script emptying its slots.
BOOKING_RATE = 200


@dataclass(frozen=True)
class VenueLimit:
    """What the plan in force allows a venue on a day: ``places`` at once (its share of the
    rated seats), ``needs_seats`` when the plan sets a share but the venue has no seat count,
    whether entry is by reservation (and by real name: 实名预约), and the clauses that say so."""

    places: int | None
    needs_seats: bool
    reservation: bool
    clauses: str
    real_name: bool = False


def venue_limits(venues: list[Venue], on: dt.date) -> dict[int, VenueLimit]:
    """The limit of each venue on ``day`` (the plans in force read once)."""
    resolver = PackResolver(on)
    answers = {}
    for venue in venues:
        pack = resolver.pack(venue.unit.path)
        limits = [r for r in pack.venue_limits if venue.kind in r.venue_kinds] if pack else []
        shares = [rule.share_percent for rule in limits if rule.share_percent is not None]
        answers[venue.pk] = VenueLimit(
            places=venue.seats * min(shares) // 100 if shares and venue.seats else None,
            needs_seats=bool(shares) and not venue.seats,
            reservation=any(rule.reservation for rule in limits),
            clauses="；".join(rule.clause for rule in limits),
            real_name=any(rule.real_name for rule in limits),
        )
    return answers


def venue_limit(venue: Venue, on: dt.date) -> VenueLimit:
    return venue_limits([venue], on)[venue.pk]


def venues_kept(user: AnyUser) -> QuerySet[Venue]:
    """The venues whose slots and reservations the user keeps (those of the venue list)."""
    return (
        Venue.objects.filter(scope(user, Capability.INVESTIGATE).units("unit__path"))
        .select_related("unit")
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class LiveCount:
    """A venue today: the places of its slots, the reservations held, the entries scanned."""

    places: int
    booked: int
    entries: int


def venues_live(venue_ids: list[int], day: dt.date) -> dict[int, LiveCount]:
    """The live count of each venue on ``day``, in two grouped statements."""
    slots: dict[int, tuple[int, int]] = {
        venue_id: (places or 0, booked or 0)
        for venue_id, places, booked in VenueSlot.objects.filter(venue_id__in=venue_ids, day=day)
        .values_list("venue_id")
        .annotate(Sum("capacity"), Sum("booked"))
        .order_by()
    }
    since = clock.local_midnight(day)
    entries = dict(
        Scan.objects.filter(
            venue_id__in=venue_ids,
            scanned_at__gte=since,
            scanned_at__lt=since + dt.timedelta(days=1),
        )
        .values_list("venue_id")
        .annotate(Count("id"))
        .order_by()
    )
    return {
        venue_id: LiveCount(*slots.get(venue_id, (0, 0)), entries.get(venue_id, 0))
        for venue_id in venue_ids
    }


def slots_visible(user: AnyUser) -> QuerySet[VenueSlot]:
    return (
        VenueSlot.objects.filter(scope(user, Capability.INVESTIGATE).units("venue__unit__path"))
        .select_related("venue")
        .order_by("day", "starts_at", "id")
    )


def reservations_visible(user: AnyUser) -> QuerySet[Reservation]:
    """Reservations at the venues the user keeps, each with ``booker_seen``: whether the user
    may see the booker's name and phone in full (``Reservation.booker_name``)."""
    return (
        Reservation.objects.filter(
            scope(user, Capability.INVESTIGATE).units("slot__venue__unit__path")
        )
        .annotate(booker_seen=_booker_seen(scope(user, Capability.VIEW_PEOPLE)))
        .select_related("slot__venue", "person")
        .order_by("slot__day", "slot__starts_at", "booked_at", "id")
    )


def _booker_seen(seen: Scope) -> Expression:
    """A person of the register is seen by whoever may open them in the register; someone who
    booked through the link by whoever sees the people of the venue's unit."""
    if seen.everywhere:
        return Value(True)
    if seen.nowhere:
        return Value(False)
    reached = Q(person__isnull=False) & seen.people("person__")
    reached |= Q(person__isnull=True) & seen.units("slot__venue__unit__path")
    return Case(When(reached, then=Value(True)), default=Value(False), output_field=BooleanField())


def venue_link_token(venue: Venue) -> str:
    """The signed token of a venue's booking link (a QR code at its door, on a poster)."""
    return link_token(LINK_SALT, venue.pk)


def venue_link_venue(token: str) -> Venue | None:
    """The venue a booking link books, or None for a forged or unknown one."""
    venue_id = link_target(token, LINK_SALT)
    if venue_id is None:
        return None
    return Venue.objects.filter(pk=venue_id).select_related("unit").first()


def venue_link_over_rate(venue: Venue) -> bool:
    """Count one booking or cancellation through the venue's link; whether it is one too many."""
    return link_over_rate(f"venue-booking:{venue.pk}", BOOKING_RATE)


def slots_open(venue: Venue) -> QuerySet[VenueSlot]:
    """The venue's slots of the next ``BOOKING_DAYS`` days with a place free, not over yet."""
    today = clock.localdate()
    now = clock.now().astimezone(clock.tz())
    return (
        VenueSlot.objects.filter(
            venue=venue,
            day__gte=today,
            day__lt=today + dt.timedelta(days=BOOKING_DAYS),
            booked__lt=F("capacity"),
        )
        .exclude(day=today, ends_at__lte=now.time())
        .order_by("day", "starts_at", "id")
    )


@transaction.atomic
def venue_slot_create(
    *,
    actor: AnyUser,
    venue: Venue,
    day: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    capacity: int,
) -> VenueSlot:
    """A time slot of the venue, within the plan's limit; every bad field is named."""
    if not user_can(actor, Capability.INVESTIGATE, venue.unit):
        raise PermissionDenied(_("You may not keep this venue's reservations."))
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The slot must end after it starts.")
    if day < clock.localdate():
        errors["day"] = _("A slot cannot be in the past.")
    elif problem := date_problem(day):
        errors["day"] = problem
    if not 1 <= capacity <= SLOT_CAPACITY_MAX:
        errors["capacity"] = _("A slot takes between 1 and %(max)d people.") % {
            "max": SLOT_CAPACITY_MAX
        }
    elif "day" not in errors:
        limit = venue_limit(venue, day)
        if limit.needs_seats:
            errors["capacity"] = _(
                "The plan limits this venue to a share of its rated seats: give the venue's "
                "rated seats first (%(clause)s)."
            ) % {"clause": limit.clauses}
        elif limit.places is not None and capacity > limit.places:
            errors["capacity"] = _(
                "More than the plan allows: at most %(places)d people (%(clause)s)."
            ) % {"places": limit.places, "clause": limit.clauses}
    if not errors and VenueSlot.objects.filter(venue=venue, day=day, starts_at=starts_at).exists():
        errors["starts_at"] = _("The venue has a slot at this time already.")
    if errors:
        raise ValidationError(errors)
    slot = VenueSlot.objects.create(
        venue=venue,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        created_at=clock.now(),
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="venue_slot",
        object_id=slot.pk,
        unit_id=venue.unit_id,
        summary=f"{venue.name} {slot} {capacity}",
    )
    return slot


def _slot_over(slot: VenueSlot) -> bool:
    return dt.datetime.combine(slot.day, slot.ends_at, clock.tz()) <= clock.now()


def _place_take(slot: VenueSlot) -> None:
    """Take a place of the slot by one conditional UPDATE (ADR 21), never by a count read
    before: refused when the slot is over or full. The caller's transaction holds it."""
    if _slot_over(slot):
        raise ValidationError({"slot": _("This slot is over.")})
    taken = VenueSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise ValidationError({"slot": _("This slot is fully booked.")})


@transaction.atomic
def reservation_book(*, actor: AnyUser, slot: VenueSlot, person: Person) -> Reservation:
    """Book the person into the slot: refused when the slot is full or over, or the person holds
    a place in it already; the place is taken by a conditional UPDATE, never by a count read
    before."""
    venue = slot.venue
    if not user_can(actor, Capability.INVESTIGATE, venue.unit):
        raise PermissionDenied(_("You may not keep this venue's reservations."))
    if not may_act_on(actor, Capability.VIEW_PEOPLE, person):
        raise PermissionDenied(_("You may not change this person."))
    _place_take(slot)
    try:
        with transaction.atomic():
            reservation = Reservation.objects.create(
                slot=slot, person=person, booked_at=clock.now(), booked_by=acting_user(actor)
            )
    except IntegrityError:
        # The outer transaction rolls the place back with this refusal.
        raise ValidationError(
            {"person": _("This person has a place in this slot already.")}
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="reservation",
        object_id=reservation.pk,
        unit_id=venue.unit_id,
        summary=f"{venue.name} {slot}",
        changes={"person": [None, person.pk]},
    )
    return reservation


@dataclass(frozen=True)
class SelfBooking:
    """What a member of the public types on the venue's booking page."""

    slot_id: int | None
    name: str
    phone: str
    id_number: str = ""  # asked when the plan books the venue by real name


@transaction.atomic
def reservation_self_book(*, venue: Venue, data: SelfBooking) -> Reservation:
    """A member of the public books a place through the venue's link (O-04, I-16): no account,
    a name and a phone, every bad field named; the place is taken as a staff booking takes it,
    and the booking's code (what cancels it) is the answer. Where the plan books the venue by
    real name, the ID number finds the booker in the register or registers them in the venue's
    unit, and the reservation is theirs."""
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not 1 <= len(name) <= 50:
        errors["name"] = _("Give your name, in at most 50 characters.")
    phone = ""
    try:
        phone = normalize_phone(data.phone)
    except InvalidIdentity as error:
        errors["phone"] = str(error)
    slot = VenueSlot.objects.filter(pk=data.slot_id or 0, venue=venue).first()
    if slot is None:
        errors["slot"] = _("No such slot at this venue.")
    real_name = venue_limit(venue, clock.localdate()).real_name
    if real_name and not data.id_number.strip():
        errors["id_number"] = _("This venue is booked by real name: give your ID number.")
    if errors or slot is None:
        raise ValidationError(errors)
    person = None
    if real_name:
        person = person_find_or_register(
            actor=None,
            data=PersonInput(name=name, id_type="resident", id_number=data.id_number,
                             unit=venue.unit, phone=phone),
        )  # fmt: skip
    _place_take(slot)
    try:
        with transaction.atomic():
            reservation = Reservation.objects.create(
                slot=slot,
                person=person,
                name="" if person else name,
                phone="" if person else phone,
                code="".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH)),
                booked_at=clock.now(),
            )
    except IntegrityError:
        # The outer transaction rolls the place back with this refusal.
        raise ValidationError(
            {"id_number": _("This person has a place in this slot already.")}
            if person
            else {"phone": _("This phone number has a place in this slot already.")}
        ) from None
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="reservation",
        object_id=reservation.pk,
        unit_id=venue.unit_id,
        summary=_("booked through the link: %(venue)s %(slot)s")
        % {"venue": venue.name, "slot": str(slot)},
        changes={"person": [None, person.pk]} if person else None,
    )
    return reservation


@transaction.atomic
def reservation_cancel(*, actor: AnyUser, reservation_id: int) -> Reservation:
    """Cancel a reservation: its place is free again; the reservation stays, cancelled."""
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("slot__venue__unit")
        .get(pk=reservation_id)
    )
    if not user_can(actor, Capability.INVESTIGATE, reservation.slot.venue.unit):
        raise PermissionDenied(_("You may not keep this venue's reservations."))
    return _cancel(actor, reservation)


@transaction.atomic
def reservation_self_cancel(*, venue: Venue, code: str) -> Reservation:
    """Cancel a booking made through the venue's link by its code, while its slot is not over."""
    code = code.strip().upper()
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("slot__venue")
        .filter(slot__venue=venue, code=code)
        .exclude(code="")
        .first()
    )
    if reservation is None:
        raise ValidationError({"code": _("No booking with this code at this venue.")})
    if _slot_over(reservation.slot):
        raise ValidationError({"code": _("This slot is over.")})
    return _cancel(None, reservation)


def _cancel(actor: AnyUser | None, reservation: Reservation) -> Reservation:
    if reservation.cancelled_at is not None:
        raise ValidationError({"reservation": _("This reservation is cancelled already.")})
    reservation.cancelled_at = clock.now()
    reservation.save(update_fields=["cancelled_at"])
    VenueSlot.objects.filter(pk=reservation.slot_id).update(booked=F("booked") - 1)
    venue = reservation.slot.venue
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="reservation",
        object_id=reservation.pk,
        unit_id=venue.unit_id,
        summary=_("cancelled: %(venue)s %(slot)s")
        % {"venue": venue.name, "slot": str(reservation.slot)},
    )
    return reservation
