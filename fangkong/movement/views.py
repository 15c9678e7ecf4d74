"""Pages of gathering applications: the list of the user's units with the form that files one,
and the approver's queue with its decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangkong.core.inputs import query_choice, query_int
from fangkong.movement.forms import GatheringForm
from fangkong.movement.models import ApplicationStatus
from fangkong.movement.selectors import gatherings_to_decide, gatherings_visible
from fangkong.movement.services import gathering_apply, gathering_decide
from fangkong.org.access import request_user, units_in, user_can
from fangkong.org.roles import Capability

PAGE_SIZE = 50


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
    shown = query_choice(request.GET, "status", ApplicationStatus.values, "")
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
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("gathering-list")
