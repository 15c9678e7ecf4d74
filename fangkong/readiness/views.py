"""Readiness pages. The duty roster (值班表): who is on duty now in the user's units and which
units the plan wants on duty but have nobody; one unit's next days with their gaps, its shifts,
the form that adds shifts, handovers and the removal of a shift not yet begun. Supplies (物资):
the overview by cover and one unit's stock. Disinfection (消毒): what is owed, one unit's log.
Work injuries (工伤事故): the office's register, its form and the written reports received."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import query_choice, query_int
from fangkong.core.views import refusal_messages
from fangkong.obligations.models import Obligation
from fangkong.org.access import any_role_scope, request_user, units_in, units_visible_to, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.describe import plan_name
from fangkong.readiness.disinfection import (
    disinfection_log,
    logs_visible,
    owed_visible,
    schedule_add,
    schedule_stop,
)
from fangkong.readiness.forms import (
    ConsumptionForm,
    InjuryForm,
    IssueForm,
    LogForm,
    ReceiptForm,
    RequestForm,
    ScheduleForm,
    ShiftForm,
)
from fangkong.readiness.injuries import (
    injuries_visible,
    injury_mark_reported,
    injury_offices,
    injury_record,
    report_of,
)
from fangkong.readiness.models import DisinfectionSchedule, StockBatch
from fangkong.readiness.selectors import (
    AHEAD_DAYS,
    coverage,
    on_duty,
    shifts_visible,
    uncovered_now,
)
from fangkong.readiness.services import shift_handover, shift_remove, shifts_add
from fangkong.readiness.supplies import (
    EXPIRING_DAYS,
    covers,
    covers_short_first,
    moves_of,
    requests_open_to,
    requests_visible,
    stock_consume,
    stock_issue,
    stock_receive,
    supply_request,
)

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
        refusal_messages(request, error)
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
                errors_on_form(form, error)
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


# --- supplies (L-03, L-07) and disinfection (L-02, L-08, L-12) -----------------------------

MOVES_SHOWN = 30
LOGS_SHOWN = 30
OWED_SHOWN = 200


def _saved(
    request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], object]
) -> bool:
    """Run the write with the form's data; a refusal's reasons go onto the form's fields."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        errors_on_form(form, error)
        return False
    messages.success(request, _("Saved."))
    return True


def _unit_of_page(request: HttpRequest, unit_id: int) -> tuple[Unit, bool]:
    """The unit of a supplies or disinfection page (one of the user's, else 404) and whether the
    user keeps its supplies; a POST by anyone else is refused."""
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    may_keep = user_can(request.user, Capability.KEEP_SUPPLIES, unit)
    if request.method == "POST" and not may_keep:
        raise PermissionDenied
    return unit, may_keep


@login_required
def supplies_view(request: HttpRequest) -> HttpResponse:
    """The supplies overview (物资储备): the user's units by cover, those short of their plan's
    target first, then those with stock expiring."""
    if not any_role_scope(request.user):
        raise PermissionDenied
    return render(
        request,
        "readiness/supplies.html",
        {"covers": covers_short_first(request.user), "expiring_days": EXPIRING_DAYS},
    )


@login_required
def supplies_unit_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One unit's supplies on a phone: cover per item, batches by expiry, the forms of receipts,
    consumption, a request to the unit above and issues to the units below."""
    unit, may_keep = _unit_of_page(request, unit_id)
    action = query_choice(request.POST, "action", ["receive", "consume", "request", "issue"], "")
    actor = request.user

    def bound(name: str) -> dict[str, Any] | None:
        return request.POST if action == name else None

    below = Unit.objects.filter(parent=unit).order_by("path")
    receipt = ReceiptForm(bound("receive"), prefix="receive")
    consumption = ConsumptionForm(bound("consume"), prefix="consume")
    asking = RequestForm(bound("request"), prefix="request")
    issuing = IssueForm(bound("issue"), prefix="issue", below=below)
    answered = None
    if action == "issue" and (asked_id := query_int(request.POST, "request")) is not None:
        answered = requests_open_to(unit).filter(pk=asked_id).first()
        if answered is None:  # answered meanwhile, or not this unit's to answer
            raise Http404
    writes: dict[str, tuple[forms.Form, Callable[[dict[str, Any]], object]]] = {
        "receive": (
            receipt,
            lambda d: stock_receive(
                actor=actor, unit=unit, item=d["item"], quantity=d["quantity"],
                expires_on=d["expires_on"],
            ),
        ),
        "consume": (
            consumption,
            lambda d: stock_consume(actor=actor, unit=unit, item=d["item"], quantity=d["quantity"]),
        ),
        "request": (
            asking,
            lambda d: supply_request(
                actor=actor, unit=unit, item=d["item"], quantity=d["quantity"], note=d["note"]
            ),
        ),
        "issue": (
            issuing,
            lambda d: stock_issue(
                actor=actor, from_unit=unit, to_unit=d["to_unit"], item=d["item"],
                quantity=d["quantity"], request=answered,
            ),
        ),
    }  # fmt: skip
    code = 200
    if action:
        form, write = writes[action]
        if _saved(request, form, write):
            return redirect(request.path)
        code = 400
    found = covers([unit])
    return render(
        request,
        "readiness/supplies_unit.html",
        {
            "unit": unit,
            "cover": found[0] if found else None,
            "batches": list(
                StockBatch.objects.filter(unit=unit, quantity__gt=0).order_by("expires_on", "id")
            ),
            "moves": moves_of(unit, MOVES_SHOWN),
            "asked": list(requests_visible(request.user).filter(unit=unit)[:MOVES_SHOWN]),
            "open_to": list(requests_open_to(unit)),
            "may_keep": may_keep,
            "receipt": receipt,
            "consumption": consumption,
            "asking": asking if unit.parent_id else None,
            "issuing": issuing if below.exists() else None,
            "today": clock.localdate(),
        },
        status=code,
    )


def _with_places(owed: list[Obligation]) -> list[tuple[Obligation, DisinfectionSchedule | None]]:
    """Each owed disinfection with its schedule (the place): one query."""
    ids = [int(o.rule_id.split(":")[1]) for o in owed if o.rule_id.startswith("disinfection:")]
    places = {s.rule_id: s for s in DisinfectionSchedule.objects.filter(pk__in=ids)}
    return [(o, places.get(o.rule_id)) for o in owed]


@login_required
def disinfection_view(request: HttpRequest) -> HttpResponse:
    """The disinfections owed in the user's units (消毒任务), the overdue ones first."""
    if not any_role_scope(request.user):
        raise PermissionDenied
    owed = list(owed_visible(request.user)[:OWED_SHOWN])
    return render(
        request,
        "readiness/disinfection.html",
        {"owed": _with_places(owed), "now": clock.now()},
    )


