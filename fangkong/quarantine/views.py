"""Pages of quarantine sites: the occupancy board of the county with the beds ahead, a site's page
(its rooms, the transfers to it, releases by conditions, transfers to hospital, a cross-infection),
the placement of the people waiting for a room, the daily care of a floor (temperatures and
symptoms through monitoring's check-ins, meals and needs); and of home quarantine (D-02): the
visit list of today and a person's notice to print and serve."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.inputs import (
    BadInput,
    date_problem,
    datetime_parse,
    query_choice,
    query_date,
    query_int,
    whole_number,
)
from fangkong.core.views import refusal_messages
from fangkong.monitoring.models import Checkin, CheckinStatus
from fangkong.monitoring.selectors import checkins_of_day, symptoms_of
from fangkong.monitoring.services import CheckinInput, checkins_record
from fangkong.org.access import request_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.describe import release_verdict
from fangkong.quarantine.forecast import beds_forecast
from fangkong.quarantine.home import (
    home_quarantine_of,
    home_quarantine_record,
    home_quarantines,
    home_visit_record,
)
from fangkong.quarantine.models import (
    MAX_CAPACITY,
    CareNoteKind,
    DoorWatch,
    HospitalReason,
    Room,
    RoomState,
)
from fangkong.quarantine.selectors import (
    care_notes_of_day,
    checkin_slot_now,
    occupancy_board,
    people_unplaced,
    placements_open,
    placements_unchecked,
    placements_waiting_transfer,
    releases_due,
    site_rooms,
    sites_visible,
    tests_due,
    transfers_on_the_road,
)
from fangkong.quarantine.services import (
    LAST_FLOOR,
    LAST_ROOM,
    MAX_PLACED,
    STATE_CHANGES,
    CareNoteInput,
    Trip,
    care_notes_record,
    people_place,
    person_release_home,
    person_to_hospital,
    room_state_set,
    rooms_create,
    site_cross_infection_mark,
    transfers_arrive,
    transfers_depart,
)

SITE_ACTIONS = ["rooms", "state", "depart", "arrive", "release", "hospital", "cross_infection"]


def _number(request: HttpRequest, name: str, high: int) -> int:
    number = query_int(request.POST, name, high=high)
    if number is None:
        raise BadInput(name, _("Required."))
    return number


@login_required
def board_view(request: HttpRequest) -> HttpResponse:
    """占用看板: every site the user manages, with the county's total and the beds ahead."""
    if not user_can(request.user, Capability.MANAGE_SITE):
        raise PermissionDenied
    forecast = beds_forecast(request.user, sites_visible(request.user))
    return render(
        request,
        "quarantine/board.html",
        {
            "board": forecast.board,
            "forecast": forecast,
            "may_place": user_can(request.user, Capability.EDIT_PEOPLE),
        },
    )


def _ids(request: HttpRequest, name: str) -> list[int]:
    ids = []
    for text in request.POST.getlist(name)[: MAX_PLACED + 1]:
        number = whole_number(text)
        if number is None:
            raise BadInput(name, _("“%(value)s” is not a valid number.") % {"value": text[:40]})
        ids.append(number)
    return ids


def _moment(request: HttpRequest, name: str) -> dt.datetime:
    """A time typed on the page (2022-02-01T08:00, the site's zone); now when left empty."""
    text = request.POST.get(name) or ""
    if not text.strip():
        return clock.now()
    moment = datetime_parse(text)
    if moment is None:
        raise BadInput(
            name, _("Not a time (write 2022-02-01T08:00): %(value)s") % {"value": text[:40]}
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.tz())
    problem = date_problem(moment)
    if problem:
        raise BadInput(name, problem)
    return moment


def _trip(request: HttpRequest) -> Trip:
    return Trip(
        vehicle=request.POST.get("vehicle", ""),
        escort_name=request.POST.get("escort_name", ""),
        escort_phone=request.POST.get("escort_phone", ""),
        departed_at=_moment(request, "departed_at"),
    )


