"""The downloads of the monitoring page: a unit's check-ins of a day and its fevers
(``audit.exports.list_export``), of the people in the user's export scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from fangkong.audit.exports import list_export
from fangkong.core import clock
from fangkong.core.exports import Format
from fangkong.core.inputs import query_date, query_int
from fangkong.monitoring.models import (
    SYMPTOMS,
    CheckinStatus,
    CheckinVia,
    FeverDisposition,
    HealthCode,
)
from fangkong.monitoring.selectors import checkins_of_day, fevers_open, unit_people
from fangkong.org.access import Scope, request_user, scope, units_in
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy import describe


def _unit_and_exporters(request: HttpRequest) -> tuple[Unit, Scope]:
    """The unit asked for (one of the user's), and the export scope within it."""
    exporters = scope(request.user, Capability.EXPORT)
    if not exporters:
        raise PermissionDenied
    unit = get_object_or_404(
        units_in(request.user, Capability.VIEW_PEOPLE), pk=query_int(request.GET, "unit")
    )
    return unit, exporters.within(unit.path)


def _symptoms(codes: list[str]) -> str:
    return "、".join(str(SYMPTOMS.get(code, code)) for code in codes)


@login_required
def checkins_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The day's check-ins (``?day=``, today by default) of the people a unit watches over."""
    unit, exporters = _unit_and_exporters(request)
    day = query_date(request.GET, "day", clock.localdate())
    people = unit_people(unit).filter(exporters.people())
    labels = {
        "status": dict(CheckinStatus.choices),
        "via": dict(CheckinVia.choices),
        "code": dict(HealthCode.choices),
    }
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Health check-ins"),
        object_type="checkin",
        unit_id=exporters.covering_unit_id(),
        header=[
            _("Time"),
            _("Name"),
            _("ID number"),
            _("Home unit"),
            _("Check-in unit"),
            _("Temperature (°C)"),
            _("Symptoms"),
            _("Health code"),
            _("Status"),
            _("Recorded through"),
        ],  # fmt: skip
        rows=checkins_of_day(people, day).order_by("at", "id"),
        columns=(
            "at",
            "person__name",
            "person__id_masked",
            "person__unit__name",
            "unit__name",
            "celsius",
            "symptoms",
            "health_code",
            "status",
            "via",
        ),  # fmt: skip
        shape=lambda row: [
            *row[:6],
            _symptoms(row[6]),
            str(labels["code"].get(row[7], "")),
            str(labels["status"][row[8]]),
            str(labels["via"].get(row[9], row[9])),
        ],  # fmt: skip
        filters=_("unit: %(unit)s; day: %(day)s") % {"unit": unit.name, "day": day},
    )


@login_required
def fevers_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """Every fever of a unit's subtree, newest first, with where each person went."""
    unit, exporters = _unit_and_exporters(request)
    dispositions = dict(FeverDisposition.choices)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Fevers"),
        object_type="fever_event",
        unit_id=exporters.covering_unit_id(),
        header=[
            _("Confirmed at"),
            _("Name"),
            _("ID number"),
            _("Unit"),
            _("Temperature (°C)"),
            _("Symptoms"),
            _("Plan"),
            _("Where now"),
            _("Closed at"),
        ],  # fmt: skip
        rows=fevers_open(request.user, Capability.EXPORT).filter(unit__path__startswith=unit.path),
        columns=(
            "confirmed_at",
            "person__name",
            "person__id_masked",
            "unit__name",
            "checkin__celsius",
            "checkin__symptoms",
            "pack_id",
            "disposition",
            "closed_at",
        ),  # fmt: skip
        shape=lambda row: [
            *row[:5],
            _symptoms(row[5]),
            describe.plan_name(row[6]),
            str(dispositions.get(row[7], row[7])),
            row[8],
        ],  # fmt: skip
        filters=_("unit: %(unit)s") % {"unit": unit.name},
    )
