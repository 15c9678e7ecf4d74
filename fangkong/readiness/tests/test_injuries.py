"""Work injuries (P07 G-13, O-06): an employer tells the social-security office of a work injury
by phone, and owes the written report (《工伤事故报告表》 with the inpatient photos, to the
work-injury section's mailbox) within 24 hours of the accident. The office records the call on
its register; the report is a deadline on the clock, met when the office marks it received."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import login, make_user
from fangkong.audit.models import AuditEvent
from fangkong.obligations.models import Obligation, ObligationKind, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.org.models import Region
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.policy.services import plan_assign
from fangkong.readiness.models import WorkInjury

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The frozen clock reads 2022-02-01 18:00 in Beijing.


@pytest.fixture
def hall(county, personas):
    """The social-security office's service hall, under P07."""
    hall = unit_create(
        code="SOCIAL", name="社保服务大厅", kind="venue", region=county.township.region,
        parent=county.township,
    )  # fmt: skip
    plan_assign(
        actor=personas.commander, unit=hall, pack_id="P07-social-security",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    return hall


@pytest.fixture
def clerk(hall):
    return make_user("clerk", Role.COMMANDER, hall)


@pytest.fixture
def neighbour(county, personas):
    """The commander of another township, with its own hall under P07."""
    region = Region.objects.get(code="520113")
    other = unit_create(code="T2", name="麦架镇", kind="township", region=region, parent=county.hq)
    hall = unit_create(code="SOCIAL2", name="麦架社保站", kind="venue", region=region, parent=other)
    plan_assign(
        actor=personas.commander, unit=hall, pack_id="P07-social-security",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    return make_user("neighbour", Role.COMMANDER, other)


def _injury(hall, **changes):
    return {
        "unit": hall.pk,
        "employer": "白云铝业有限公司",
        "name": "罗建国",
        "phone": "13985001234",
        "occurred_at": "2022-02-01T09:30",
        "hospital": "白云区人民医院",
        "description": "搬运铝锭时砸伤左脚",
        **changes,
    }


def test_g13_o06_a_work_injury_owes_the_written_report_within_24_hours_met_when_received(
    hall, clerk
):
    page = login(clerk)
    # the clerk records the employer's call on the register
    response = page.post(reverse("injuries"), _injury(hall))
    assert response.status_code == 302
    injury = WorkInjury.objects.get()
    assert (injury.employer, injury.name, injury.unit) == ("白云铝业有限公司", "罗建国", hall)
    # the written report is owed by the hall's register within 24 hours of the accident
    report = Obligation.objects.of_work_injury(injury.pk).get()
    assert report.kind == ObligationKind.WRITTEN_REPORT
    assert report.unit == hall
    assert report.due_at == dt.datetime(2022, 2, 2, 9, 30, tzinfo=SHANGHAI)
    assert report.clause.startswith("G-13, O-06: 24小时内发送工伤事故报告表")
    assert report.detail["responsible"] == "用人单位"
    assert AuditEvent.objects.filter(object_type="work_injury", object_id=str(injury.pk)).exists()
    shown = page.get(reverse("injuries")).content.decode()
    assert "罗建国" in shown
    assert "白云区人民医院" in shown
    assert "应于 02-02 09:30 前" in shown
    # the employer's email arrives: the clerk marks it received, in time
    assert page.post(reverse("injury-reported", args=[injury.pk])).status_code == 302
    report.refresh_from_db()
    assert report.status == ObligationStatus.MET
    shown = page.get(reverse("injuries")).content.decode()
    assert "已收到 02-01 18:00" in shown
    assert "迟报" not in shown
    # a second click changes nothing and says why
    again = page.post(reverse("injury-reported", args=[injury.pk]), follow=True)
    assert "书面报告已经收到。" in again.content.decode()


def test_g13_a_report_not_received_in_24_hours_is_overdue_and_received_late(hall, clerk):
    page = login(clerk)
    page.post(reverse("injuries"), _injury(hall, occurred_at="2022-01-30T10:00"))
    injury = WorkInjury.objects.get()
    obligations_tick()
    report = Obligation.objects.of_work_injury(injury.pk).get()
    assert report.status == ObligationStatus.MISSED
    assert "已逾期" in page.get(reverse("injuries")).content.decode()
    page.post(reverse("injury-reported", args=[injury.pk]))
    report.refresh_from_db()
    assert report.status == ObligationStatus.MET
    assert report.met_at is not None
    assert report.met_at > report.due_at
    assert "迟报" in page.get(reverse("injuries")).content.decode()


def test_g13_the_api_records_an_injury_and_its_report_and_refuses_bad_input_naming_the_field(
    hall, clerk, county
):
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    url = "/api/work-injuries/"
    body = _injury(hall, occurred_at="2022-02-01T09:30:00+08:00")
    # bad input is refused naming the field, in Chinese, and writes nothing
    future = api.post(url, {**body, "occurred_at": "2022-02-02T09:30:00+08:00"}, format="json")
    assert future.status_code == 400
    assert "occurred_at" in future.json()
    assert "晚于现在" in future.json()["occurred_at"][0]
    blank = api.post(url, {**body, "employer": " "}, format="json")
    assert blank.status_code == 400
    assert blank.json()["employer"] == ["该字段不能为空。"]
    # a unit whose plan asks no such report is not one of the clerk's registers
    assert api.post(url, {**body, "unit": county.township.pk}, format="json").status_code == 404
    assert not WorkInjury.objects.exists()
    assert not Obligation.objects.filter(detail__trigger="work_injury").exists()
    # a good one is recorded with its report due
    made = api.post(url, body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["report_status"] == "open"
    assert made.json()["report_due_at"].startswith("2022-02-02T01:30")
    assert made.json()["unit_name"] == "社保服务大厅"
    # the same accident sent twice is refused, and recorded once
    twice = api.post(url, body, format="json")
    assert twice.status_code == 400
    assert twice.json()["occurred_at"] == ["该事故已登记。"]
    assert WorkInjury.objects.count() == 1
    listed = api.get(url).json()["results"]
    assert [row["name"] for row in listed] == ["罗建国"]
    received = api.post(f"{url}{made.json()['id']}/reported/")
    assert received.status_code == 200
    assert received.json()["report_status"] == "met"


def test_g13_the_form_keeps_what_was_typed_when_refused(hall, clerk):
    page = login(clerk)
    response = page.post(reverse("injuries"), _injury(hall, occurred_at="2022-02-03T09:30"))
    assert response.status_code == 400
    shown = response.content.decode()
    assert "晚于现在" in shown
    assert "搬运铝锭时砸伤左脚" in shown
    assert "白云区人民医院" in shown
    assert not WorkInjury.objects.exists()


def test_g13_a_neighbour_sees_nothing_of_the_register_and_others_cannot_open_it(
    hall, clerk, neighbour, personas
):
    login(clerk).post(reverse("injuries"), _injury(hall))
    injury = WorkInjury.objects.get()
    # the commander of another township keeps their own hall's register, not this one
    other = login(neighbour)
    shown = other.get(reverse("injuries"))
    assert shown.status_code == 200
    assert "罗建国" not in shown.content.decode()
    assert "麦架社保站" in shown.content.decode()
    assert other.post(reverse("injury-reported", args=[injury.pk])).status_code == 404
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=neighbour).key}")
    assert api.get("/api/work-injuries/").json()["results"] == []
    assert api.get(f"/api/work-injuries/{injury.pk}/").status_code == 404
    assert api.post(f"/api/work-injuries/{injury.pk}/reported/").status_code == 404
    assert Obligation.objects.of_work_injury(injury.pk).get().status == ObligationStatus.OPEN
    # a grid worker may not open the register, and their menu does not offer it
    worker = login(personas.worker_a)
    assert worker.get(reverse("injuries")).status_code == 403
    assert "工伤事故" not in worker.get("/").content.decode()
    assert "工伤事故" in login(clerk).get("/").content.decode()
    # the county's commander, above both, sees the injury
    assert "罗建国" in login(personas.commander).get(reverse("injuries")).content.decode()