def _placed_person(request: HttpRequest, site: Unit) -> Person:
    """A person placed at the site now, from the form; anyone else is unknown here."""
    person_id = _number(request, "person", 2**63 - 1)
    placement = placements_open(site).filter(person_id=person_id).first()
    if placement is None:
        raise Http404
    return placement.person


def _site_action(request: HttpRequest, site: Unit) -> str:
    """Do what the site page's form asks; the message to show."""
    action = query_choice(request.POST, "action", SITE_ACTIONS, "")
    actor = request_user(request)
    if action == "rooms":
        made = rooms_create(
            actor=actor,
            site=site,
            floors=(
                _number(request, "floor_from", LAST_FLOOR),
                _number(request, "floor_to", LAST_FLOOR),
            ),
            rooms=(
                _number(request, "room_from", LAST_ROOM),
                _number(request, "room_to", LAST_ROOM),
            ),
            capacity=_number(request, "capacity", MAX_CAPACITY),
        )
        return _("%(count)d rooms added.") % {"count": made}
    if action == "state":
        room = Room.objects.filter(site=site, pk=_number(request, "room", 2**63 - 1)).first()
        if room is None:
            raise Http404
        state = query_choice(request.POST, "state", RoomState.values, "")
        room_state_set(actor=actor, room=room, state=state)
        return _("Saved.")
    if action == "depart":
        left = transfers_depart(
            actor=actor, site=site, person_ids=_ids(request, "person"), trip=_trip(request)
        )
        return _("%(count)d people on the road to the site.") % {"count": left}
    if action == "arrive":
        arrival = transfers_arrive(actor=actor, site=site, transfer_ids=_ids(request, "transfer"))
        return _("%(count)d people arrived; %(late)d past the transfer deadline (12 hours).") % {
            "count": arrival.arrived,
            "late": arrival.late,
        }
    if action == "release":
        person_release_home(
            actor=actor,
            site=site,
            person=_placed_person(request, site),
            on=query_date(request.POST, "on", clock.localdate()),
            note=request.POST.get("note", "")[:200],
            trip=_trip(request),
        )
        return _("Released.")
    if action == "hospital":
        person_to_hospital(
            actor=actor,
            site=site,
            person=_placed_person(request, site),
            reason=query_choice(request.POST, "reason", HospitalReason.values, ""),
            trip=_trip(request),
        )
        return _("Transferred to hospital; a suspected case is reported.")
    if action == "cross_infection":
        count = site_cross_infection_mark(
            actor=actor,
            site=site,
            on=query_date(request.POST, "on", clock.localdate()),
            floor=query_int(request.POST, "floor", high=LAST_FLOOR),
        )
        return _("Quarantine restarted for %(count)d people at the site.") % {"count": count}
    raise BadInput("action", _("Choose an action."))


@login_required
def site_view(request: HttpRequest, site_id: int) -> HttpResponse:
    """A site: its board and rooms by floor, the people waiting for their transfer (待转运) and
    on the road, those due for release with the engine's decision, the transfer to hospital and
    a suspected cross-infection; POST does one of these."""
    site = get_object_or_404(sites_visible(request.user), pk=site_id)
    status = 200
    if request.method == "POST":
        try:
            done = _site_action(request, site)
        except ValidationError as error:
            refusal_messages(request, error)
            status = 400
        else:
            messages.success(request, done)
            return redirect("quarantine-site", site_id=site.pk)
    floors: dict[int, list[tuple[Room, list[RoomState]]]] = {}
    for room in site_rooms(site):
        changes = sorted(STATE_CHANGES.get(RoomState(room.state), set()))
        floors.setdefault(room.floor, []).append((room, changes))
    due = [
        (line, release_verdict(line.answer) if line.answer else "") for line in releases_due(site)
    ]
    return render(
        request,
        "quarantine/site.html",
        {
            "site": site,
            "board": occupancy_board(sites_visible(request.user).filter(pk=site.pk)),
            "floors": sorted(floors.items()),
            "max_capacity": MAX_CAPACITY,
            "waiting": placements_waiting_transfer(site)[:MAX_PLACED],
            "trips": transfers_on_the_road(site),
            "due": due,
            "placed": placements_open(site)[:MAX_PLACED],
            "tests": tests_due(site),
            "reasons": HospitalReason.choices,
            "now": clock.now(),
            "today": clock.localdate(),
        },
        status=status,
    )


