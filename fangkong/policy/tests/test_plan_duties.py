"""Duties a plan sets its units (A-04, A-05, A-12, G-11, G-14, G-28, N-07): opened by the tick for
the units of the kinds a pack names, listed with the unit's deadlines, marked done there."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import County, Personas, login
from fangkong.core import clock
from fangkong.obligations.models import Obligation, ObligationSource, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.org.services import unit_create
from fangkong.policy.services import plan_assign

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def duties() -> list[tuple[str, str, str, dt.datetime, str]]:
    rows = Obligation.objects.filter(source=ObligationSource.DUTY).order_by("due_at", "rule_id")
    return [
        (o.unit.code, o.rule_id, o.kind, o.due_at.astimezone(SHANGHAI), o.status)
        for o in rows.select_related("unit")
    ]


def assign(county: County, personas: Personas, pack_id: str, start: str, end: str | None):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id=pack_id,
        start_date=dt.date.fromisoformat(start),
        end_date=dt.date.fromisoformat(end) if end else None,
    )


@pytest.fixture
def port(county: County):
    return unit_create(
        code="PORT", name="口岸", kind="port", region=county.township.region, parent=county.hq
    )


def test_a04_g11_n07_a05_the_port_owes_its_task_force_and_drill_by_12_10_and_weekly_meetings(
    county, personas, port
):
    # given: P02 in force over the winter
    assign(county, personas, "P02-two-festivals", "2021-12-01", "2022-03-15")

    # when: the tick runs on Wednesday 1 December, twice
    with clock.frozen(at("2021-12-01T08:00")):
        obligations_tick()
        obligations_tick()

    # then: the port owes the dated duties by the end of 12-10 and this week's meeting by Sunday
    # night; the headquarters (联防联控机制) this week's analysis; no other unit owes anything
    assert duties() == [
        ("PORT", "port-dispatch-meeting", "duty", at("2021-12-06T00:00"), "open"),
        ("HQ", "weekly-risk-analysis", "duty", at("2021-12-06T00:00"), "open"),
        ("PORT", "port-drill", "duty", at("2021-12-11T00:00"), "open"),
        ("PORT", "port-task-force", "duty", at("2021-12-11T00:00"), "open"),
    ]

    # when: the next week opens, the meeting not held
    with clock.frozen(at("2021-12-07T08:00")):
        obligations_tick()

    # then: last week's meeting is missed and this week's is owed
    meetings = [row for row in duties() if row[1] == "port-dispatch-meeting"]
    assert meetings == [
        ("PORT", "port-dispatch-meeting", "duty", at("2021-12-06T00:00"), "missed"),
        ("PORT", "port-dispatch-meeting", "duty", at("2021-12-13T00:00"), "open"),
    ]


def test_a04_g11_dated_duties_open_a_month_ahead_of_a_december_the_plan_holds(
    county, personas, port
):
    # given: P02 in force from January to 15 March only, then from November without an end
    assign(county, personas, "P02-two-festivals", "2022-01-10", "2022-03-15")

    with clock.frozen(at("2022-01-10T08:00")):
        obligations_tick()

    # then: no December falls in the plan's time: only the weekly duties are owed
    assert {row[1] for row in duties()} == {"port-dispatch-meeting", "weekly-risk-analysis"}

    # and: in force from November, the December duties are listed from a month ahead
    assign(county, personas, "P02-two-festivals", "2022-11-01", None)
    with clock.frozen(at("2022-11-08T08:00")):
        obligations_tick()
    assert {row[1] for row in duties()} == {"port-dispatch-meeting", "weekly-risk-analysis"}
    with clock.frozen(at("2022-11-09T08:00")):
        obligations_tick()
    assert {row[1] for row in duties() if row[3] == at("2022-12-11T00:00")} == {
        "port-drill",
        "port-task-force",
    }


def test_a12_g28_the_township_reports_readiness_by_september_30_and_marks_it_done(county, personas):
    # given: P06 in force through National Day
    assign(county, personas, "P06-township-autumn", "2021-09-01", "2021-10-10")

    with clock.frozen(at("2021-09-10T08:00")):
        obligations_tick()
        duty = Obligation.objects.get(source=ObligationSource.DUTY)
        assert (duty.unit, duty.rule_id, duty.kind, duty.due_at) == (
            county.township, "ready-by-september", "report", at("2021-10-01T00:00"),
        )  # fmt: skip

        # the township's deadline list shows it; a village's grid worker sees nothing of it
        page = login(personas.commander).get(reverse("obligation-list"), {"state": "open"})
        assert "9月底前做到秋冬季疫情防控人员到位" in page.content.decode()
        outsider = login(personas.worker_b).get(reverse("obligation-list"), {"state": "open"})
        assert "9月底前" not in outsider.content.decode()

        # when: the commander marks it done on the list
        login(personas.commander).post(
            reverse("obligation-meet", args=[duty.pk]), {"note": "五到位已落实"}
        )

    duty.refresh_from_db()
    assert (duty.status, duty.met_by) == (ObligationStatus.MET, personas.commander)


def test_a12_g28_a_plan_ending_before_september_30_opens_no_readiness_duty(county, personas):
    assign(county, personas, "P06-township-autumn", "2021-09-01", "2021-09-20")

    with clock.frozen(at("2021-09-10T08:00")):
        obligations_tick()

    assert duties() == []


def test_g14_subsidiaries_file_their_lists_by_january_26_and_are_late_on_the_27th(county, personas):
    company = unit_create(
        code="CO", name="分公司", kind="company", region=county.township.region, parent=county.hq
    )
    assign(county, personas, "P08-enterprise-emergency", "2022-01-20", None)

    with clock.frozen(at("2022-01-21T08:00")):
        obligations_tick()
    assert duties() == [("CO", "lists-filed", "filing", at("2022-01-27T00:00"), "open")]

    with clock.frozen(at("2022-01-27T08:00")):
        obligations_tick()
    assert Obligation.objects.get(unit=company, rule_id="lists-filed").status == "missed"


def test_a04_the_plan_page_lists_the_duties_with_their_clauses(county, personas):
    page = login(personas.commander).get(reverse("plan-detail", args=["P02-two-festivals"]))

    text = page.content.decode()
    assert "专班每周至少召开1次调度会" in text
    assert "工作任务" in text
