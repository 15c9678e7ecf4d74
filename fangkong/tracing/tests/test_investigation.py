"""The epidemiological investigation of a case and its line list of contacts, through the pages
and the API users take. Tests name the requirements they cover."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.obligations.models import Notification, Obligation, ObligationStatus
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case, Exposure, Investigation, Outbreak

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_ID = make_resident_id(sequence="033")
DUPLICATE_ID = make_resident_id(sequence="044")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def case(personas: Personas, person_a: Person) -> Case:
    response = login(personas.worker_a).post(
        "/api/cases/", {"person": person_a.pk, "kind": "confirmed"}
    )
    return Case.objects.get(pk=response.json()["id"])


@pytest.fixture
def investigation(personas: Personas, case: Case) -> Investigation:
    login(personas.worker_a).post(reverse("case-investigation", args=[case.pk]), {"action": "open"})
    return Investigation.objects.get(case=case)


@pytest.fixture
def person_c(personas: Personas, county: County) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="赵六",
            id_type="resident",
            id_number=make_resident_id(sequence="055"),
            unit=county.grid_a,
            phone="13700137000",
        ),
    )


def table(*rows: dict[str, str]) -> dict[str, list[str]]:
    """The line list table posted: one list per column, one entry per row."""
    keys = ("name", "id_number", "phone", "unit", "kind", "last_exposed_at", "how")
    return {"action": ["contacts"]} | {key: [row.get(key, "") for row in rows] for key in keys}


def test_g07_d16_the_investigation_opened_from_the_case_page_meets_the_outbreak_deadline(
    county, personas, person_a, person_b
):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
        recompute=False,
    )
    county_office = login(personas.commander)
    with clock.frozen(at("2022-02-01T08:00")):
        case_ids = [
            county_office.post("/api/cases/", {"person": p.pk, "kind": "confirmed"}).json()["id"]
            for p in (person_a, person_b)
        ]
        county_office.post(reverse("outbreak-list"), {"cases": case_ids})
    outbreak = Outbreak.objects.get()
    epidemiologist = login(personas.epidemiologist)
    # the case page offers the investigation; opening it twice opens one
    page = epidemiologist.get(reverse("case-detail", args=[case_ids[0]])).content.decode()
    assert "开展流行病学调查" in page
    for case_id in case_ids:
        url = reverse("case-investigation", args=[case_id])
        assert epidemiologist.post(url, {"action": "open"})["Location"] == url
    epidemiologist.post(reverse("case-investigation", args=[case_ids[0]]), {"action": "open"})
    assert Investigation.objects.count() == 2
    # the interview's answers are kept; an onset after the report is refused, nothing changed
    url = reverse("case-investigation", args=[case_ids[0]])
    answers = {"action": "answers", "onset_date": "2022-01-30", "history": "1月28日 赶集"}
    assert epidemiologist.post(url, answers).status_code == 302
    late = epidemiologist.post(url, answers | {"onset_date": "2022-02-03", "history": "改"})
    assert late.status_code == 400
    assert "发病日期不能晚于病例报告之日" in late.content.decode()
    first = Investigation.objects.get(case_id=case_ids[0])
    assert (first.onset_date, first.history) == (dt.date(2022, 1, 30), "1月28日 赶集")
    # when the first case's contacts are determined, the outbreak's G-07 deadline stays open
    investigation = Obligation.objects.of_outbreak(outbreak.pk).get(kind="investigation")
    with clock.frozen(at("2022-02-01T20:00")):
        epidemiologist.post(url, {"action": "determine"})
    investigation.refresh_from_db()
    assert investigation.status == ObligationStatus.OPEN
    # and once every case of it is determined, it is met (within its 24 h)
    with clock.frozen(at("2022-02-02T08:00")):
        epidemiologist.post(
            reverse("case-investigation", args=[case_ids[1]]), {"action": "determine"}
        )
    investigation.refresh_from_db()
    assert (investigation.status, investigation.met_at) == (
        ObligationStatus.MET,
        at("2022-02-02T08:00"),
    )
    assert sorted(Investigation.objects.values_list("status", flat=True)) == ["determined"] * 2
    # determining again is refused
    again = epidemiologist.post(url, {"action": "determine"})
    assert again.status_code == 400
    assert "已判定" in again.content.decode()
    assert AuditEvent.objects.filter(object_type="investigation").count() == 5


def test_h03_b19_a_line_list_with_a_duplicate_and_bad_rows_keeps_every_good_row(
    county, personas, person_a, person_b, person_c, investigation
):
    investigator = login(personas.worker_a)
    url = reverse("case-investigation", args=[investigation.case_id])
    rows: tuple[dict[str, str], ...] = (
        # 1: registered, found by name and phone
        {
            "name": "赵六",
            "phone": "13700137000",
            "last_exposed_at": "2022-01-31T19:00",
            "how": "同桌",
        },
        # 2: not registered: registered now in the village's grid, a secondary contact
        {
            "name": "王五",
            "id_number": NEW_ID,
            "phone": "13600136000",
            "unit": "VA-G1",
            "kind": "secondary_contact",
            "last_exposed_at": "2022-01-31T20:00",
        },
        # 3: the same name and phone as person 1 under another ID: kept, proposed as a duplicate
        {
            "name": "赵六",
            "id_number": DUPLICATE_ID,
            "phone": "13700137000",
            "last_exposed_at": "2022-01-30T08:00",
        },
        # 4 … 7: a mistyped ID, a kind no one knows, a time to come, a unit outside the
        # village; 8: a neighbour's person, sent to the neighbour as an assistance notice
        {"name": "甲", "id_number": NEW_ID[:-1] + "0", "last_exposed_at": "2022-01-31T08:00"},
        {"name": "乙", "phone": "13700137000", "kind": "朋友", "last_exposed_at": "2022-01-31"},
        {"name": "赵六", "phone": "13700137000", "last_exposed_at": "2022-02-02T08:00"},
        {
            "name": "丙",
            "id_number": make_resident_id(sequence="066"),
            "unit": "VB-G1",
            "last_exposed_at": "2022-01-31T08:00",
        },
        {
            "name": "李四",
            "id_number": make_resident_id(sequence="022"),
            "last_exposed_at": "2022-01-31T08:00",
        },
        {},  # an empty row of the table is no row
    )
    # when the investigator enters the line list on the investigation page
    response = investigator.post(url, table(*rows))
    # then the good rows are recorded, the bad ones reported with row, column and reason
    assert response.status_code == 200
    page = response.content.decode()
    assert "已记录3名接触者（新登记2人），0名此前已记录，4个问题" in page
    assert "1名接触者登记在您所辖单位以外" in page
    problems = response.context["outcome"].problems
    assert [(p.row_number, p.column) for p in problems] == [
        (4, "证件号码"),
        (5, "接触类型"),
        (6, "末次接触时间"),
        (7, "所属单位编码"),
    ]
    assert "校验码错误" in page
    assert "不是接触类型：请填写密接或次密接。" in page
    assert "末次接触时间不能晚于现在。" in page
    assert [d.row_number for d in response.context["outcome"].duplicates] == [3]
    assert "可能重复" in page
    contacts = sorted(
        (e.person.name, e.person.unit.code, e.kind, e.via_id)
        for e in Exposure.objects.filter(investigation=investigation).select_related("person__unit")
    )
    assert contacts == [
        ("王五", "VA-G1", "secondary_contact", None),
        ("赵六", "VA-G1", "close_contact", person_a.pk),
        ("赵六", "VA-G1", "close_contact", person_a.pk),
    ]
    assert Person.objects.filter(name__in=["王五", "赵六"]).count() == 3
    assert not Person.objects.filter(name__in=["甲", "乙", "丙"]).exists()
    assert AuditEvent.objects.filter(object_type="person", summary="王五").count() == 1
    # and the page lists the contacts
    listed = investigator.get(url).content.decode()
    assert "王五" in listed
    # when the same list is entered again, nothing changes
    counts = (
        Person.objects.count(),
        Exposure.objects.count(),
        AuditEvent.objects.count(),
        Obligation.objects.count(),
        Notification.objects.count(),
    )
    again = investigator.post(url, table(*rows))
    assert "已记录0名接触者（新登记0人），4名此前已记录，4个问题" in again.content.decode()
    assert (
        Person.objects.count(),
        Exposure.objects.count(),
        AuditEvent.objects.count(),
        Obligation.objects.count(),
        Notification.objects.count(),
    ) == counts


def test_h03_a_line_list_file_imported_twice_changes_nothing_the_second_time(
    personas, person_c, investigation
):
    investigator = login(personas.worker_a)
    url = reverse("case-investigation", args=[investigation.case_id])
    content = (
        "姓名,身份证号,联系电话,单位编码,接触类型,末次接触时间,接触方式\n"
        f"王五,{NEW_ID},13600136000,VA,密接,2022-01-31 20:00,同车\n"
        "赵六,,13700137000,,次密接,2022-01-31 19:00,\n"
        "丁,,13500135000,,密接,2022-01-31 19:00,\n"
    ).encode()

    def upload():
        return investigator.post(
            url,
            {"action": "file", "file": SimpleUploadedFile("密接.csv", content, "text/csv")},
        )

    first = upload()
    assert first.status_code == 200
    assert "已记录2名接触者（新登记1人），0名此前已记录，1个问题" in first.content.decode()
    assert "没有此姓名和手机号的人" in first.content.decode()
    assert Person.objects.get(name="王五").unit.code == "VA"
    counts = (Person.objects.count(), Exposure.objects.count(), AuditEvent.objects.count())
    second = upload()
    assert "已记录0名接触者（新登记0人），2名此前已记录，1个问题" in second.content.decode()
    assert (Person.objects.count(), Exposure.objects.count(), AuditEvent.objects.count()) == counts
    # a file without the time column is refused as a whole, naming the column
    bad = investigator.post(
        url,
        {"action": "file", "file": SimpleUploadedFile("密接.csv", b"name\nA\n", "text/csv")},
    )
    assert bad.status_code == 400
    assert "末次接触时间" in bad.content.decode()


def test_h03_the_api_takes_a_bounded_line_list_and_names_bad_rows(
    personas, person_c, investigation
):
    api = login(personas.worker_a)
    url = f"/api/cases/{investigation.case_id}/investigation/contacts/"
    row = {"name": "赵六", "phone": "13700137000", "last_exposed_at": "2022-01-31T19:00"}
    # more than 500 rows are refused as a whole
    assert api.post(url, {"rows": [row] * 501}, content_type="application/json").status_code == 400
    # every row bad: refused, naming row, column and reason, nothing written
    bad = api.post(url, {"rows": [row | {"kind": "x"}]}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["problems"] == [
        {"row": 1, "field": "接触类型", "reason": "不是接触类型：请填写密接或次密接。"}
    ]
    assert not Exposure.objects.exists()
    good = api.post(url, {"rows": [row]}, content_type="application/json")
    assert good.json() | {"problems": []} == {
        "registered": 0,
        "exposed": 1,
        "assistance_notices": 0,
        "unchanged": 0,
        "problems": [],
        "duplicates": [],
    }
    assert [c["person"] for c in api.get(url).json()] == [person_c.pk]
    # the investigation's answers and determination through the API
    answered = api.patch(
        f"/api/cases/{investigation.case_id}/investigation/",
        {"onset_date": "2022-01-30", "status": "determined"},
        content_type="application/json",
    )
    assert answered.json()["status"] == "determined"
    assert answered.json()["onset_date"] == "2022-01-30"


def test_h03_a_neighbour_and_a_lab_see_no_investigation(personas, person_c, investigation):
    url = reverse("case-investigation", args=[investigation.case_id])
    api_url = f"/api/cases/{investigation.case_id}/investigation/"
    row = {"name": "赵六", "phone": "13700137000", "last_exposed_at": "2022-01-31T19:00"}
    for outsider in (personas.worker_b, personas.lab):
        client = login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, table(row)).status_code == 404
        assert client.get(api_url).status_code == 404
        assert client.post(api_url + "contacts/", {"rows": [row]}).status_code == 404
    # the county's viewer reads the investigation and may change nothing of it
    viewer = login(personas.viewer)
    page = viewer.get(url)
    assert page.status_code == 200
    assert 'data-testid="line-list"' not in page.content.decode()
    assert viewer.post(url, table(row)).status_code == 403
    refused = viewer.post(api_url + "contacts/", {"rows": [row]}, content_type="application/json")
    assert refused.status_code == 403
    assert not Exposure.objects.exists()


def test_h02_a_contact_registered_outside_the_investigators_units_becomes_an_assistance_notice(
    county, personas, person_b, investigation
):
    investigator = login(personas.worker_a)
    url = reverse("case-investigation", args=[investigation.case_id])
    row = {
        "name": "李四",
        "id_number": make_resident_id(sequence="022"),
        "last_exposed_at": "2022-01-31T08:00",
        "how": "同车",
    }
    # when village A lists a contact registered in village B
    response = investigator.post(url, table(row))
    # then village A records no exposure and learns nothing of the person
    assert response.status_code == 200
    assert not Exposure.objects.exists()
    assert "13900139000" not in response.content.decode()
    # and village B owes a check of the contact within 24 h, and its worker is told
    notice = Obligation.objects.get(kind="assistance")
    assert (notice.person, notice.unit, notice.due_at) == (
        person_b,
        county.grid_b,
        clock.now() + dt.timedelta(hours=24),
    )
    assert notice.clause.startswith("H-02")
    message = Notification.objects.get(topic="assistance")
    assert message.user == personas.worker_b
    assert message.text == "协查通告：请于24小时内核查乙村第1网格的1名协查对象"
    assert not Notification.objects.filter(user=personas.worker_a, topic="assistance").exists()
    neighbour = login(personas.worker_b)
    assert "核查协查对象" in neighbour.get("/plans/obligations/?state=open").content.decode()
    assert AuditEvent.objects.filter(
        object_type="investigation", summary="向乙村第1网格发出协查通告：1人"
    ).exists()