# Statuses of a check-in that send the person to hospital from the floor screen.
UNWELL = (CheckinStatus.FEVER, CheckinStatus.SYMPTOMS)


@login_required
def site_care_view(request: HttpRequest, site_id: int) -> HttpResponse:
    """日常照护: one floor of the site on one screen — each person's temperature and symptoms
    (monitoring's check-ins, the plan's symptom list: a fever opens the fever path), a meal or a
    need noted; above it, who has not been checked in the slot due now, on every floor, and
    those with a fever or a symptom today, to send to hospital."""
    site = get_object_or_404(sites_visible(request.user), pk=site_id)
    floors = list(
        Room.objects.filter(site=site).order_by("floor").values_list("floor", flat=True).distinct()
    )
    floor = query_int(request.GET, "floor", high=LAST_FLOOR)
    if floor not in floors:
        floor = floors[0] if floors else None
    now, today = clock.now(), clock.localdate()
    status, errors = 200, {}
    if request.method == "POST":
        try:
            errors = _care_save(request, site, floor)
        except ValidationError as error:
            refusal_messages(request, error)
            status = 400
        else:
            if not errors:
                return redirect(f"{request.path}?{request.GET.urlencode()}")
            status = 400
    slot = checkin_slot_now(site, now)
    unchecked = list(placements_unchecked(site, slot)) if slot else []
    placed = list(placements_open(site))
    on_floor = [p for p in placed if p.room.floor == floor]
    if request.GET.get("state") == "unchecked":
        waiting = {p.pk for p in unchecked}
        on_floor = [p for p in on_floor if p.pk in waiting]
    checkins: dict[int, list[Checkin]] = {}
    unwell: list[Person] = []
    for checkin in (
        checkins_of_day([p.person_id for p in placed], today)
        .select_related("person")
        .order_by("at")
    ):
        checkins.setdefault(checkin.person_id, []).append(checkin)
        if checkin.status in UNWELL and checkin.person not in unwell:
            unwell.append(checkin.person)
    notes = care_notes_of_day([p.pk for p in on_floor], today)
    return render(
        request,
        "quarantine/care.html",
        {
            "site": site,
            "floors": floors,
            "floor": floor,
            "slot": slot,
            "unchecked": unchecked,
            "rows": [
                (p, checkins.get(p.person_id, []), notes.get(p.pk, []), errors.get(p.person_id))
                for p in on_floor
            ],
            "unwell": unwell,
            "symptoms": symptoms_of(site),
            "kinds": CareNoteKind.choices,
            "now": now,
        },
        status=status,
    )


def _care_save(request: HttpRequest, site: Unit, floor: int | None) -> dict[int, str]:
    """The floor's meals and needs (refused whole when one is wrong, before any check-in), then
    its temperatures and symptoms in one set; the refused check-ins' reasons by person."""
    rows, notes = [], []
    on_floor = placements_open(site).filter(room__floor=floor) if floor else []
    for placement in on_floor:
        person_id = placement.person_id
        text = request.POST.get(f"n{person_id}", "").strip()
        if text:
            kind = query_choice(request.POST, f"k{person_id}", CareNoteKind.values, "")
            notes.append(CareNoteInput(person_id, kind, text))
        celsius = request.POST.get(f"t{person_id}", "").strip()
        symptoms = [code for code in request.POST.getlist(f"s{person_id}") if code]
        if celsius or symptoms:
            rows.append(
                CheckinInput(person_id=person_id, celsius=celsius or None, symptoms=symptoms)
            )
    actor = request_user(request)
    if notes:
        care_notes_record(actor=actor, site=site, notes=notes)
    result = checkins_record(actor=actor, rows=rows)
    unwell = sum(1 for c in result.created if c.status in UNWELL)
    messages.success(
        request,
        _("%(n)d checks and %(notes)d notes saved; %(f)d with a fever or symptoms.")
        % {"n": len(result.created), "notes": len(notes), "f": unwell},
    )
    return {rows[e["index"]].person_id: e["reason"] for e in result.errors}


