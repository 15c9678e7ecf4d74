"""Assistance notices (协查通告, H-02) for contacts outside the investigator's units: besides the
message and the deadline inside Fangkong, the file the county sends outside, from the
investigation page and the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from conftest import Personas, body, export_urls, login, make_resident_id, workbook_rows
from fangkong.audit.models import AuditEvent
from fangkong.people.models import Person
from fangkong.tracing.models import Investigation


@pytest.fixture
def investigation(personas: Personas, person_a: Person, person_b: Person) -> Investigation:
    """The case of 张三 in village A, whose line list names 李四 of village B: a notice."""
    worker = login(personas.worker_a)
    case_id = worker.post("/api/cases/", {"person": person_a.pk, "kind": "confirmed"}).json()["id"]
    url = reverse("case-investigation", args=[case_id])
    worker.post(url, {"action": "open"})
    listed = worker.post(
        url,
        {
            "action": "contacts",
            "name": "李四",
            "id_number": make_resident_id(sequence="022"),
            "phone": "",
            "unit": "",
            "kind": "close_contact",
            "last_exposed_at": "2022-01-31T08:00",
            "how": "同车",
        },
    )
    assert listed.context["outcome"].noticed == 1
    return Investigation.objects.get(case_id=case_id)


def test_h02_the_investigation_page_offers_the_assistance_notice_as_a_file(
    personas, person_b, investigation
):
    worker = login(personas.worker_a)
    page = worker.get(reverse("case-investigation", args=[investigation.case_id]))
    assert "协查通告" in page.content.decode()
    xlsx, csv_url = export_urls(page)
    assert xlsx == reverse("assistance-export", args=[investigation.case_id])
    [row] = workbook_rows(worker.get(xlsx))
    assert row[:5] == ("李四", person_b.id_masked, "13900139000", "乙村第1网格", "密切接触者")
    assert row[6:8] == ("张三", "甲村第1网格")
    assert row[10] == "待办"
    text = body(worker.get(csv_url)).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0][:3] == ["姓名", "证件号码", "手机号码"]
    assert make_resident_id(sequence="022") not in text
    assert AuditEvent.objects.filter(object_type="investigation", action="export").count() == 2


def test_h02_the_api_lists_the_notices_and_sends_the_file(personas, person_b, investigation):
    worker = login(personas.worker_a)
    url = f"/api/cases/{investigation.case_id}/investigation/assistance/"
    [notice] = worker.get(url).json()
    assert notice["person"] == person_b.pk
    assert notice["exposure_kind"] == "close_contact"
    assert notice["unit"] == "乙村第1网格"
    assert workbook_rows(worker.get(url, {"file": "xlsx"}))[0][0] == "李四"
    refused = worker.get(url, {"file": "pdf"})
    assert refused.status_code == 400
    assert "file" in refused.json()


def test_h02_only_the_case_s_investigators_get_the_notice(personas, investigation):
    url = f"/api/cases/{investigation.case_id}/investigation/assistance/"
    export = reverse("assistance-export", args=[investigation.case_id])
    # the neighbour does not see the case at all
    neighbour = login(personas.worker_b)
    assert neighbour.get(url).status_code == 404
    assert neighbour.get(export).status_code == 404
    assert (
        "协查通告"
        not in neighbour.get(
            reverse("case-investigation", args=[investigation.case_id])
        ).content.decode()
    )
    # the viewer sees the case but investigates nothing
    viewer = login(personas.viewer)
    assert viewer.get(url).status_code == 403
    assert viewer.get(url, {"file": "csv"}).status_code == 403
    assert viewer.get(export).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
