"""Pages of cases: the list of the user's units with the form that reports one, and a case's page
with its deadlines, its upgrade and its course; outbreaks grouping cases, declared on their list."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.forms import Picked
from fangkong.core.inputs import BadInput, query_choice, query_int, whole_number
from fangkong.core.spreadsheets import ImportFileError, table_size_check, table_suffix
from fangkong.obligations.models import Obligation
from fangkong.org.access import may_act_on, request_user, units_in, user_can
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_pick
from fangkong.tracing.forms import StopForm, VenueForm
from fangkong.tracing.models import Case, CaseKind, CaseStatus
from fangkong.tracing.selectors import cases_visible, outbreak_candidates, outbreaks_visible
from fangkong.tracing.services import (
    case_report,
    case_status_change,
    case_upgrade,
    contact_candidate_decide,
    outbreak_declare,
)
from fangkong.tracing.venues import (
    CANDIDATES_MAX,
    candidates_visible,
    case_trajectory,
    contact_candidates_propose,
    scans_import,
    stop_add,
    venue_create,
    venues_visible,
)

PAGE_SIZE = 50
# The cases one outbreak form offers and takes.
OUTBREAK_CASES_MAX = 200
CASE_ACTIONS = ["upgrade", "status", "stop", "propose", "accept", "reject"]


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    """Cases of the user's units; POST reports one (also the one-click buttons of the fever and
    the lab result pages, which post the person and the kind)."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    typed = Picked("", "")
    status = 200
    if request.method == "POST":
        kind = query_choice(request.POST, "kind", CaseKind.values, CaseKind.SUSPECTED)
        person = person_pick(
            request.user,
            request.POST.get("person") or request.POST.get("person_text", ""),
            Capability.INVESTIGATE,
        )
        if person is None:
            messages.error(request, _("Nobody in your units has this name: choose from the list."))
            typed, status = Picked("", request.POST.get("person_text", "")), 400
        else:
            try:
                case = case_report(
                    actor=request_user(request),
                    person=person,
                    kind=kind,
                    note=request.POST.get("note", "")[:300],
                )
                messages.success(request, _("Case reported: its deadlines are open."))
                return redirect("case-detail", case_id=case.pk)
            except ValidationError as error:
                _errors(request, error)
                typed, status = Picked(str(person.pk), person.name), 400
    page = Paginator(cases_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    return render(
        request,
        "tracing/cases.html",
        {
            "page": page,
            "kinds": CaseKind.choices,
            "typed": typed,
            "may_report": user_can(request.user, Capability.INVESTIGATE),
        },
        status=status,
    )


@login_required
def case_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case: its deadlines, its trajectory and its candidate contacts; (POST) an upgrade of its
    kind, the next step of its course, a stop of its trajectory, a search for contacts by venue
    codes, or the decision on a candidate."""
    case = get_object_or_404(cases_visible(request.user), pk=case_id)
    stop_form = StopForm(venues=venues_visible(request.user))
    if request.method == "POST":
        action = query_choice(request.POST, "action", CASE_ACTIONS, "status")
        try:
            if action == "stop":
                stop_form = StopForm(request.POST, venues=venues_visible(request.user))
                if not _stop_added(request, case, stop_form):
                    return _case_page(request, case, stop_form, status=400)
            elif action == "propose":
                count = contact_candidates_propose(actor=request_user(request), case=case)
                messages.success(
                    request, _("%(count)d candidate contacts proposed.") % {"count": count}
                )
                return redirect("case-detail", case_id=case.pk)
            elif action in ("accept", "reject"):
                candidate = get_object_or_404(
                    candidates_visible(request.user, case),
                    pk=query_int(request.POST, "candidate"),
                )
                contact_candidate_decide(
                    actor=request_user(request), candidate=candidate, accept=action == "accept"
                )
            elif action == "upgrade":
                kind = query_choice(request.POST, "kind", CaseKind.values, "")
                case_upgrade(actor=request_user(request), case=case, kind=kind)
            else:
                status = query_choice(request.POST, "status", CaseStatus.values, "")
                case_status_change(actor=request_user(request), case=case, status=status)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _errors(request, error)
        return redirect("case-detail", case_id=case.pk)
    return _case_page(request, case, stop_form)


def _stop_added(request: HttpRequest, case: Case, form: StopForm) -> bool:
    """Add the stop of the form; False (the form showing why) when it is refused."""
    if not form.is_valid():
        return False
    try:
        stop_add(actor=request_user(request), case=case, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _case_page(
    request: HttpRequest, case: Case, stop_form: StopForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "tracing/case.html",
        {
            "case": case,
            "deadlines": Obligation.objects.of_case(case.pk).select_related("unit"),
            "may_change": may_act_on(request.user, Capability.INVESTIGATE, case.person),
            "now": clock.now(),
            "trajectory": case_trajectory(case),
            "candidates": candidates_visible(request.user, case)[:CANDIDATES_MAX],
            "stop_form": stop_form,
        },
        status=status,
    )


@login_required
def outbreak_list_view(request: HttpRequest) -> HttpResponse:
    """Outbreaks of the user's units; POST declares one from the cases ticked on the form."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        case_ids = [whole_number(text) for text in request.POST.getlist("cases")]
        if None in case_ids or len(case_ids) > OUTBREAK_CASES_MAX:
            raise BadInput(
                "cases", _("At most %(max)d cases at once.") % {"max": OUTBREAK_CASES_MAX}
            )
        try:
            outbreak = outbreak_declare(
                actor=request_user(request),
                case_ids=[pk for pk in case_ids if pk is not None],
                note=request.POST.get("note", "")[:300],
            )
            messages.success(request, _("Outbreak declared: its deadlines are open."))
            return redirect("outbreak-detail", outbreak_id=outbreak.pk)
        except ValidationError as error:
            _errors(request, error)
            status = 400
    page = Paginator(outbreaks_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    may_declare = user_can(request.user, Capability.INVESTIGATE)
    return render(
        request,
        "tracing/outbreaks.html",
        {
            "page": page,
            "candidates": (
                outbreak_candidates(request.user, OUTBREAK_CASES_MAX) if may_declare else []
            ),
            "may_declare": may_declare,
        },
        status=status,
    )


@login_required
def outbreak_detail_view(request: HttpRequest, outbreak_id: int) -> HttpResponse:
    """An outbreak: its cases and its deadlines."""
    outbreak = get_object_or_404(outbreaks_visible(request.user), pk=outbreak_id)
    return render(
        request,
        "tracing/outbreak.html",
        {
            "outbreak": outbreak,
            "cases": cases_visible(request.user).filter(outbreak=outbreak),
            "deadlines": Obligation.objects.of_outbreak(outbreak.pk).select_related("unit"),
            "may_change": user_can(request.user, Capability.INVESTIGATE, outbreak.unit),
            "now": clock.now(),
        },
    )


@login_required
def venue_list_view(request: HttpRequest) -> HttpResponse:
    """Venues (场所码) of the user's units; POST sets one up, or imports a file of scans."""
    units = units_in(request.user, Capability.INVESTIGATE)
    if not user_can(request.user, Capability.INVESTIGATE):
        raise PermissionDenied
    form = VenueForm(units=units)
    outcome = None
    status = 200
    upload = request.FILES.get("file")
    if request.method == "POST" and upload is not None:
        name = upload.name or ""
        try:
            suffix = table_suffix(name)
            table_size_check(upload.size or 0)
            with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                outcome = scans_import(actor=request_user(request), path=Path(handle.name))
        except ImportFileError as error:
            messages.error(request, str(error))
            status = 400
    elif request.method == "POST":
        form = VenueForm(request.POST, units=units)
        if form.is_valid():
            try:
                venue = venue_create(actor=request_user(request), **form.cleaned_data)
                messages.success(
                    request, _("Venue set up: its code is %(code)s.") % {"code": venue.code}
                )
                return redirect("venue-list")
            except ValidationError as error:
                _errors(request, error)
        status = 400
    page = Paginator(venues_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    return render(
        request,
        "tracing/venues.html",
        {"page": page, "form": form, "outcome": outcome},
        status=status,
    )