@login_required
def disinfection_unit_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One unit's places to disinfect: what is owed today, the form that logs a disinfection
    done, the schedules (adding and stopping one) and the recent log."""
    unit, may_keep = _unit_of_page(request, unit_id)
    action = query_choice(request.POST, "action", ["schedule", "log", "stop"], "")
    actor = request.user
    schedules = DisinfectionSchedule.objects.filter(unit=unit, active=True)
    adding = ScheduleForm(request.POST if action == "schedule" else None, prefix="schedule")
    logging = LogForm(
        request.POST if action == "log" else None,
        prefix="log",
        schedules=schedules,
        initial={"done_at": clock.now().astimezone(clock.tz()).strftime("%Y-%m-%dT%H:%M")},
    )
    code = 200
    if action == "stop":
        stopping = schedules.filter(pk=query_int(request.POST, "schedule") or 0).first()
        if stopping is None:
            raise Http404
        schedule_stop(actor=actor, schedule=stopping)
        messages.success(request, _("Saved."))
        return redirect(request.path)
    if action == "schedule":
        if _saved(
            request,
            adding,
            lambda d: schedule_add(
                actor=actor, unit=unit, place=d["place"], times_per_day=d["times_per_day"]
            ),
        ):
            return redirect(request.path)
        code = 400
    if action == "log":
        if _saved(
            request,
            logging,
            lambda d: disinfection_log(actor=actor, schedule=d["schedule"], data=logging.log()),
        ):
            return redirect(request.path)
        code = 400
    owed = list(owed_visible(request.user).filter(unit=unit)[:OWED_SHOWN])
    return render(
        request,
        "readiness/disinfection_unit.html",
        {
            "unit": unit,
            "owed": _with_places(owed),
            "schedules": list(schedules),
            "logs": list(logs_visible(request.user).filter(unit=unit)[:LOGS_SHOWN]),
            "may_keep": may_keep,
            "adding": adding,
            "logging": logging,
            "now": clock.now(),
        },
        status=code,
    )


INJURIES_SHOWN = 200


@login_required
def injuries_view(request: HttpRequest) -> HttpResponse:
    """The register of work injuries of the user's offices, the latest first, each with the
    written report owed (G-13); POST records an injury an employer reported by phone."""
    if not user_can(request.user, Capability.RECORD_INJURIES):
        raise PermissionDenied
    offices = injury_offices(request.user)
    form = InjuryForm(request.POST if request.method == "POST" else None, offices=offices)
    code = 200
    if form.is_bound:
        if _saved(request, form, lambda _d: injury_record(actor=request.user, data=form.injury())):
            return redirect("injuries")
        code = 400
    injuries = list(injuries_visible(request.user)[:INJURIES_SHOWN])
    owed = report_of(injuries)
    return render(
        request,
        "readiness/injuries.html",
        {
            "form": form,
            "offices": offices,
            "rows": [(injury, owed.get(injury.pk)) for injury in injuries],
            "now": clock.now(),
        },
        status=code,
    )


@login_required
@require_POST
def injury_reported_view(request: HttpRequest, injury_id: int) -> HttpResponse:
    """POST: the office received the employer's written report of this injury."""
    injury = get_object_or_404(injuries_visible(request.user), pk=injury_id)
    try:
        injury_mark_reported(actor=request_user(request), injury=injury)
        messages.success(request, _("Written report received."))
    except ValidationError as error:
        refusal_messages(request, error)
    return redirect("injuries")
