"""Pages of gathering applications and of leave and travel requests: the list of the user's units
with the form that files one, and the approver's queue with its decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.inputs import date_problem, query_choice, query_int, whole_number
from fangkong.core.links import link_over_rate
from fangkong.core.views import refusal_messages
from fangkong.movement.forms import GatheringForm, SlotForm
from fangkong.movement.guests import GuestInput, gathering_guest_add, guests_checked
from fangkong.movement.models import ApplicationStatus, RequestStatus
from fangkong.movement.reservations import (
    SelfBooking,
    reservation_book,
    reservation_cancel,
    reservation_self_book,
    reservation_self_cancel,
    reservations_visible,
    slots_open,
    slots_visible,
    venue_limit,
    venue_limits,
    venue_link_over_rate,
    venue_link_token,
    venue_link_venue,
    venue_slot_create,
    venues_kept,
    venues_live,
)
from fangkong.movement.selectors import (
    gatherings_planned,
    gatherings_to_decide,
    gatherings_visible,
    returnee_reports_visible,
    steps_to_decide,
    travel_requests_visible,
)
from fangkong.movement.services import (
    ReturneeInput,
    TravelRequestInput,
    gathering_apply,
    gathering_decide,
    returnee_link_token,
    returnee_link_unit,
    returnee_report_record,
    travel_request_file,
    travel_request_return,
    travel_step_decide,
)
from fangkong.org.access import request_user, units_in, user_can
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_pick

PAGE_SIZE = 50
# A unit's self-registration links take this many reports an hour (a village's returnees on a
# holiday eve, not a script), counted in the cache every worker shares.
LINK_RATE = 60
# The fields of the venue's booking page, each bounded.
BOOKING_FIELDS = {"slot": 20, "name": 50, "phone": 20, "id_number": 18, "code": 12}
# The fields of a returnee report, each bounded; the ID number is never shown back.
REPORT_FIELDS = {
    "name": 50,
    "id_number": 18,
    "phone": 20,
    "from_region": 12,
    "from_country": 3,
    "arrival_on": 10,
    "destination": 100,
}


@login_required
def gathering_list_view(request: HttpRequest) -> HttpResponse:
    """Applications of the user's units (``?status=`` narrows them); POST files one, judged at
    once: a forbidden one is refused with the plan's clause and the form keeps what was typed."""
    may_apply = user_can(request.user, Capability.EDIT_PEOPLE)
    may_decide = user_can(request.user, Capability.APPROVE_GATHERINGS)
    if not (user_can(request.user, Capability.VIEW_PEOPLE) or may_decide):
        raise PermissionDenied
    units = units_in(request.user, Capability.EDIT_PEOPLE)
    form = GatheringForm(request.POST or None, units=units)
    code = 200
    if request.method == "POST":
        if not may_apply:
            raise PermissionDenied
        if form.is_valid():
            try:
                application = gathering_apply(actor=request_user(request), data=form.application())
            except ValidationError as error:
                for problems in error.message_dict.values():
                    for problem in problems:
                        form.add_error(None, problem)
            else:
                messages.success(
                    request,
                    _("%(verdict)s: %(status)s")
                    % {
                        "verdict": application.get_verdict_display(),
                        "status": application.get_status_display(),
                    },
                )
                return redirect("gathering-list")
        code = 400
    shown = query_choice(request.GET, "status", [*ApplicationStatus.values, "planned"], "")
    if shown == "planned":
        applications = gatherings_planned(request.user)
    else:
        applications = gatherings_visible(request.user)
        if shown:
            applications = applications.filter(status=shown)
    page = Paginator(applications, PAGE_SIZE).get_page(query_int(request.GET, "page", high=100_000))
    return render(
        request,
        "movement/gatherings.html",
        {
            "page": page,
            "form": form,
            "may_apply": may_apply,
            "queue": list(gatherings_to_decide(request.user)[:PAGE_SIZE]) if may_decide else [],
            "statuses": ApplicationStatus.choices,
            "shown": shown,
        },
        status=code,
    )


@login_required
def gathering_decide_view(request: HttpRequest, application_id: int) -> HttpResponse:
    """POST: approve or refuse (with its reason) an application of the user's queue."""
    if request.method != "POST":
        return redirect("gathering-list")
    application = get_object_or_404(gatherings_to_decide(request.user), pk=application_id)
    approve = query_choice(request.POST, "decision", ["approve", "refuse"], "") == "approve"
    try:
        gathering_decide(
            actor=request_user(request),
            application_id=application.pk,
            approve=approve,
            reason=request.POST.get("reason", "")[:300],
        )
        messages.success(request, _("Saved."))
    except ValidationError as error:
        refusal_messages(request, error)
    return redirect("gathering-list")


