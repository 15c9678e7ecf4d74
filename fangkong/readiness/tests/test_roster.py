"""The duty roster (issue 17, item 1): the plan in force asks schools, companies and the
medical-insurance centre for duty round the clock with a leader on duty; the roster page and API
show who is on duty now, the units with nobody, and a unit's gaps for the next days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_user
from fangkong.audit.models import AuditEvent
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.policy.services import plan_assign
from fangkong.readiness.models import Shift

pytestmark = pytest.mark.django_db

# The frozen clock reads 2022-02-01 18:00 in Beijing.
DAY = "2022-02-01"


@pytest.fixture
def principal(county, personas):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P11-school-winter-exams",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    return make_user("principal", Role.PRINCIPAL, county.school)


def _shift(unit, **changes) -> dict:
    return {
        "action": "add",
        "unit": unit.pk,
        "name": "张校长",
        "phone": "13800138000",
        "leader": "1",
        "day": DAY,
        "begins": "18:00",
        "ends": "08:00",
        "days": 7,
        **changes,
    }


def test_a21_a27_p11_school_roster_shows_its_gaps_until_covered_with_a_leader(county, principal):
    page = login(principal)
    # given P11 in force, the school has nobody on duty: the page says so
    shown = page.get(reverse("roster")).content.decode()
    assert "1个单位按方案须24小时值班，当前无人在岗" in shown
    assert "严格执行24小时值班和领导带班制度" in shown
    # when the principal enters a week of nights as leader on duty (18:00 to 08:00)
    response = page.post(reverse("roster"), _shift(county.school))
    assert response.status_code == 302
    assert Shift.objects.count() == 7
    night = Shift.objects.order_by("starts_at")[0]
    assert night.ends_at - night.starts_at == dt.timedelta(hours=14)
    # then the days are gaps: nobody and no leader from 08:00 to 18:00
    shown = page.get(response["Location"]).content.decode()
    assert "未来7天无人值班的时段" in shown
    assert "02-02 08:00 – 02-02 18:00" in shown
    assert "当前无人在岗" not in shown
    assert "张校长" in shown
    # when a teacher takes the days, without being a leader
    page.post(
        reverse("roster"),
        _shift(county.school, name="李老师", leader="0", day="2022-02-02", begins="08:00",
               ends="18:00", days=7),
    )  # fmt: skip
    shown = page.get(f"{reverse('roster')}?unit={county.school.pk}").content.decode()
    # then someone is on duty at every hour, but the days still lack a leader (领导带班)
    assert "未来7天无人值班的时段" not in shown
    assert "未来7天无带班领导的时段" in shown
    api = login(principal).get(reverse("shift-coverage"), {"unit": county.school.pk}).json()
    assert api["required"] is True
    assert api["gaps"] == []
    assert len(api["leader_gaps"]) == 7
    assert AuditEvent.objects.filter(object_type="shift").count() == 2


def test_a27_who_is_on_duty_now_and_a_neighbour_sees_nothing(county, personas, principal):
    login(principal).post(reverse("roster"), _shift(county.school))
    now = login(principal).get(reverse("shift-now")).json()
    assert [s["name"] for s in now["on_duty"]] == ["张校长"]
    assert now["uncovered"]["count"] == 0
    # the county sees the school's duty too
    assert "张校长" in login(personas.commander).get(reverse("roster")).content.decode()
    # a grid worker of another village sees none of it, on the page or through the API
    neighbour = login(personas.worker_b)
    assert "张校长" not in neighbour.get(reverse("roster")).content.decode()
    assert neighbour.get(f"{reverse('roster')}?unit={county.school.pk}").status_code == 404
    assert neighbour.get(reverse("shift-list")).json()["results"] == []
    assert neighbour.get(reverse("shift-now")).json()["on_duty"] == []
    shift = Shift.objects.all()[0]
    assert neighbour.get(reverse("shift-detail", args=[shift.pk])).status_code == 404
    assert (
        neighbour.post(reverse("shift-handover", args=[shift.pk]), {"handover": "x"}).status_code
        == 404
    )
    # and cannot add a shift for the school
    response = neighbour.post(reverse("roster"), _shift(county.school))
    assert response.status_code == 400
    assert Shift.objects.count() == 7


def test_a27_bad_shifts_are_refused_naming_the_field_and_nothing_is_written(county, principal):
    page = login(principal)
    # a month and more of days on the page: the form keeps what was typed
    response = page.post(reverse("roster"), _shift(county.school, days=40, name="王值班"))
    assert response.status_code == 400
    assert "王值班" in response.content.decode()
    # a shift ending before it begins, through the API: 400 naming ends_at, in Chinese
    api = login(principal)
    answer = api.post(
        reverse("shift-list"),
        {
            "unit": county.school.pk,
            "name": "张校长",
            "phone": "13800138000",
            "starts_at": "2022-02-02T08:00:00+08:00",
            "ends_at": "2022-02-02T07:00:00+08:00",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["ends_at"] == ["值班结束时间须晚于开始时间。"]
    too_long = api.post(
        reverse("shift-list"),
        {
            "unit": county.school.pk,
            "name": "张校长",
            "phone": "13800138000",
            "starts_at": "2022-02-02T08:00:00+08:00",
            "ends_at": "2022-02-03T09:00:00+08:00",
        },
        content_type="application/json",
    )
    assert too_long.json()["ends_at"] == ["一个班次最长24小时。"]
    # tampered parameters answer 4xx
    assert api.get(reverse("shift-list"), {"unit": "abc"}).status_code == 400
    assert api.get(reverse("shift-coverage"), {"unit": "9" * 30}).status_code == 400
    assert page.post(reverse("roster"), _shift(county.school, day="0001-01-01")).status_code == 400
    assert Shift.objects.count() == 0


def test_a27_handover_after_the_shift_begins_and_only_future_shifts_are_removed(county, principal):
    page = login(principal)
    page.post(reverse("roster"), _shift(county.school, days=2))
    tonight, tomorrow = Shift.objects.order_by("starts_at")
    # the shift on duty now hands over; the one tomorrow cannot yet
    page.post(
        reverse("roster"), {"action": "handover", "shift": tonight.pk, "handover": "三楼门禁待修"}
    )
    tonight.refresh_from_db()
    assert tonight.handover == "三楼门禁待修"
    answer = login(principal).post(
        reverse("shift-handover", args=[tomorrow.pk]),
        {"handover": "早"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    # a shift that has begun stays on record; tomorrow's may be taken off
    assert login(principal).delete(reverse("shift-detail", args=[tonight.pk])).status_code == 400
    assert login(principal).delete(reverse("shift-detail", args=[tomorrow.pk])).status_code == 204
    assert list(Shift.objects.all()) == [tonight]
    assert AuditEvent.objects.filter(object_type="shift", action="delete").count() == 1


def test_a27_only_the_units_the_plan_asks_are_listed_as_uncovered(county, principal):
    # P11 asks schools, not villages; the principal sees only their own school
    other = unit_create(
        code="SCH2", name="第二中学", kind="school", region=county.school.region,
        parent=county.township,
    )  # fmt: skip
    assert other.name not in login(principal).get(reverse("roster")).content.decode()
    county_view = login(make_user("hq2", Role.COMMANDER, county.hq)).get(reverse("shift-now"))
    uncovered = county_view.json()["uncovered"]
    assert uncovered["count"] == 2
    assert {u["name"] for u in uncovered["units"]} == {county.school.name, other.name}


def test_a23_p14_school_duty_round_the_clock_without_a_leader(county, personas):
    plan_assign(
        actor=personas.commander, unit=county.school, pack_id="P14-school-spring-festival",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    answer = login(personas.commander).get(reverse("shift-coverage"), {"unit": county.school.pk})
    cover = answer.json()
    assert cover["leader"] is False
    assert cover["leader_gaps"] == []
    assert len(cover["gaps"]) == 1  # the whole week
    assert "坚持24小时值班值守" in cover["clause"]


def test_a26_p17_service_hall_keeps_duty_with_a_leader(county, personas):
    hall = unit_create(
        code="MEDINS", name="医疗保障局服务大厅", kind="venue", region=county.hq.region,
        parent=county.hq,
    )  # fmt: skip
    plan_assign(
        actor=personas.commander, unit=hall, pack_id="P17-medical-insurance",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    shown = login(personas.commander).get(f"{reverse('roster')}?unit={hall.pk}").content.decode()
    assert "领导组执行值班制度" in shown
    assert "未来7天无带班领导的时段" in shown
