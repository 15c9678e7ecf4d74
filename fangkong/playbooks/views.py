"""Pages of playbooks (应急预案与演练): a unit's playbooks with the form that starts one and the
unit's history of runs with their scores; a run's steps on a phone, each marked done, and the run
finished and scored."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fangkong.core import clock
from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import query_choice, query_int
from fangkong.core.views import refusal_messages
from fangkong.org.access import any_role_scope, request_user, units_in, units_visible_to, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.playbooks.forms import StartForm
from fangkong.playbooks.selectors import HISTORY_SHOWN, playbooks_at, runs_visible, standing
from fangkong.playbooks.services import run_finish, run_start, step_done
from fangkong.policy.describe import plan_name


def _unit(request: HttpRequest) -> Unit:
    """The unit asked for (``?unit=``, one of the user's), else the first whose playbooks the
    user runs, else the user's first unit."""
    if not any_role_scope(request.user):
        raise PermissionDenied
    wanted = query_int(request.GET, "unit")
    if wanted is not None:
        unit = units_visible_to(request.user).filter(pk=wanted).first()
    else:
        unit = (
            units_in(request.user, Capability.KEEP_ROSTER).order_by("path").first()
            or units_visible_to(request.user).order_by("path").first()
        )
    if unit is None:
        raise Http404
    return unit


@login_required
def playbooks_view(request: HttpRequest) -> HttpResponse:
    """The unit's playbooks and its history of runs; POST starts one (N-01 … N-07)."""
    unit = _unit(request)
    pack_id, playbooks = playbooks_at(unit)
    may_run = user_can(request.user, Capability.KEEP_ROSTER, unit)
    form = StartForm(request.POST or None, playbooks=playbooks)
    code = 200
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = run_start(
                    actor=request_user(request),
                    unit=unit,
                    playbook_id=form.cleaned_data["playbook"],
                    drill=form.cleaned_data["drill"],
                    names=form.names(),
                )
            except ValidationError as error:
                errors_on_form(form, error)
            else:
                return redirect("playbook-run", run_id=run.pk)
        code = 400
    return render(
        request,
        "playbooks/playbooks.html",
        {
            "unit": unit,
            "plan": plan_name(pack_id) if pack_id else "",
            "playbooks": playbooks,
            "form": form,
            "may_run": may_run and bool(playbooks),
            "runs": list(runs_visible(request.user).filter(unit=unit)[:HISTORY_SHOWN]),
        },
        status=code,
    )


@login_required
def run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's steps against the clock; POST marks a step done or finishes the run."""
    run = get_object_or_404(runs_visible(request.user), pk=run_id)
    if request.method == "POST":
        if not user_can(request.user, Capability.KEEP_ROSTER, run.unit):
            raise PermissionDenied
        action = query_choice(request.POST, "action", ["done", "finish"], "")
        try:
            if action == "done":
                step_done(
                    actor=request_user(request),
                    run_id=run.pk,
                    position=query_int(request.POST, "step", high=1000) or 0,
                )
            elif action == "finish":
                run_finish(actor=request_user(request), run_id=run.pk)
            else:
                raise Http404
        except ValidationError as error:
            refusal_messages(request, error)
        return redirect("playbook-run", run_id=run.pk)
    now = clock.now()
    return render(
        request,
        "playbooks/run.html",
        {
            "run": run,
            "plan": plan_name(run.pack_id),
            "steps": [(step, standing(step, now)) for step in run.steps.all()],
            "may_run": run.finished_at is None
            and user_can(request.user, Capability.KEEP_ROSTER, run.unit),
            "now": now,
        },
    )
