"""Issue 13 item 7: the audit trail leaves as .xlsx or .csv for a role that may read it and
export, of its own units only, in the reader's language."""

import pytest

from conftest import County, Personas, export_urls, login, make_user, workbook_rows
from fangkong.audit.models import AuditEvent
from fangkong.org.roles import Role
from fangkong.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_audit_page_exports_its_units_events_only(
    personas: Personas, county: County, person_a: Person, person_b: Person
):
    # given a principal of village A (audit and export) and people created in A and B
    principal = make_user("principal-a", Role.PRINCIPAL, county.village_a)
    client = login(principal)
    xlsx, _csv = export_urls(client.get("/audit/?action=create"))
    assert xlsx == "/audit/export.xlsx?action=create"
    # when the principal exports the "created" events
    rows = workbook_rows(client.get(xlsx))
    # then village A's events only (its person among them), actions and objects in Chinese
    assert ("hq", "新增", "人员", "甲村第1网格") in [(r[1], r[2], r[3], r[5]) for r in rows]
    assert {r[2] for r in rows} == {"新增"}
    assert not any("乙村" in str(cell) for row in rows for cell in row)
    export = AuditEvent.objects.get(action="export", object_type="audit_trail")
    assert export.changes == {"count": len(rows)}
    assert export.unit_id == county.village_a.pk


def test_roles_that_may_not_read_or_export_the_audit_trail_are_refused(personas: Personas):
    assert login(personas.worker_a).get("/audit/export.xlsx").status_code == 403
    assert login(personas.epidemiologist).get("/audit/export.csv").status_code == 403
    assert login(personas.commander).get("/audit/export.csv?action=steal").status_code == 400
