"""Plan pages: packs and their rules, scenarios, measures, obligations, risk areas, what-if, inbox.

Views parse the request, call a selector or service, render; the engine is never re-implemented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticError

from fangkong.core import clock
from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import ID_MAX, BadInput, local_url, query_int, whole_number
from fangkong.core.spreadsheets import ImportFileError, uploaded_table
from fangkong.obligations.models import Obligation, ObligationKind
from fangkong.obligations.selectors import (
    GROUP_CAP,
    GROUP_ORDERS,
    ORDERS,
    ObligationState,
    inbox,
    obligations_counts,
    obligations_grouped,
    obligations_list,
)
from fangkong.obligations.services import (
    SELECTION_MAX,
    obligation_meet,
    obligations_meet_selected,
    obligations_remind,
)
from fangkong.org.access import request_user, scope, units_in, user_can, user_can_everywhere
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_get_visible
from fangkong.policy.describe import release_verdict, rule_table
from fangkong.policy.forms import (
    AssignmentForm,
    CrossInfectionForm,
    MeetForm,
    ReleaseFactForm,
    ReleaseForm,
    RiskAreaForm,
    ScenarioForm,
    UploadForm,
    WhatIfForm,
)
from fangkong.policy.models import PlanAssignment, RiskArea
from fangkong.policy.packs import PackError, pack_derive, packs_all
from fangkong.policy.resolver import pack_in_force
from fangkong.policy.scenario import Scenario, ScenarioError, scenario_problems
from fangkong.policy.selectors import (
    measures_active,
    measures_release_plan,
    measures_summary,
    person_release_check,
    risk_area_history,
    risk_areas_current,
    what_if,
)
from fangkong.policy.services import (
    measures_release,
    plan_assign,
    release_fact_record,
    risk_area_change,
    risk_area_create,
    risk_area_withdraw,
    risk_areas_import,
    site_cross_infection,
)
from fangkong.quarantine.forecast import beds_under

PAGE_SIZE = 50


def _units(request: HttpRequest, capability: Capability = Capability.VIEW_PEOPLE) -> Any:
    return units_in(request.user, capability).order_by("path")


def _chosen_unit(request: HttpRequest) -> Unit | None:
    chosen = query_int(request.GET, "unit")
    return _units(request).filter(pk=chosen).first() if chosen else None


@login_required
def plan_list_view(request: HttpRequest) -> HttpResponse:
    assignments = (
        PlanAssignment.objects.filter(
            scope(request.user, Capability.VIEW_PEOPLE).units("unit__path")
        )
        .select_related("unit")
        .order_by("unit__path", "-start_date")
    )
    return render(
        request,
        "policy/plan_list.html",
        {
            "packs": packs_all().values(),
            "assignments": assignments,
            "can_manage": user_can(request.user, Capability.MANAGE_PLANS),
            "counts": obligations_counts(request.user),
            "measures": measures_summary(request.user),
        },
    )


@login_required
def plan_detail_view(request: HttpRequest, pack_id: str) -> HttpResponse:
    pack = packs_all().get(pack_id)
    if pack is None:
        raise Http404
    result = None
    scenario_json = None
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scenario_json = form.scenario(pack.id, clock.now())
        areas = risk_areas_current().filter(level__in=[*pack.risk_levels])
        scenario_json["risk_areas"] = [
            {
                "region": a.region_id,
                "level": a.level,
                "from": a.start_date.isoformat(),
                "to": (a.end_date or a.start_date.replace(year=9999)).isoformat(),
            }
            for a in areas
        ]
        scenario_json["local_case_cities"] = list(
            risk_areas_current().filter(level="local_case_city").values_list("region_id", flat=True)
        )
        try:
            scenario = Scenario.model_validate(scenario_json)
            result = scenario.evaluate(pack, clock.tz()).as_json()
        except PydanticError as error:
            for field, reason in scenario_problems(error):
                form.add_error(None, f"{field}: {reason}")
        except ScenarioError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "policy/plan_detail.html",
        {"pack": pack, "rows": rule_table(pack), "form": form, "result": result},
    )


@login_required
def measure_list_view(request: HttpRequest) -> HttpResponse:
    unit = _chosen_unit(request)
    kind = request.GET.get("kind", "")
    rows = measures_active(request.user, unit=unit)
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "policy/measure_list.html",
        {
            "page": page,
            "units": _units(request),
            "unit": unit,
            "kind": kind,
            "summary": measures_summary(request.user, unit),
            "can_export": user_can(request.user, Capability.EXPORT),
            "sites": _units(request, Capability.MANAGE_PLANS).filter(
                kind=Unit.Kind.QUARANTINE_SITE
            ),
            "cross_form": CrossInfectionForm(
                sites=_units(request, Capability.MANAGE_PLANS).filter(
                    kind=Unit.Kind.QUARANTINE_SITE
                ),
                initial={"on": clock.localdate()},
            ),
        },
    )


@dataclass
class _Page:
    """A page that knows whether a next one exists without counting the whole list (a county's
    overdue list can hold hundreds of thousands of rows)."""

    rows: list[Any]
    number: int
    has_next: bool

    def __iter__(self) -> Any:
        return iter(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page_without_count(rows: Any, number: int) -> _Page:
    start = (number - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    return _Page(found[:PAGE_SIZE], number, len(found) > PAGE_SIZE)


def _obligation_filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string; a kind or order no one could mean is a 400."""
    kind = request.GET.get("kind", "")
    if kind and kind not in ObligationKind.values:
        raise BadInput("kind", _("Unknown kind."))
    order = request.GET.get("order", "")
    if order and order not in ORDERS and order not in GROUP_ORDERS:
        raise BadInput("order", _("Unknown order."))
    state = request.GET.get("state", "overdue")
    return {
        "unit": _chosen_unit(request),
        "state": state if state in get_args(ObligationState) else "overdue",
        "kind": kind,
        "order": order,
        "only_unit": request.GET.get("only") == "1",
    }


