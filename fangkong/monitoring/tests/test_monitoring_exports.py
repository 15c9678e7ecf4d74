"""Issue 13 item 7: a unit's check-ins of a day and its fevers leave as .xlsx or .csv from the
monitoring page: the exporter's people only, masked, audited, symptoms and statuses in Chinese."""

from __future__ import annotations

import pytest

from conftest import County, Personas, export_urls, login, workbook_rows
from fangkong.audit.models import AuditEvent
from fangkong.monitoring.tests.test_monitoring import as_, under
from fangkong.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_monitoring_page_exports_the_days_check_ins_and_the_fevers_of_the_unit(
    county: County, personas: Personas, person_a: Person, person_b: Person
):
    # given a fever in village A and a normal check-in in village B
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "staff")
    for value in ("37.9", "38.0"):
        login(personas.worker_a).post(
            "/api/checkins/", {"person": person_a.pk, "celsius": value, "symptoms": ["cough"]}
        )
    login(personas.worker_b).post("/api/checkins/", {"person": person_b.pk, "celsius": "36.5"})
    # when the headquarters exports its township's check-ins and fevers from the page
    client = login(personas.commander)
    page = client.get(f"/monitoring/?unit={county.township.pk}&day=2022-02-01")
    checkins, _csv, fevers, _fevers_csv = export_urls(page)
    rows = workbook_rows(client.get(checkins))
    # then every check-in of the day, names and labels in Chinese, ID numbers masked
    assert [(r[1], r[2], r[3], r[5], r[8]) for r in rows] == [
        ("张三", person_a.id_masked, "甲村第1网格", 37.9, "需复测"),
        ("张三", person_a.id_masked, "甲村第1网格", 38.0, "发热"),
        ("李四", person_b.id_masked, "乙村第1网格", 36.5, "正常"),
    ]
    assert rows[0][6] == "咳嗽"
    [fever] = workbook_rows(client.get(fevers))
    assert (fever[1], fever[3], fever[4], fever[7]) == ("张三", "甲村第1网格", 38.0, "留观室观察中")
    # and village B's grid worker gets B's people only, and nothing of village A
    worker = login(personas.worker_b)
    own = export_urls(worker.get(f"/monitoring/?unit={county.village_b.pk}"))[0]
    assert [r[1] for r in workbook_rows(worker.get(own))] == ["李四"]
    assert worker.get(checkins).status_code == 404
    assert worker.get(f"/monitoring/fevers.xlsx?unit={county.village_a.pk}").status_code == 404
    export = AuditEvent.objects.filter(action="export", object_type="fever_event").get()
    assert export.changes == {"count": 1}


@pytest.mark.parametrize(
    "query", ["", "?unit=abc", "?unit=99999999999999999999", "?unit={unit}&day=2022-13-45"]
)
def test_tampered_monitoring_export_parameters_answer_4xx(
    county: County, personas: Personas, query: str
):
    url = "/monitoring/checkins.csv" + query.format(unit=county.village_a.pk)
    assert login(personas.worker_a).get(url).status_code in (400, 404)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_role_without_the_export_capability_sees_no_link_and_is_refused(
    county: County, personas: Personas
):
    client = login(personas.teacher)
    assert export_urls(client.get(f"/monitoring/?unit={county.class_1.pk}")) == []
    assert client.get(f"/monitoring/checkins.xlsx?unit={county.class_1.pk}").status_code == 403
