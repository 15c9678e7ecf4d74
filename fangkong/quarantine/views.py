"""Pages of quarantine sites: the occupancy board of the county with the beds ahead, a site's page
with its rooms, the placement of the people waiting for a room; and of home quarantine (D-02): the
visit list of today and a person's notice to print and serve."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.inputs import BadInput, query_choice, query_int, whole_number
from fangkong.org.access import request_user, user_can
from fangkong.org.roles import Capability
from fangkong.quarantine.forecast import beds_forecast
from fangkong.quarantine.home import (
    home_quarantine_of,
    home_quarantine_record,
    home_quarantines,
    home_visit_record,
)
from fangkong.quarantine.models import MAX_CAPACITY, DoorWatch, Room, RoomState
from fangkong.quarantine.selectors import (
    occupancy_board,
    people_unplaced,
    site_rooms,
    sites_visible,
)
from fangkong.quarantine.services import (
    LAST_FLOOR,
    LAST_ROOM,
    MAX_PLACED,
    STATE_CHANGES,
    people_place,
    room_state_set,
    rooms_create,
)


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


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


@login_required
def site_view(request: HttpRequest, site_id: int) -> HttpResponse:
    """A site: its board, its rooms by floor; POST adds rooms in bulk or changes a room's state."""
    site = get_object_or_404(sites_visible(request.user), pk=site_id)
    if request.method == "POST":
        action = query_choice(request.POST, "action", ["rooms", "state"], "")
        try:
            if action == "rooms":
                made = rooms_create(
                    actor=request_user(request),
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
                messages.success(request, _("%(count)d rooms added.") % {"count": made})
            elif action == "state":
                room = Room.objects.filter(
                    site=site, pk=_number(request, "room", 2**63 - 1)
                ).first()
                if room is None:
                    raise Http404
                state = query_choice(request.POST, "state", RoomState.values, "")
                room_state_set(actor=request_user(request), room=room, state=state)
                messages.success(request, _("Saved."))
            else:
                raise BadInput("action", _("Choose an action."))
        except ValidationError as error:
            _errors(request, error)
            return redirect("quarantine-site", site_id=site.pk)
        return redirect("quarantine-site", site_id=site.pk)
    floors: dict[int, list[tuple[Room, list[RoomState]]]] = {}
    for room in site_rooms(site):
        changes = sorted(STATE_CHANGES.get(RoomState(room.state), set()))
        floors.setdefault(room.floor, []).append((room, changes))
    return render(
        request,
        "quarantine/site.html",
        {
            "site": site,
            "board": occupancy_board(sites_visible(request.user).filter(pk=site.pk)),
            "floors": sorted(floors.items()),
            "max_capacity": MAX_CAPACITY,
        },
    )


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
            _errors(request, error)
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
            _errors(request, error)
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
            _errors(request, error)
        return redirect("home-quarantine-notice", person_id=person_id)
    return render(
        request,
        "quarantine/home_notice.html",
        {"measure": measure, "doors": DoorWatch.choices, "today": clock.localdate()},
    )