@login_required
def placement_view(request: HttpRequest) -> HttpResponse:
    """安置: the people of the user's units waiting for a room; POST places the ones ticked (or
    all of them) in free rooms of the chosen site."""
    if not (
        user_can(request.user, Capability.EDIT_PEOPLE)
        and user_can(request.user, Capability.MANAGE_SITE)
    ):
        raise PermissionDenied
    sites = sites_visible(request.user)
    status = 200
    if request.method == "POST":
        site = sites.filter(pk=_number(request, "site", 2**63 - 1)).first()
        if site is None:
            raise BadInput("site", _("Choose a quarantine site."))
        chosen = None
        if request.POST.get("all") != "1":
            chosen = []
            for text in request.POST.getlist("person")[: MAX_PLACED + 1]:
                person_id = whole_number(text)
                if person_id is None:
                    raise BadInput(
                        "person", _("“%(value)s” is not a valid number.") % {"value": text[:40]}
                    )
                chosen.append(person_id)
        try:
            placed = people_place(actor=request_user(request), site=site, person_ids=chosen)
            messages.success(
                request,
                _("%(count)d people placed at %(site)s.") % {"count": placed, "site": site.name},
            )
            return redirect("quarantine-site", site_id=site.pk)
        except ValidationError as error:
            refusal_messages(request, error)
            status = 400
    waiting = people_unplaced(request.user)
    return render(
        request,
        "quarantine/placement.html",
        {
            "waiting": waiting[:MAX_PLACED],
            "count": waiting.count(),
            "sites": occupancy_board(sites).sites,
        },
        status=status,
    )


@login_required
def home_list_view(request: HttpRequest) -> HttpResponse:
    """居家隔离: the people under home quarantine in the user's units, by unit, with today's visit;
    POST records a visit (one tap, a note optional)."""
    if request.method == "POST":
        person_id = query_int(request.POST, "person")
        if person_id is None:
            raise BadInput("person", _("Required."))
        measure = home_quarantine_of(request.user, person_id)
        if measure is None:
            raise Http404
        try:
            home_visit_record(
                actor=request_user(request), measure=measure, note=request.POST.get("note", "")
            )
            messages.success(request, _("Visit recorded: %(name)s") % {"name": measure.person.name})
        except ValidationError as error:
            refusal_messages(request, error)
        return redirect("home-quarantine")
    return render(
        request,
        "quarantine/home.html",
        {"measures": home_quarantines(request.user), "today": clock.localdate()},
    )


@login_required
def home_notice_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """居家隔离告知书: the person's notice to print; POST records it served and the door."""
    measure = home_quarantine_of(request.user, person_id)
    if measure is None:
        raise Http404
    if request.method == "POST":
        door = query_choice(request.POST, "door", ["", *DoorWatch.values], "")
        try:
            home_quarantine_record(
                actor=request_user(request),
                measure=measure,
                notice_served=request.POST.get("served") == "1",
                door=door,
            )
            messages.success(request, _("Saved."))
        except ValidationError as error:
            refusal_messages(request, error)
        return redirect("home-quarantine-notice", person_id=person_id)
    return render(
        request,
        "quarantine/home_notice.html",
        {"measure": measure, "doors": DoorWatch.choices, "today": clock.localdate()},
    )
