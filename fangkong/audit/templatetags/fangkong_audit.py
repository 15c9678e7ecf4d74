"""The audit trail in the reader's language: what kind of record an event concerns."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Every object_type the services write (audit_record callers).
OBJECT_TYPES = {
    "absence": _("absence"),
    "api_token": _("API token"),
    "audit_trail": _("audit trail"),
    "box": _("transport box"),
    "care_note": _("care note"),
    "checkin": _("health check-in"),
    "drug_sale": _("pharmacy sale"),
    "exposure": _("exposure"),
    "fever_event": _("fever"),
    "gathering": _("gathering application"),
    "shift": _("duty shift"),
    "stock": _("supplies stock"),
    "supply_request": _("supplies request"),
    "disinfection_schedule": _("disinfection schedule"),
    "disinfection_log": _("disinfection log"),
    "home_quarantine": _("home quarantine"),
    "home_visit": _("home visit"),
    "travel_request": _("leave or travel request"),
    "returnee_report": _("returnee report"),
    "case": _("case"),
    "outbreak": _("outbreak"),
    "investigation": _("epidemiological investigation"),
    "import_job": _("register import"),
    "lab_result": _("test result"),
    "measure": _("measure"),
    "membership": _("role"),
    "obligation": _("time limit"),  # 时限, as the menu names deadlines
    "person": _("person"),
    "person_list": _("register list"),
    "placement": _("quarantine placement"),
    "plan_assignment": _("plan in force"),
    "quarantine_site": _("quarantine site"),
    "release_fact": _("release condition"),
    "risk_area": _("risk area"),
    "room": _("quarantine room"),
    "samples": _("samples"),
    "sampling_point": _("sampling point"),
    "screening_round": _("screening round"),
    "self_checkin_link": _("personal check-in link"),
    "transfer": _("point-to-point transfer"),
    "tube": _("tube"),
    "tube_results": _("lab results"),
    "unit": _("unit"),
    "unit_report": _("unit report"),
    "zone_dismissal": _("dismissed zone proposal"),
    "venue": _("venue"),
    "venue_slot": _("time slot"),
    "reservation": _("reservation"),
    "gathering_guest": _("guest"),
    "work_injury": _("work injury"),
    "scans": _("venue code scans"),
    "trajectory_stop": _("trajectory stop"),
    "contact_candidate": _("candidate contact"),
    "gate": _("gate or checkpoint"),
    "gate_entry": _("gate entry"),
    "gate_entries": _("gate entries"),
    "gate_register": _("gate register"),
    "dose": _("vaccine dose"),
    "playbook_run": _("playbook run"),
}


@register.filter
def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, object_type))
