"""Pages of cases: the list of the user's units with the form that reports one, and a case's page
with its deadlines, its upgrade and its course; outbreaks grouping cases, declared on their list."""

from __future__ import annotations

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
from fangkong.obligations.models import Obligation
from fangkong.org.access import may_act_on, request_user, user_can
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_pick
from fangkong.tracing.models import CaseKind, CaseStatus
from fangkong.tracing.selectors import (
    case_steps,
    cases_visible,
    outbreak_candidates,
    outbreaks_visible,
)
from fangkong.tracing.services import (
    case_report,
    case_status_change,
    case_upgrade,
    outbreak_declare,
)

PAGE_SIZE = 50
# The cases one outbreak form offers and takes.
OUTBREAK_CASES_MAX = 200


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
    # The command view's case panel links here by kind and status.
    kind = query_choice(request.GET, "kind", CaseKind.values, "")
    status_shown = query_choice(request.GET, "status", CaseStatus.values, "")
    cases = cases_visible(request.user)
    if kind:
        cases = cases.filter(kind=kind)
    if status_shown:
        cases = cases.filter(status=status_shown)
    page = Paginator(cases, PAGE_SIZE).get_page(query_int(request.GET, "page", high=100_000))
    return render(
        request,
        "tracing/cases.html",
        {
            "page": page,
            "kind_shown": CaseKind(kind).label if kind else "",
            "status_shown": CaseStatus(status_shown).label if status_shown else "",
            "filters": f"kind={kind}&status={status_shown}",
            "kinds": CaseKind.choices,
            "typed": typed,
            "may_report": user_can(request.user, Capability.INVESTIGATE),
        },
        status=status,
    )


@login_required
def case_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case: its deadlines, and (POST) an upgrade of its kind or the next step of its course."""
    case = get_object_or_404(cases_visible(request.user), pk=case_id)
    if request.method == "POST":
        action = query_choice(request.POST, "action", ["upgrade", "status"], "status")
        try:
            if action == "upgrade":
                kind = query_choice(request.POST, "kind", CaseKind.values, "")
                case_upgrade(actor=request_user(request), case=case, kind=kind)
            else:
                status = query_choice(request.POST, "status", CaseStatus.values, "")
                case_status_change(actor=request_user(request), case=case, status=status)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _errors(request, error)
        return redirect("case-detail", case_id=case.pk)
    return render(
        request,
        "tracing/case.html",
        {
            "case": case,
            "steps": case_steps([case])[0],
            "deadlines": Obligation.objects.of_case(case.pk).select_related("unit"),
            "may_change": may_act_on(request.user, Capability.INVESTIGATE, case.person),
            "now": clock.now(),
        },
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
