"""Pages of gates and checkpoints: the gates of the user's units, a gate's register of a day
(with its keepers and the download), and the gate phone's entry page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.audit.exports import list_export
from fangkong.core import clock
from fangkong.core.exports import Format
from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import query_date
from fangkong.gates.forms import EntryForm, GateForm, KeeperForm
from fangkong.gates.models import Gate, GateAction, Outcome
from fangkong.gates.selectors import gate_people_find, gate_register, gates_visible
from fangkong.gates.services import gate_create, gate_entry_record, gate_keeper_assign
from fangkong.monitoring.models import SYMPTOMS, HealthCode
from fangkong.monitoring.views import symptoms_of
from fangkong.org.access import request_user, scope, units_in, user_can
from fangkong.org.roles import Capability
from fangkong.tracing.models import Venue

REGISTER_MAX = 500  # a day's entries shown on the page; the download has them all


def _gate_form(request: HttpRequest, data: Any = None) -> GateForm:
    units = units_in(request.user, Capability.MANAGE_GATES).order_by("path")
    venues = Venue.objects.filter(
        scope(request.user, Capability.MANAGE_GATES).units("unit__path")
    ).order_by("name")
    return GateForm(data, units=units, venues=venues)


@login_required
def gate_list_view(request: HttpRequest) -> HttpResponse:
    """The gates and checkpoints the user manages or keeps; POST sets one up (managers)."""
    manages = user_can(request.user, Capability.MANAGE_GATES)
    if not manages and not user_can(request.user, Capability.KEEP_GATE):
        raise PermissionDenied
    form = _gate_form(request) if manages else None
    status = 200
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        form = _gate_form(request, request.POST)
        if form.is_valid():
            try:
                gate = gate_create(actor=request_user(request), **form.cleaned_data)
            except ValidationError as error:
                errors_on_form(form, error)
            else:
                messages.success(request, _("Gate set up."))
                return redirect("gate-register", gate_id=gate.pk)
        status = 400
    return render(
        request,
        "gates/list.html",
        {"gates": list(gates_visible(request.user)), "form": form},
        status=status,
    )


def _gate(request: HttpRequest, gate_id: int) -> Gate:
    return get_object_or_404(gates_visible(request.user), pk=gate_id)


@login_required
def gate_register_view(request: HttpRequest, gate_id: int) -> HttpResponse:
    """The gate's register of a day (P08: 外来人员登记), newest first; its keepers for managers."""
    gate = _gate(request, gate_id)
    day = query_date(request.GET, "day", clock.localdate())
    return _register_page(request, gate, day)


def _register_page(
    request: HttpRequest,
    gate: Gate,
    day: dt.date,
    keeper_form: KeeperForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manages = scope(request.user, Capability.MANAGE_GATES).covers(gate.unit)
    entries = list(gate_register(gate, day)[: REGISTER_MAX + 1])
    actions = dict(GateAction.choices)
    return render(
        request,
        "gates/register.html",
        {
            "gate": gate,
            "day": day,
            "rows": [
                (
                    entry,
                    "、".join(str(SYMPTOMS.get(code, code)) for code in entry.symptoms),
                    [str(actions.get(a, a)) for a in entry.actions],
                )
                for entry in entries[:REGISTER_MAX]
            ],
            "more": len(entries) > REGISTER_MAX,
            "keepers": list(gate.keepers.select_related("user").order_by("user__username"))
            if manages
            else [],
            "keeper_form": keeper_form or (KeeperForm() if manages else None),
            "can_export": user_can(request.user, Capability.EXPORT, gate.unit),
        },
        status=status,
    )


@login_required
@require_POST
def gate_keeper_view(request: HttpRequest, gate_id: int) -> HttpResponse:
    """POST: assign a user holding the gate keeper's role to keep this gate."""
    gate = _gate(request, gate_id)
    form = KeeperForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", _("Keeper: no user of that name."))
        else:
            try:
                gate_keeper_assign(actor=request_user(request), gate=gate, user=user)
            except ValidationError as error:
                form.add_error("username", " ".join(error.messages))
            else:
                messages.success(request, _("Keeper assigned."))
                return redirect("gate-register", gate_id=gate.pk)
    return _register_page(request, gate, clock.localdate(), keeper_form=form, status=400)


@login_required
def gate_export_view(request: HttpRequest, gate_id: int, kind: Format) -> HttpResponseBase:
    """The gate's register of the day chosen, for a user who may also export."""
    gate = _gate(request, gate_id)
    if not user_can(request.user, Capability.EXPORT, gate.unit):
        raise PermissionDenied
    day = query_date(request.GET, "day", clock.localdate())
    actions = dict(GateAction.choices)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Register of %(gate)s") % {"gate": gate.name},
        object_type="gate_register",
        unit_id=gate.unit_id,
        header=[
            _("Time"),
            _("Name"),
            _("Phone"),
            _("Temperature (°C)"),
            _("Symptoms"),
            _("From the epidemic area"),
            _("In contact with people from the epidemic area"),
            _("Health code"),
            _("Outcome"),
            _("Reason"),
            _("Disinfected"),
            _("Actions"),
        ],  # fmt: skip
        rows=gate_register(gate, day).order_by("at", "id"),
        columns=(
            "at",
            "person__name",
            "person__phone",
            "visitor__name",
            "visitor__phone",
            "celsius",
            "symptoms",
            "from_epidemic_area",
            "epidemic_contact",
            "health_code",
            "outcome",
            "reason",
            "disinfected",
            "actions",
        ),
        shape=lambda row: _export_row(row, actions),
        filters=day.isoformat(),
    )


def _export_row(row: tuple[Any, ...], actions: dict[str, Any]) -> list[object]:
    (at, name, phone, visitor, visitor_phone, celsius, symptoms, area, contact, code, outcome,
     reason, disinfected, done) = row  # fmt: skip
    yes, no = _("yes"), _("no")
    return [
        at,
        name or visitor,
        phone or visitor_phone,
        celsius,
        "、".join(str(SYMPTOMS.get(s, s)) for s in symptoms or []),
        yes if area else no,
        yes if contact else no,
        HealthCode(code).label if code else "",
        Outcome(outcome).label,
        reason,
        yes if disinfected else no,
        "、".join(str(actions.get(a, a)) for a in done or []),
    ]


@login_required
def gate_entry_view(request: HttpRequest, gate_id: int) -> HttpResponse:
    """The gate phone's page: find a registered person by name (``?q=``) or type a visitor in,
    then the temperature, symptoms, questions, code, outcome and disinfection (E-19 … E-21)."""
    gate = _gate(request, gate_id)
    symptoms = symptoms_of(gate.unit)
    query = request.GET.get("q", "")[:50]
    found = gate_people_find(request.user, gate, query)
    if request.method != "POST":
        return _entry_page(request, gate, EntryForm(symptoms=symptoms), query, found)
    form = EntryForm(request.POST, symptoms=symptoms)
    if form.is_valid():
        try:
            entry = gate_entry_record(actor=request_user(request), data=form.entry(gate.pk))
        except ValidationError as error:
            errors_on_form(form, error)
        else:
            messages.success(
                request,
                _("Registered: %(outcome)s.") % {"outcome": entry.get_outcome_display()},
            )
            return redirect("gate-entry", gate_id=gate.pk)
    return _entry_page(request, gate, form, query, found, status=400)


def _entry_page(
    request: HttpRequest,
    gate: Gate,
    form: EntryForm,
    query: str,
    found: list[Any],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "gates/entry.html",
        {"gate": gate, "form": form, "query": query, "found": found},
        status=status,
    )