@login_required
def gathering_detail_view(request: HttpRequest, application_id: int) -> HttpResponse:
    """An application with its guest list, each guest checked for the day (under a measure,
    without the plan's proof); POST puts a guest on it: a person of the register by number or
    name, or by name and ID number."""
    application = get_object_or_404(gatherings_visible(request.user), pk=application_id)
    may_add = user_can(request.user, Capability.EDIT_PEOPLE, application.unit)
    errors: list[str] = []
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        picked = request.POST.get("person", "").strip()
        person = person_pick(request.user, picked) if picked else None
        if picked and person is None:
            errors.append(_("Nobody in your units has this name: choose from the list."))
        else:
            try:
                gathering_guest_add(
                    actor=request_user(request),
                    application=application,
                    data=GuestInput(
                        person=person,
                        name=request.POST.get("name", "")[:50],
                        id_number=request.POST.get("id_number", "")[:18],
                    ),
                )
            except ValidationError as error:
                errors += _problems(error)
            else:
                messages.success(request, _("Saved."))
                return redirect("gathering-detail", application_id=application.pk)
    checked = guests_checked(application)
    return render(
        request,
        "movement/gathering.html",
        {
            "application": application,
            "guests": checked,
            "flagged": sum(1 for guest in checked if guest.reasons),
            "may_add": may_add,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


@login_required
def travel_list_view(request: HttpRequest) -> HttpResponse:
    """Requests of the user's units (``?status=`` narrows them) and the steps waiting for the
    user; POST files one, judged at once: a forbidden trip or one asked too late is refused with
    the plan's clause and the form keeps what was typed (400)."""
    may_file = user_can(request.user, Capability.EDIT_PEOPLE)
    may_decide = user_can(request.user, Capability.APPROVE_REQUESTS)
    if not (user_can(request.user, Capability.VIEW_PEOPLE) or may_decide):
        raise PermissionDenied
    typed = {key: request.POST.get(key, "")[:300] for key in request.POST} if request.POST else {}
    errors: list[str] = []
    if request.method == "POST":
        if not may_file:
            raise PermissionDenied
        person = person_pick(
            request.user,
            request.POST.get("person") or request.POST.get("person_text", ""),
            Capability.EDIT_PEOPLE,
        )
        leave_on = _day(request.POST.get("leave_on", ""))
        return_on = _day(request.POST.get("return_on", ""))
        if person is None:
            errors.append(_("Nobody in your units has this name: choose from the list."))
        if leave_on is None or return_on is None:
            errors.append(_("Give the days of leaving and of coming back."))
        if person is not None and leave_on is not None and return_on is not None:
            try:
                filed = travel_request_file(
                    actor=request_user(request),
                    data=TravelRequestInput(
                        person=person,
                        leave_on=leave_on,
                        return_on=return_on,
                        reason=request.POST.get("reason", ""),
                        to_region_code=request.POST.get("to_region", "")[:12],
                        to_country=request.POST.get("to_country", "")[:3],
                    ),
                )
            except ValidationError as error:
                errors += [p for problems in error.message_dict.values() for p in problems]
            else:
                messages.success(request, filed.get_status_display())
                return redirect("travel-list")
    shown = query_choice(request.GET, "status", RequestStatus.values, "")
    requests = travel_requests_visible(request.user)
    if shown:
        requests = requests.filter(status=shown)
    page = Paginator(requests, PAGE_SIZE).get_page(query_int(request.GET, "page", high=100_000))
    return render(
        request,
        "movement/travel.html",
        {
            "page": page,
            "may_file": may_file,
            "typed": typed,
            "errors": errors,
            "queue": list(steps_to_decide(request.user)[:PAGE_SIZE]) if may_decide else [],
            "statuses": RequestStatus.choices,
            "shown": shown,
            "today": clock.localdate(),
        },
        status=400 if errors else 200,
    )


@login_required
def travel_decide_view(request: HttpRequest, step_id: int) -> HttpResponse:
    """POST: approve or refuse (with its reason) a step of the user's queue."""
    if request.method != "POST":
        return redirect("travel-list")
    step = get_object_or_404(steps_to_decide(request.user), pk=step_id)
    try:
        travel_step_decide(
            actor=request_user(request),
            step_id=step.pk,
            approve=query_choice(request.POST, "decision", ["approve", "refuse"], "") == "approve",
            reason=request.POST.get("reason", "")[:300],
        )
        messages.success(request, _("Saved."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("travel-list")


@login_required
def travel_return_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """POST: the traveller is back on a day; the stay joins their travel history (an arrival)."""
    if request.method != "POST":
        return redirect("travel-list")
    trip = get_object_or_404(
        travel_requests_visible(request.user).filter(
            status__in=[RequestStatus.APPROVED, RequestStatus.NOTED]
        ),
        pk=request_id,
    )
    returned_on = _day(request.POST.get("returned_on", ""))
    if returned_on is None:
        messages.error(request, _("Give the day of coming back."))
        return redirect("travel-list")
    try:
        travel_request_return(
            actor=request_user(request), request_id=trip.pk, returned_on=returned_on
        )
        messages.success(request, _("Saved."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("travel-list")


def _report_input(post: Any) -> tuple[ReturneeInput | None, dict[str, str]]:
    """The report typed into the form, each field cut to its bound, and what was typed (without
    the ID number) to show back; None when the arrival day is not a date."""
    typed = {key: str(post.get(key, ""))[:bound].strip() for key, bound in REPORT_FIELDS.items()}
    arrival_on = _day(typed["arrival_on"])
    shown = {key: value for key, value in typed.items() if key != "id_number"}
    if arrival_on is None:
        return None, shown
    return (
        ReturneeInput(
            name=typed["name"],
            id_number=typed["id_number"],
            phone=typed["phone"],
            arrival_on=arrival_on,
            destination=typed["destination"],
            from_region_code=typed["from_region"],
            from_country=typed["from_country"],
        ),
        shown,
    )


def _report(actor: Any, unit: Any, post: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Record the report posted; the errors by field (none when recorded) and what was typed."""
    data, typed = _report_input(post)
    if data is None:
        return {"arrival_on": _("Give the day of arrival.")}, typed
    try:
        returnee_report_record(actor=actor, unit=unit, data=data)
    except ValidationError as error:
        return {key: " ".join(value) for key, value in error.message_dict.items()}, typed
    return {}, {}


def returnee_self_view(request: HttpRequest, token: str) -> HttpResponse:
    """The returnee's own report behind a unit's link or QR code (G-19): no account; the report
    lands in that unit's register. The ID number travels in the form's body, never in the URL."""
    unit = returnee_link_unit(token)
    if unit is None:
        raise Http404
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    done = False
    if request.method == "POST":
        if link_over_rate(f"returnee-link:{unit.pk}", LINK_RATE):
            return HttpResponse(_("Too many reports from this link; try again later."), status=429)
        errors, typed = _report(None, unit, request.POST)
        done = not errors
    return render(
        request,
        "movement/returnee_self.html",
        {"unit": unit, "errors": errors, "typed": typed, "done": done},
        status=400 if errors else 200,
    )


@login_required
def returnee_list_view(request: HttpRequest) -> HttpResponse:
    """Reports received by the user's units; the link and QR code of a unit the user keeps the
    register of (``?unit=``); POST: a report entered by the unit (a hotel's guest, P04)."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    units = units_in(request.user, Capability.EDIT_PEOPLE).order_by("path")
    unit = units.filter(pk=query_int(request.GET, "unit")).first() or units.first()
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        unit = get_object_or_404(units, pk=query_int(request.POST, "unit"))
        errors, typed = _report(request_user(request), unit, request.POST)
        if not errors:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('returnee-list')}?unit={unit.pk}")
    link = qr = ""
    if unit is not None:
        link = request.build_absolute_uri(
            reverse("returnee-self", args=[returnee_link_token(unit)])
        )
        qr = segno.make(link, error="m").svg_inline(scale=3)
    page = Paginator(returnee_reports_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    return render(
        request,
        "movement/returnees.html",
        {
            "page": page,
            "units": units[:PAGE_SIZE],
            "unit": unit,
            "link": link,
            "qr": qr,
            "errors": errors,
            "typed": typed,
        },
        status=400 if errors else 200,
    )


def _problems(error: ValidationError) -> list[str]:
    return [problem for problems in error.message_dict.values() for problem in problems]


@login_required
def reservation_venues_view(request: HttpRequest) -> HttpResponse:
    """The venues the user keeps, each with the plan's limit and today's live count: places in
    slots, reservations held, entries by venue code."""
    if not user_can(request.user, Capability.INVESTIGATE):
        raise PermissionDenied
    today = clock.localdate()
    page = Paginator(venues_kept(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    venues = list(page)
    live = venues_live([venue.pk for venue in venues], today)
    limits = venue_limits(venues, today)
    rows = [(venue, limits[venue.pk], live[venue.pk]) for venue in venues]
    return render(request, "movement/reservations.html", {"page": page, "rows": rows})


@login_required
def venue_slots_view(request: HttpRequest, venue_id: int) -> HttpResponse:
    """A venue's time slots of a day (``?day=``) with their reservations; POST ``slot`` adds a
    slot, ``book`` books a person (by number or name) into one; refusals give the reason (400)."""
    venue = get_object_or_404(venues_kept(request.user), pk=venue_id)
    day = _day(request.GET.get("day", ""))
    if day is None or date_problem(day):  # a day outside the plausible years shows today
        day = clock.localdate()
    form = SlotForm(initial={"day": day})
    errors: list[str] = []
    if request.method == "POST":
        action = query_choice(request.POST, "action", ["slot", "book"], "")
        if action == "slot":
            form = SlotForm(request.POST)
            if form.is_valid():
                try:
                    slot = venue_slot_create(
                        actor=request_user(request), venue=venue, **form.cleaned_data
                    )
                except ValidationError as error:
                    errors += _problems(error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect(f"{request.path}?day={slot.day:%Y-%m-%d}")
        elif action == "book":
            slot_id = query_int(request.POST, "slot", high=2**63 - 1) or 0
            chosen = slots_visible(request.user).filter(pk=slot_id, venue=venue).first()
            person = person_pick(request.user, request.POST.get("person", ""))
            if chosen is None:
                errors.append(_("No such slot at this venue."))
            if person is None:
                errors.append(_("Nobody in your units has this name: choose from the list."))
            if chosen is not None and person is not None:
                try:
                    reservation_book(actor=request_user(request), slot=chosen, person=person)
                except ValidationError as error:
                    errors += _problems(error)
                else:
                    messages.success(request, _("Booked."))
                    return redirect(f"{request.path}?day={chosen.day:%Y-%m-%d}")
        else:
            errors.append(_("Unknown action."))
    link = request.build_absolute_uri(reverse("venue-booking", args=[venue_link_token(venue)]))
    slots = list(slots_visible(request.user).filter(venue=venue, day=day))
    held = reservations_visible(request.user).filter(slot__in=slots, cancelled_at__isnull=True)
    return render(
        request,
        "movement/venue_slots.html",
        {
            "venue": venue,
            "day": day,
            "limit": venue_limit(venue, day),
            "live": venues_live([venue.pk], day)[venue.pk],
            "slots": slots,
            "reservations": list(held),
            "form": form,
            "errors": errors,
            "link": link,
            "qr": segno.make(link, error="m").svg_inline(scale=3),
        },
        status=400 if errors or form.errors else 200,
    )


@login_required
def reservation_cancel_view(request: HttpRequest, reservation_id: int) -> HttpResponse:
    """POST: cancel a reservation of a venue the user keeps; its place is free again."""
    reservation = get_object_or_404(reservations_visible(request.user), pk=reservation_id)
    back = reverse("venue-slots", args=[reservation.slot.venue_id])
    back += f"?day={reservation.slot.day:%Y-%m-%d}"
    if request.method == "POST":
        try:
            reservation_cancel(actor=request_user(request), reservation_id=reservation.pk)
            messages.success(request, _("Reservation cancelled."))
        except ValidationError as error:
            for problem in _problems(error):
                messages.error(request, problem)
    return redirect(back)


def venue_booking_view(request: HttpRequest, booking_token: str) -> HttpResponse:
    """A venue's booking page behind its link or QR code (O-04, I-16): no account; the free
    slots of the next days; POST ``book`` takes a place by name and phone and answers with the
    booking code, ``cancel`` cancels a booking by its code. A refusal names the field and the
    form keeps what was typed (400)."""
    venue = venue_link_venue(booking_token)
    if venue is None:
        raise Http404
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    booked = cancelled = None
    if request.method == "POST":
        if venue_link_over_rate(venue):
            return HttpResponse(_("Too many bookings from this link; try again later."), status=429)
        typed = {
            key: request.POST.get(key, "")[:bound].strip() for key, bound in BOOKING_FIELDS.items()
        }
        try:
            if query_choice(request.POST, "action", ["book", "cancel"], "book") == "cancel":
                cancelled = reservation_self_cancel(venue=venue, code=typed["code"])
            else:
                booked = reservation_self_book(venue=venue, data=_self_booking(typed))
        except ValidationError as error:
            errors = {key: " ".join(value) for key, value in error.message_dict.items()}
            typed.pop("id_number")  # never shown back
        else:
            typed = {}
    return render(
        request,
        "movement/venue_booking.html",
        {
            "venue": venue,
            "real_name": venue_limit(venue, clock.localdate()).real_name,
            "slots": list(slots_open(venue)),
            "typed": typed,
            "errors": errors,
            "booked": booked,
            "cancelled": cancelled,
        },
        status=400 if errors else 200,
    )


def _self_booking(typed: dict[str, str]) -> SelfBooking:
    """The booking typed on the venue's page; a slot that is not a number is no slot."""
    return SelfBooking(
        slot_id=whole_number(typed["slot"]),
        name=typed["name"],
        phone=typed["phone"],
        id_number=typed["id_number"],
    )
