"""Issue 13 item 7: the people under each measure, the deadlines and the risk areas leave as .xlsx
or .csv from their pages: the exporter's people only, as filtered, with names, not codes."""

from __future__ import annotations

import pytest

from conftest import Personas, body, export_urls, login, workbook_rows
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.obligations.services import obligations_tick
from fangkong.policy.tests.test_measures import at
from fangkong.policy.tests.test_plan_pages import under_p14

__all__ = ["under_p14"]  # fixture

pytestmark = pytest.mark.django_db


def test_the_measures_page_exports_the_people_under_each_measure(personas: Personas, under_p14):
    client = login(personas.worker_a)
    xlsx, _csv = export_urls(client.get("/plans/measures/?kind=home_health_monitoring"))
    assert xlsx == "/plans/measures/export.xlsx?kind=home_health_monitoring"
    rows = workbook_rows(client.get(xlsx))
    assert rows, "the returnee is under home health monitoring"
    assert {(r[0], r[1], r[3]) for r in rows} == {
        (under_p14.name, under_p14.id_masked, "居家健康监测")
    }
    assert "P14" not in str(rows)  # the plan by its title, the reason in words
    # a neighbouring village exports nobody of village A
    assert workbook_rows(login(personas.worker_b).get(xlsx)) == []
    events = AuditEvent.objects.filter(action="export", object_type="measure").order_by("id")
    assert [e.changes["count"] for e in events] == [len(rows), 0]


def test_the_deadlines_page_exports_the_overdue_list_as_shown(personas: Personas, under_p14):
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
        client = login(personas.worker_a)
        xlsx, csv_url = export_urls(client.get("/plans/obligations/?state=overdue"))
        rows = workbook_rows(client.get(xlsx))
        assert [(r[1], r[2], r[7]) for r in rows] == [("核酸检测", under_p14.name, "已逾期")] * 2
        assert workbook_rows(login(personas.worker_b).get(xlsx)) == []
        assert under_p14.name in body(client.get(csv_url)).decode("utf-8-sig")


@pytest.mark.parametrize(
    "url",
    [
        "/plans/obligations/export.xlsx?state=everything",
        "/plans/obligations/export.csv?unit=abc",
        "/plans/measures/export.xlsx?kind=prison",
        "/plans/measures/export.xlsx?unit=99999999999999999999",
    ],
)
def test_tampered_plan_export_parameters_answer_400(personas: Personas, url: str):
    assert login(personas.worker_a).get(url).status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_neighbours_unit_is_not_found_and_a_viewer_may_not_export_people(
    county, personas: Personas
):
    worker = login(personas.worker_a)
    assert (
        worker.get(f"/plans/obligations/export.xlsx?unit={county.village_b.pk}").status_code == 404
    )
    viewer = login(personas.viewer)
    assert export_urls(viewer.get("/plans/measures/")) == []
    assert viewer.get("/plans/measures/export.xlsx").status_code == 403


def test_risk_areas_export_with_region_names_and_level_names(personas: Personas, under_p14):
    xlsx, _csv = export_urls(login(personas.viewer).get("/plans/risk-areas/"))
    [row] = workbook_rows(login(personas.viewer).get(xlsx))
    assert (row[1], row[3], row[4], row[5]) == ("高风险地区", "另行通知", "公告", "210211")
    assert "大连" in row[0]