@login_required
def obligation_list_view(request: HttpRequest) -> HttpResponse:
    """The deadlines of the user's units: by unit and kind (``view=groups``, a group drilling
    down to its list), or one by one, with the bulk actions of the unit's workers."""
    filters = _obligation_filters(request)
    unit, state, order = filters["unit"], filters["state"], filters["order"]
    groups = request.GET.get("view") == "groups"
    context: dict[str, Any] = {
        "counts": obligations_counts(request.user, unit),
        "now": clock.now(),
        "can_meet": user_can(request.user, Capability.EDIT_PEOPLE),
        "can_export": user_can(request.user, Capability.EXPORT),
        "selection_max": SELECTION_MAX,
        "groups_view": groups,
        "orders": ORDERS,
        **filters,
    }
    if groups:
        context["groups"] = obligations_grouped(
            request.user, state=state, unit=unit, order=order if order in GROUP_ORDERS else "-count"
        )
        context["group_cap"] = GROUP_CAP
    else:
        rows = obligations_list(
            request.user, **{**filters, "order": order if order in ORDERS else "due"}
        )
        # The row offset of the last page allowed still fits the databases' 64-bit integers.
        number = query_int(request.GET, "page", high=ID_MAX // PAGE_SIZE) or 1
        context["page"] = _page_without_count(rows, number)
    return render(request, "policy/obligation_list.html", context)


@login_required
@require_POST
def obligation_meet_view(request: HttpRequest, obligation_id: int) -> HttpResponse:
    obligation = get_object_or_404(
        Obligation.objects.filter(scope(request.user, Capability.VIEW_PEOPLE).units("unit__path")),
        pk=obligation_id,
    )
    form = MeetForm(request.POST)
    form.is_valid()
    try:
        obligation_meet(
            actor=request_user(request),
            obligation=obligation,
            note=form.cleaned_data.get("note", ""),
        )
        messages.success(request, _("Recorded as met."))
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(local_url(request.POST.get("next", ""), reverse("obligation-list")))


@login_required
@require_POST
def obligations_meet_view(request: HttpRequest) -> HttpResponse:
    """Meet the chosen deadlines with one note (all or none); a selection past the cap is a 400."""
    ids = [whole_number(text) for text in request.POST.getlist("ids")]
    if None in ids or len(ids) > SELECTION_MAX:
        raise BadInput("ids", _("At most %(max)d deadlines at once.") % {"max": SELECTION_MAX})
    form = MeetForm(request.POST)
    form.is_valid()
    back = local_url(request.POST.get("next", ""), reverse("obligation-list"))
    try:
        met = obligations_meet_selected(
            actor=request_user(request),
            ids=[pk for pk in ids if pk is not None],
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("%(count)d deadlines recorded as met.") % {"count": met})
    return redirect(back)


@login_required
@require_POST
def obligations_remind_view(request: HttpRequest) -> HttpResponse:
    """Remind a unit of its overdue deadlines (its people's inbox, then e-mail and SMS)."""
    unit = get_object_or_404(_units(request), pk=query_int(request.POST, "unit") or 0)
    sent = obligations_remind(actor=request_user(request), unit=unit)
    if sent:
        messages.success(request, _("%(unit)s reminded.") % {"unit": unit.name})
    else:
        messages.info(request, _("Nothing overdue in %(unit)s.") % {"unit": unit.name})
    return redirect(local_url(request.POST.get("next", ""), reverse("obligation-list")))


@login_required
def risk_area_list_view(request: HttpRequest) -> HttpResponse:
    can_manage = user_can_everywhere(request.user, Capability.MANAGE_PLANS)
    form = RiskAreaForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                risk_area_create(actor=request_user(request), data=form.to_input())
                messages.success(request, _("Risk area published; people are being reclassified."))
                return redirect("risk-area-list")
            except ValidationError as error:
                errors_on_form(form, error)
    return render(
        request,
        "policy/risk_area_list.html",
        {
            "areas": risk_areas_current().order_by("region_id", "-start_date"),
            "form": form,
            "upload": UploadForm(),
            "can_manage": can_manage,
        },
    )


@login_required
def risk_area_detail_view(request: HttpRequest, area_id: int) -> HttpResponse:
    area = get_object_or_404(RiskArea.objects.select_related("region"), pk=area_id)
    can_manage = user_can_everywhere(request.user, Capability.MANAGE_PLANS)
    form = RiskAreaForm(
        request.POST or None,
        initial={
            "region": area.region,
            "level": area.level,
            "start_date": area.start_date,
            "end_date": area.end_date,
            "source": area.source,
        },
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if request.POST.get("withdraw"):
            try:
                risk_area_withdraw(actor=request_user(request), area=area)
                messages.success(request, _("Risk area withdrawn."))
                return redirect("risk-area-list")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        elif form.is_valid():
            try:
                new = risk_area_change(actor=request_user(request), area=area, data=form.to_input())
                messages.success(request, _("Risk area changed; the old version is kept."))
                return redirect("risk-area-detail", area_id=new.pk)
            except ValidationError as error:
                errors_on_form(form, error)
    return render(
        request,
        "policy/risk_area_detail.html",
        {"area": area, "history": risk_area_history(area), "form": form, "can_manage": can_manage},
    )


@login_required
@require_POST
def risk_area_import_view(request: HttpRequest) -> HttpResponse:
    if not user_can_everywhere(request.user, Capability.MANAGE_PLANS):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    report = None
    error_text = ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with uploaded_table(upload, "risk-areas") as path:
                report = risk_areas_import(actor=request_user(request), path=path)
        except ImportFileError as error:
            error_text = str(error)
    return render(
        request,
        "policy/risk_area_import.html",
        {"report": report, "error": error_text, "form": form},
        status=200 if report else 400,
    )


@login_required
def assignment_view(request: HttpRequest) -> HttpResponse:
    units = _units(request, Capability.MANAGE_PLANS)
    form = AssignmentForm(
        request.POST or None, units=units, initial={"start_date": clock.localdate()}
    )
    if request.method == "POST":
        if not units.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan_assign(
                    actor=request_user(request),
                    unit=data["unit"],
                    pack_id=data["pack_id"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
                messages.success(request, _("Plan assigned; people are being reclassified."))
                return redirect("plan-list")
            except ValidationError as error:
                errors_on_form(form, error)
    return render(request, "policy/assignment_form.html", {"form": form})


@login_required
def what_if_view(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    form = WhatIfForm(request.GET or None, units=units)
    result = None
    current = None
    beds = None
    rows: list[tuple[object, ...]] = []
    changed: list[tuple[str, str, str]] = []
    if request.GET and form.is_valid():
        data = form.cleaned_data
        overrides = form.overrides()
        try:
            pack = (
                pack_derive(data["pack_id"], data["changes"], overrides)
                if data["changes"].strip() or overrides
                else packs_all()[data["pack_id"]]
            )
        except PackError as error:
            form.add_error("changes", str(error))
        else:
            result = what_if(data["unit"], pack)
            current = pack_in_force(data["unit"])
            changed = form.changed()
            # The page composes the quarantine layer's beds (the domain of policy does not).
            beds = beds_under(data["unit"], result.days, result.beds_now, result.beds_then)
            rows = [
                (*row, now, then)
                for row, now, then in zip(result.rows(), beds.free_now, beds.free_then, strict=True)
            ]
    return render(
        request,
        "policy/what_if.html",
        {
            "form": form,
            "result": result,
            "current": current,
            "changed": changed,
            "beds": beds,
            "rows": rows,
        },
    )


@login_required
@require_POST
def cross_infection_view(request: HttpRequest) -> HttpResponse:
    sites = _units(request, Capability.MANAGE_PLANS).filter(kind=Unit.Kind.QUARANTINE_SITE)
    form = CrossInfectionForm(request.POST, sites=sites)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for message in errors:
                messages.error(
                    request,
                    f"{form.fields[field].label if field in form.fields else ''}: {message}",
                )
        return redirect("measure-list")
    count = site_cross_infection(
        actor=request_user(request), site=form.cleaned_data["site"], on=form.cleaned_data["on"]
    )
    messages.success(
        request, _("Quarantine restarted for %(count)d people at the site.") % {"count": count}
    )
    return redirect("measure-list")


@login_required
def person_release_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET: whether a release on the chosen day is allowed (可以解除：是 / 否，缺少：…) and what
    it does, to confirm; POST: the release, refused with what is missing."""
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    form = ReleaseForm(data or None, initial={"on": clock.localdate()})
    plan = None
    if form.is_valid():
        try:
            if request.method == "POST":
                measures_release(
                    actor=request_user(request),
                    person=person,
                    on=form.cleaned_data["on"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Released."))
                return redirect("person-detail", person_id=person.pk)
            plan = measures_release_plan(person.pk, form.cleaned_data["on"])
        except ValidationError as error:
            errors_on_form(form, error)
    return _render_release(request, person, form, plan, ReleaseFactForm())


def _render_release(
    request: HttpRequest, person: Any, form: ReleaseForm, plan: Any, fact_form: ReleaseFactForm
) -> HttpResponse:
    """The release page; a refused release or fact keeps what was typed (status 400)."""
    on = form.cleaned_data.get("on") if form.is_bound and hasattr(form, "cleaned_data") else None
    answer = person_release_check(person.pk, on or clock.localdate())
    return render(
        request,
        "policy/release.html",
        {
            "person": person,
            "form": form,
            "plan": plan,
            "answer": answer,
            "verdict": release_verdict(answer) if answer else "",
            "fact_form": fact_form,
        },
        status=400 if form.errors or fact_form.errors else 200,
    )


@login_required
@require_POST
def release_fact_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Record an object or environment sample, or the headquarters' consent (D-05, D-06)."""
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    fact_form = ReleaseFactForm(request.POST)
    if fact_form.is_valid():
        try:
            release_fact_record(actor=request_user(request), person=person, data=fact_form.fact())
        except ValidationError as error:
            errors_on_form(fact_form, error)
        else:
            messages.success(request, _("Recorded."))
            on = fact_form.cleaned_data["on"].isoformat()
            return redirect(f"{reverse('person-release', args=[person.pk])}?on={on}")
    form = ReleaseForm({"on": request.POST.get("release_on") or clock.localdate()})
    form.is_valid()
    return _render_release(request, person, form, None, fact_form)


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    notes = inbox(request.user)
    if request.method == "POST":
        notes.filter(read_at__isnull=True).update(read_at=clock.now())
        return redirect("inbox")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policy/inbox.html", {"page": page})
