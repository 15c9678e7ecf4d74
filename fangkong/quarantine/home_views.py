"""Pages of home quarantine (居家隔离, D-02): today's visit list of the user's units with one tap
per person, and a person's notice (告知书) to print, serve and record with the door."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.inputs import BadInput, query_choice, query_int
from fangkong.org.access import request_user
from fangkong.quarantine.home import (
    home_quarantine_of,
    home_quarantine_record,
    home_quarantines,
    home_visit_record,
)
from fangkong.quarantine.models import DoorWatch
from fangkong.quarantine.views import _errors


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
