"""The downloads of the plans pages: people under each measure, deadlines and risk areas
(``audit.exports.list_export``); people's lists hold the user's export scope only."""

from __future__ import annotations

from typing import cast, get_args

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.exports import list_export
from fangkong.core.exports import Format
from fangkong.core.inputs import query_choice, query_int
from fangkong.obligations.models import ObligationStatus
from fangkong.obligations.selectors import ObligationState, obligations_list
from fangkong.org.access import Scope, request_user, root_unit_id, scope, units_in
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy import describe
from fangkong.policy.models import MeasureKind
from fangkong.policy.selectors import measures_active, risk_areas_current

STATE_NAMES = {
    "overdue": gettext_lazy("Overdue"),
    "due_today": gettext_lazy("Due today"),
    "open": gettext_lazy("All open"),
    "met": gettext_lazy("Met"),
}


def _unit_and_exporters(request: HttpRequest) -> tuple[Unit | None, Scope]:
    """The unit filter of the page (one of the user's units, or none: all of them), and the
    user's export scope within it."""
    exporters = scope(request.user, Capability.EXPORT)
    if not exporters:
        raise PermissionDenied
    if (chosen := query_int(request.GET, "unit")) is None:
        return None, exporters
    unit = get_object_or_404(units_in(request.user, Capability.VIEW_PEOPLE), pk=chosen)
    return unit, exporters.within(unit.path)


def _unit_filter(unit: Unit | None) -> str:
    return _("unit: %(unit)s") % {"unit": unit.name if unit else _("All my units")}


@login_required
def measures_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The people under a measure, as filtered on the measures page (unit, kind of measure)."""
    unit, exporters = _unit_and_exporters(request)
    measure = query_choice(request.GET, "kind", MeasureKind.values, "")
    rows = measures_active(request.user, unit=unit, capability=Capability.EXPORT)
    filters = _unit_filter(unit)
    if measure:
        rows = rows.filter(kind=measure)
        filters += _("; ") + describe.kind_label(measure)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Measures"),
        object_type="measure",
        unit_id=exporters.covering_unit_id(),
        header=[
            _("Name"),
            _("ID number"),
            _("Unit"),
            _("Measure"),
            _("From"),
            _("To"),
            _("Quarantine site"),
            _("Plan"),
            _("Why"),
        ],  # fmt: skip
        rows=rows,
        columns=(
            "person__name",
            "person__id_masked",
            "unit__name",
            "kind",
            "start_date",
            "end_date",
            "site__name",
            "pack_id",
            "rule_id",
        ),  # fmt: skip
        shape=lambda row: [
            *row[:3],
            describe.kind_label(row[3]),
            row[4],
            row[5] or _("until released"),
            row[6],
            describe.plan_name(row[7]),
            describe.rule_reason(row[7], row[8]),
        ],  # fmt: skip
        filters=filters,
    )


@login_required
def obligations_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The deadlines as listed on the deadlines page (overdue, due today, open or met)."""
    unit, exporters = _unit_and_exporters(request)
    state = query_choice(request.GET, "state", get_args(ObligationState), "overdue")
    statuses = dict(ObligationStatus.choices)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Deadlines"),
        object_type="obligation",
        unit_id=exporters.covering_unit_id(),
        header=[
            _("Due"),
            _("Kind"),
            _("Person"),
            _("ID number"),
            _("Responsible unit"),
            _("Plan"),
            _("Plan clause"),
            _("Status"),
            _("Met at"),
        ],  # fmt: skip
        rows=obligations_list(
            request.user,
            state=cast(ObligationState, state),
            unit=unit,
            capability=Capability.EXPORT,
        ),
        columns=(
            "due_at",
            "kind",
            "person__name",
            "person__id_masked",
            "unit__name",
            "pack_id",
            "clause",
            "status",
            "met_at",
        ),  # fmt: skip
        shape=lambda row: [
            row[0],
            describe.kind_label(row[1]),
            *row[2:5],
            describe.plan_name(row[5]) if row[5] else "",
            row[6],
            str(statuses.get(row[7], row[7])),
            row[8],
        ],  # fmt: skip
        filters=f"{STATE_NAMES[state]}{_('; ')}{_unit_filter(unit)}",
    )


@login_required
def risk_areas_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The risk areas in force, as on their page (published for everyone: no scope narrows
    them); the region's code last, as the import reads it."""
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Risk areas"),
        object_type="risk_area",
        unit_id=root_unit_id(),
        header=[
            _("Region"),
            _("Risk level"),
            _("From"),
            _("To"),
            _("Source"),
            _("Region code"),
        ],  # fmt: skip
        rows=risk_areas_current().order_by("region_id", "-start_date"),
        columns=("region__full_name", "level", "start_date", "end_date", "source", "region_id"),
        shape=lambda row: [
            row[0],
            describe.level_name(row[1]),
            row[2],
            row[3] or _("until further notice"),
            *row[4:],
        ],  # fmt: skip
    )
