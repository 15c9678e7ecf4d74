"""Disinfection (issue 17, item 3): a school disinfects its places twice a day (P03 L-02), each
time an obligation that a log entry meets (agent, concentration, duration, who; L-08 500 mg/L
chlorine) and that is overdue when missed; a confirmed case's places are disinfected (P01 L-12)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import login, make_user
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.org.roles import Role
from fangkong.policy.services import plan_assign
from fangkong.readiness.models import DisinfectionLog, DisinfectionSchedule
from fangkong.tracing.models import Case, Venue

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The frozen clock reads 2022-02-01 18:00 in Beijing.


def _plan(county, personas, pack_id):
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id=pack_id,
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip


@pytest.fixture
def principal(county, personas):
    _plan(county, personas, "P03-school-opening-guyuan")
    return make_user("principal", Role.PRINCIPAL, county.school)


def _log(schedule, **changes):
    return {
        "action": "log",
        "log-schedule": schedule.pk,
        "log-agent": "含氯消毒液",
        "log-concentration_mg_l": 500,
        "log-duration_minutes": 30,
        "log-done_by": "王阿姨",
        "log-done_at": "2022-02-01T17:30",
        **changes,
    }


def test_l02_p03_school_disinfects_twice_a_day_and_a_missed_time_is_overdue(county, principal):
    page = login(principal)
    url = reverse("disinfection-unit", args=[county.school.pk])
    # once a day is fewer than the plan asks
    once = page.post(
        url, {"action": "schedule", "schedule-place": "教学楼", "schedule-times_per_day": 1}
    )
    assert once.status_code == 400
    assert "现行方案要求每日消毒2次" in once.content.decode()
    assert not DisinfectionSchedule.objects.exists()
    # twice a day: at 18:00 the time due by midnight is owed
    page.post(url, {"action": "schedule", "schedule-place": "教学楼", "schedule-times_per_day": 2})
    schedule = DisinfectionSchedule.objects.get()
    assert schedule.clause == "L-02: 保持室内空气流通,并每日消毒两次"
    owed = Obligation.objects.get(rule_id=schedule.rule_id)
    assert owed.due_at == dt.datetime(2022, 2, 2, tzinfo=SHANGHAI)
    assert "教学楼" in page.get(reverse("disinfection")).content.decode()
    # the caretaker's disinfection at 17:30 meets it
    assert page.post(url, _log(schedule)).status_code == 302
    owed.refresh_from_db()
    assert owed.status == ObligationStatus.MET
    shown = page.get(url).content.decode()
    assert "含氯消毒液 500 mg/L · 30分钟" in shown
    assert "王阿姨" in shown
    assert AuditEvent.objects.filter(object_type="disinfection_log").count() == 1
    # the next day nobody disinfects by noon: the tick marks that time missed, and it is overdue
    with clock.frozen(dt.datetime(2022, 2, 2, 13, 0, tzinfo=SHANGHAI)):
        obligations_tick()
        due = Obligation.objects.filter(rule_id=schedule.rule_id).order_by("due_at")
        assert [o.status for o in due] == ["met", "missed", "open"]
        overview = page.get(reverse("disinfection")).content.decode()
        assert "已逾期" in overview
        api = login(principal).get(reverse("disinfection-schedule-owed")).json()
        assert [row["status"] for row in api] == ["missed", "open"]
        assert "消毒" in page.get(reverse("obligation-list")).content.decode()
        # a disinfection at 12:40, logged at 13:00, meets the missed time, late
        page.post(url, _log(schedule, **{"log-done_at": "2022-02-02T12:40"}))
        assert [o.status for o in due.all()] == ["met", "met", "open"]


def test_l08_bad_disinfection_logs_are_refused_naming_the_field_and_nothing_is_written(
    county, principal
):
    page = login(principal)
    url = reverse("disinfection-unit", args=[county.school.pk])
    page.post(url, {"action": "schedule", "schedule-place": "食堂", "schedule-times_per_day": 2})
    schedule = DisinfectionSchedule.objects.get()
    # concentration 'abc' on the page: 400, the form kept
    response = page.post(url, _log(schedule, **{"log-concentration_mg_l": "abc"}))
    assert response.status_code == 400
    assert "王阿姨" in response.content.decode()
    api = login(principal)

    def post(data):
        return api.post(reverse("disinfection-log-list"), data, content_type="application/json")

    body = {
        "schedule": schedule.pk, "agent": "含氯消毒液", "concentration_mg_l": 500,
        "duration_minutes": 30, "done_by": "王阿姨", "done_at": "2022-02-01T17:30:00+08:00",
    }  # fmt: skip
    assert list(post({**body, "concentration_mg_l": "abc"}).json()) == ["concentration_mg_l"]
    assert "整数" in post({**body, "concentration_mg_l": "abc"}).json()["concentration_mg_l"][0]
    assert list(post({**body, "done_at": "0001-01-01T00:00:00+08:00"}).json()) == ["done_at"]
    future = post({**body, "done_at": "2022-02-01T19:00:00+08:00"})
    assert future.json() == {"done_at": ["消毒完成后才能登记。"]}
    assert list(post({**body, "duration_minutes": -1}).json()) == ["duration_minutes"]
    assert not DisinfectionLog.objects.exists()
    assert Obligation.objects.get(rule_id=schedule.rule_id).status == "open"


def test_l02_a_neighbour_sees_nothing_of_a_schools_disinfection(county, personas, principal):
    page = login(principal)
    url = reverse("disinfection-unit", args=[county.school.pk])
    page.post(url, {"action": "schedule", "schedule-place": "教学楼", "schedule-times_per_day": 2})
    neighbour = login(personas.worker_b)
    assert neighbour.get(url).status_code == 404
    assert "教学楼" not in neighbour.get(reverse("disinfection")).content.decode()
    assert neighbour.get(reverse("disinfection-schedule-list")).json()["results"] == []
    assert neighbour.get(reverse("disinfection-schedule-owed")).json() == []
    schedule = DisinfectionSchedule.objects.get()
    logged = neighbour.post(
        reverse("disinfection-log-list"),
        {
            "schedule": schedule.pk, "agent": "含氯消毒液", "concentration_mg_l": 500,
            "duration_minutes": 30, "done_by": "x", "done_at": "2022-02-01T17:30:00+08:00",
        },
        content_type="application/json",
    )  # fmt: skip
    assert logged.status_code == 404
    assert (
        neighbour.post(reverse("disinfection-schedule-stop", args=[schedule.pk])).status_code == 404
    )
    assert not DisinfectionLog.objects.exists()


def test_l12_p01_a_confirmed_cases_venues_are_disinfected_within_the_day(
    county, personas, person_a
):
    _plan(county, personas, "P01-rural-winter")
    epidemiologist = login(personas.epidemiologist)
    epidemiologist.post(
        reverse("venue-list"), {"unit": county.village_a.pk, "kind": "venue", "name": "甲村超市"}
    )
    venue = Venue.objects.get()
    client = APIClient()
    token = Token.objects.get_or_create(user=personas.epidemiologist)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    scanned = dt.datetime(2022, 1, 30, 9, 0, tzinfo=SHANGHAI).isoformat()
    client.post(
        "/api/scans/",
        {"scans": [{"venue": venue.code, "person": person_a.pk, "scanned_at": scanned}]},
        format="json",
    )
    # a suspected case sets off nothing here; confirmed, its venue is owed a disinfection
    epidemiologist.post(reverse("case-list"), {"person": person_a.pk, "kind": "confirmed"})
    schedule = DisinfectionSchedule.objects.get()
    case = Case.objects.get(person=person_a)
    assert (schedule.unit, schedule.place, schedule.case_id) == (
        county.village_a,
        "甲村超市",
        case.pk,
    )
    owed = Obligation.objects.get(rule_id=schedule.rule_id)
    assert owed.due_at == dt.datetime(2022, 2, 2, 18, 0, tzinfo=SHANGHAI)
    assert owed.clause.startswith("L-12")
    # the village logs it from its page; the one-off is met
    village = login(personas.worker_a)
    url = reverse("disinfection-unit", args=[county.village_a.pk])
    assert "甲村超市" in village.get(url).content.decode()
    village.post(url, _log(schedule))
    owed.refresh_from_db()
    assert owed.status == ObligationStatus.MET
