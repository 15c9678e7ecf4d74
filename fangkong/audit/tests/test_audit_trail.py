"""Issue 10, finding 19: exports and risk-area changes reach the auditors of the units they
concern, and no audit row, URL or log line keeps a full ID number searched for."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.org.roles import Role
from fangkong.people.models import Person
from fangkong.policy.models import RiskArea

pytestmark = pytest.mark.django_db


def audit_page(user) -> str:
    response = login(user).get("/audit/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_export_is_on_the_audit_page_for_an_auditor_of_the_unit(
    personas: Personas, county: County, person_a: Person, person_b: Person
):
    auditor_a = make_user("auditor-a", Role.COMMANDER, county.village_a)
    auditor_b = make_user("auditor-b", Role.COMMANDER, county.village_b)
    # a worker's export covers their village; a commander's export filtered to village B, that
    login(personas.worker_a).get("/people/export.xlsx")
    login(personas.commander).get("/people/export.xlsx", {"unit": county.village_b.pk})
    exports = AuditEvent.objects.filter(action="export").order_by("pk")
    assert [(e.actor, e.unit) for e in exports] == [
        (personas.worker_a, county.village_a),
        (personas.commander, county.village_b),
    ]
    assert audit_page(auditor_a).count("<td>人员台账") == 1
    assert audit_page(auditor_b).count("<td>人员台账") == 1
    assert audit_page(personas.commander).count("<td>人员台账") == 2


def test_an_export_over_the_whole_scope_is_audited_under_the_unit_covering_it(
    personas: Personas, county: County, person_a: Person
):
    login(personas.commander).get("/people/export.xlsx")
    assert AuditEvent.objects.get(action="export").unit == county.hq


def test_risk_area_changes_are_on_the_audit_page_of_the_root_unit(
    personas: Personas, county: County, django_capture_on_commit_callbacks
):
    commander = login(personas.commander)
    with django_capture_on_commit_callbacks(execute=True):
        commander.post(
            reverse("risk-area-list"),
            {"region": "210211", "level": "high", "start_date": "2022-01-20"},
        )
        first = RiskArea.objects.get()
        commander.post(
            reverse("risk-area-detail", args=[first.pk]),
            {"region": "210211", "level": "medium", "start_date": "2022-01-20"},
        )
        commander.post(
            reverse("risk-area-detail", args=[RiskArea.objects.get(is_current=True).pk]),
            {"withdraw": "1"},
        )
    changes = AuditEvent.objects.filter(object_type="risk_area").order_by("pk")
    assert [(e.action, e.unit) for e in changes] == [
        ("create", county.hq),
        ("update", county.hq),
        ("delete", county.hq),
    ]
    assert audit_page(personas.commander).count("<td>风险地区 ") == 3


def no_full_id_in_audit_rows(number: str) -> bool:
    return not any(
        number in event.summary or number in str(event.changes)
        for event in AuditEvent.objects.all()
    )


def test_search_by_id_number_keeps_it_out_of_urls_and_audit_rows(
    personas: Personas, person_a: Person, person_b: Person
):
    number = make_resident_id(sequence="022")
    client = login(personas.worker_b)
    # the register's search form posts; the page it leads to names the number by its hash
    response = client.post("/people/", {"q": number})
    assert response.status_code == 302
    assert number not in response["Location"]
    assert "id_hash=" in response["Location"]
    page = client.get(response["Location"])
    assert "李四" in page.content.decode()
    assert number not in page.content.decode()
    # the export link of that page finds the same person, and its audit row keeps no number
    export = client.get(response["Location"].replace("/people/", "/people/export.xlsx"))
    assert export.status_code == 200
    assert AuditEvent.objects.get(action="export").changes["count"] == 1
    # a number typed into an export URL by hand is refused, naming the search form
    typed = client.get("/people/export.xlsx", {"q": number, "full": "1"})
    assert typed.status_code == 400
    assert "搜索框" in typed.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == 1
    assert no_full_id_in_audit_rows(number)


def test_api_search_by_id_number_keeps_it_out_of_the_url(
    personas: Personas, person_a: Person, person_b: Person
):
    number = make_resident_id(sequence="022")
    client = APIClient()
    client.force_authenticate(personas.worker_b)
    response = client.post("/api/people/search/", {"q": number}, format="json")
    assert response.status_code == 303
    assert number not in response["Location"]
    found = client.get(response["Location"]).json()["results"]
    assert [p["name"] for p in found] == ["李四"]
    # the other village's worker finds nobody with the same hash
    other = APIClient()
    other.force_authenticate(personas.worker_a)
    assert other.get(response["Location"]).json()["results"] == []
    # a body that is not an object of filters is a 400, not a 500
    assert client.post("/api/people/search/", [number], format="json").status_code == 400


def test_every_kind_of_record_the_services_audit_has_a_name_on_the_audit_page():
    # The audit page names the record an event concerns; a kind missing from the labels would
    # show its code (``placement``) to the reader.
    from pathlib import Path

    from django.utils import translation

    from fangkong.audit.templatetags.fangkong_audit import OBJECT_TYPES, object_type_label

    source = Path(__file__).resolve().parents[2]
    written = {
        kind
        for path in source.rglob("*.py")
        if "tests" not in path.parts
        for kind in re.findall(r'object_type="([a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert written, "the services' audit calls were not found"
    assert written <= set(OBJECT_TYPES), sorted(written - set(OBJECT_TYPES))
    with translation.override("zh-hans"):
        untranslated = [k for k in sorted(written) if re.search(r"[a-z]", object_type_label(k))]
    assert untranslated == []
