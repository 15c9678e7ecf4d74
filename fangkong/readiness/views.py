"""The duty roster page (值班表): who is on duty now in the user's units and which units the plan
wants on duty but have nobody; one unit's next days with their gaps, its shifts, the form that
adds shifts, handovers and the removal of a shift not yet begun."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.inputs import query_choice, query_int
from fangkong.org.access import any_role_scope, request_user, units_in, units_visible_to, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.describe import plan_name
from fangkong.readiness.forms import ShiftForm
from fangkong.readiness.selectors import (
    AHEAD_DAYS,
    coverage,
    on_duty,
    shifts_visible,
    uncovered_now,
)
from fangkong.readiness.services import shift_handover, shift_remove, shifts_add

ON_DUTY_SHOWN = 100
SHIFTS_SHOWN = 200


def _unit(request: HttpRequest) -> Unit | None:
    """The unit asked for (``?unit=``, one of the user's), else the first whose roster the user
    keeps."""
    wanted = query_int(request.GET, "unit")
    if wanted is not None:
        unit = units_visible_to(request.user).filter(pk=wanted).first()
        if unit is None:
            raise Http404
        return unit
    return units_in(request.user, Capability.KEEP_ROSTER).order_by("path").first()


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


def _shift_action(request: HttpRequest) -> None:
    """A handover written, or a shift removed (POST ``action``, ``shift``)."""
    action = query_choice(request.POST, "action", ["handover", "remove"], "")
    shift = shifts_visible(request.user).filter(pk=query_int(request.POST, "shift") or 0).first()
    if not action or shift is None:
        raise Http404
    try:
        if action == "handover":
            shift_handover(
                actor=request_user(request),
                shift_id=shift.pk,
                note=request.POST.get("handover", "")[:500],
            )
        else:
            shift_remove(actor=request_user(request), shift_id=shift.pk)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Saved."))


@login_required
def roster_view(request: HttpRequest) -> HttpResponse:
    if not any_role_scope(request.user):
        raise PermissionDenied
    unit = _unit(request)
    keepable = units_in(request.user, Capability.KEEP_ROSTER)
    may_keep = user_can(request.user, Capability.KEEP_ROSTER)
    form = ShiftForm(
        request.POST if request.POST.get("action") == "add" else None,
        units=keepable,
        initial={"unit": unit, "day": clock.localdate()},
    )
    code = 200
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied
        if request.POST.get("action") != "add":
            _shift_action(request)
            return redirect(request.get_full_path())
        if form.is_valid():
            try:
                added = shifts_add(actor=request_user(request), data=form.shift())
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
            else:
                messages.success(request, _("%(n)d shifts added.") % {"n": len(added)})
                return redirect(f"{reverse('roster')}?unit={form.cleaned_data['unit'].pk}")
        code = 400
    now = clock.now()
    shifts = []
    if unit is not None:
        shifts = list(
            shifts_visible(request.user).filter(
                unit=unit,
                ends_at__gt=now - dt.timedelta(days=1),
                starts_at__lt=now + dt.timedelta(days=AHEAD_DAYS),
            )[:SHIFTS_SHOWN]
        )
    cover = coverage(unit, now) if unit is not None else None
    return render(
        request,
        "readiness/roster.html",
        {
            "now": now,
            "on_duty": list(on_duty(request.user, now)[:ON_DUTY_SHOWN]),
            "uncovered": uncovered_now(request.user, now),
            "unit": unit,
            "cover": cover,
            "plan": plan_name(cover.pack_id) if cover else "",
            "shifts": shifts,
            "form": form,
            "may_keep": may_keep
            and unit is not None
            and user_can(request.user, Capability.KEEP_ROSTER, unit),
            "may_add": may_keep,
            "ahead_days": AHEAD_DAYS,
        },
        status=code,
    )
