"""Issue 13 item 7: rounds, a round's people not sampled yet, and tubes with their results leave
as .xlsx or .csv from the links on their pages, scoped, audited and with names, not codes."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import County, Personas, body, export_urls, login, workbook_rows
from fangkong.audit.models import AuditEvent
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import lab, pool, result, screening, technician, villagers

__all__ = ["lab", "screening", "technician"]  # fixtures

pytestmark = pytest.mark.django_db


def test_the_rounds_page_exports_its_rounds_with_the_sampled_count(
    county: County, personas: Personas, screening
):
    samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0100", villagers(county, personas, 3))
    )
    xlsx, csv_url = export_urls(login(personas.commander).get("/labs/"))
    [row] = workbook_rows(login(personas.commander).get(xlsx))
    assert (row[0], row[1], row[2], row[5], row[6], row[7]) == (
        "第一轮全员核酸", "泉湖街道", 10, "县疾控中心实验室", 3, "进行中",
    )  # fmt: skip
    text = body(login(personas.commander).get(csv_url)).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[:3] == ["轮次名称", "范围", "混采"]
    export = AuditEvent.objects.filter(action="export").latest("id")
    assert (export.object_type, export.changes) == ("screening_round", {"count": 1})


def test_the_unsampled_list_holds_only_the_exporters_people_not_sampled(
    county: County, personas: Personas, screening
):
    # given three villagers of A (one sampled) and two of B
    ours = villagers(county, personas, 3)
    villagers(county, personas, 2, unit=county.grid_b, first=200)
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T0101", ours[:1]))
    # when village A's grid worker exports the round's unsampled list from the round page
    client = login(personas.worker_a)
    links = export_urls(client.get(f"/labs/rounds/{screening.pk}/"))
    unsampled = next(link for link in links if "unsampled.xlsx" in link)
    rows = workbook_rows(client.get(unsampled))
    # then only A's two not sampled, ID numbers masked; B's villagers never appear
    assert [(row[0], row[1], row[3]) for row in rows] == [
        (p.name, p.id_masked, "甲村第1网格") for p in sorted(ours[1:], key=lambda p: p.name)
    ]
    assert AuditEvent.objects.filter(action="export").latest("id").changes == {"count": 2}


def test_a_viewer_without_the_export_capability_gets_no_unsampled_list(
    county: County, personas: Personas, screening
):
    client = login(personas.viewer)
    assert export_urls(client.get(f"/labs/rounds/{screening.pk}/")) == [
        f"/labs/tubes.xlsx?round={screening.pk}",
        f"/labs/tubes.csv?round={screening.pk}",
    ]
    assert client.get(f"/labs/rounds/{screening.pk}/unsampled.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/labs/rounds/{round}/unsampled.xlsx?unit=abc", 400),
        ("/labs/rounds/{round}/unsampled.csv?unit=99999999999999999999", 400),
        ("/labs/rounds/{round}/unsampled.xlsx?unit={outside}", 404),
        ("/labs/rounds/999999/unsampled.xlsx", 404),
        ("/labs/rounds/{round}/unsampled.pdf", 404),
        ("/labs/tubes.xlsx?round=x", 400),
        ("/labs/tubes.csv?round=999999", 404),
    ],
)
def test_tampered_export_parameters_answer_4xx(
    county: County, personas: Personas, screening, url: str, status: int
):
    outside = county.hq.pk  # above the round's area
    response = login(personas.worker_a).get(url.format(round=screening.pk, outside=outside))
    assert response.status_code == status


def test_a_lab_exports_the_tubes_sent_to_it_with_their_results_and_no_names(
    county: County, personas: Personas, screening, lab, technician
):
    samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0102", villagers(county, personas, 2))
    )
    samples_record(
        actor=personas.worker_b,
        round=screening,
        rows=pool("T0103", villagers(county, personas, 1, unit=county.grid_b, first=300)),
    )
    results_record(actor=technician, lab=lab, rows=[result("T0102", "positive", "28.5")])
    xlsx, _csv = export_urls(login(technician).get("/labs/results/"))
    rows = workbook_rows(login(technician).get(xlsx))
    assert {row[0]: (row[1], row[2], row[5], row[6], row[7], row[8]) for row in rows} == {
        "T0102": ("混管", "甲村", 2, "县疾控中心实验室", "阳性", 28.5),
        "T0103": ("混管", "乙村", 1, None, None, None),
    }
    # and a grid worker exports only the tubes of the worker's own village
    worker_rows = workbook_rows(login(personas.worker_b).get(xlsx))
    assert [row[0] for row in worker_rows] == ["T0103"]
