"""The packs applied to the register: measures and obligations as rows, recomputed when the facts
change, the tick, routine reports and the inbox. Tests name the requirements they cover."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from conftest import County, Personas, login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.labs.services import result_record
from fangkong.obligations import services as obligation_services
from fangkong.obligations.models import Notification, Obligation, ObligationStatus
from fangkong.obligations.selectors import obligations_list
from fangkong.obligations.services import obligation_meet, obligations_tick
from fangkong.obligations.tasks import obligations_notifications_send
from fangkong.org.models import Region
from fangkong.org.services import unit_create
from fangkong.people.models import Person
from fangkong.people.services import TravelInput, travel_add
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Classification, Measure, MeasureStatus, RiskArea
from fangkong.policy.services import (
    ReleaseFactInput,
    RiskAreaInput,
    measures_site_place,
    people_release,
    plan_assign,
    release_fact_record,
    reports_open,
    risk_area_create,
    risk_area_withdraw,
    risk_areas_import,
    site_cross_infection,
)
from fangkong.tracing.models import Case, Outbreak
from fangkong.tracing.services import ExposureInput, exposure_record, exposures_record

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def p14(county: County, personas: Personas):
    return plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P14-school-spring-festival",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )


@pytest.fixture
def dalian_high(personas: Personas, django_capture_on_commit_callbacks) -> RiskArea:
    with django_capture_on_commit_callbacks(execute=True):
        return risk_area_create(
            actor=personas.commander,
            data=RiskAreaInput(
                Region.objects.get(code="210211"), "high", dt.date(2022, 1, 20), None, "test"
            ),
        )


def came_back_from(person: Person, actor, region: str, start: str, end: str) -> None:
    travel_add(
        actor=actor,
        person=person,
        data=TravelInput(
            region_code=region,
            country="",
            place="",
            start_date=dt.date.fromisoformat(start),
            end_date=dt.date.fromisoformat(end),
        ),
    )


def active(person: Person) -> list[tuple[str, str, str]]:
    return [
        (m.kind, m.start_date.isoformat(), m.end_date.isoformat() if m.end_date else "")
        for m in Measure.objects.filter(person=person, status=MeasureStatus.ACTIVE).order_by(
            "phase"
        )
    ]


def open_tests(person: Person) -> list[str]:
    return [
        o.detail.get("date") or o.due_at.astimezone(SHANGHAI).isoformat()
        for o in Obligation.objects.filter(
            person=person, kind="test", status=ObligationStatus.OPEN
        ).order_by("due_at")
    ]


def test_c21_d13_an_arrival_recorded_on_the_register_writes_measures_and_12_test_obligations(
    county, personas, person_a, p14, dalian_high
):
    # when
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    # then
    assert active(person_a) == [
        ("central_quarantine", "2022-02-01", "2022-02-15"),
        ("home_health_monitoring", "2022-02-15", "2022-03-01"),
    ]
    tests = Obligation.objects.filter(person=person_a, kind="test").order_by("due_at")
    assert [o.detail["date"] for o in tests] == [
        "2022-02-02", "2022-02-03", "2022-02-04", "2022-02-05", "2022-02-06", "2022-02-08",
        "2022-02-11", "2022-02-14", "2022-02-15", "2022-02-17", "2022-02-22", "2022-03-01",
    ]  # fmt: skip
    # A test on a day is due by the end of that day, and the person's unit answers for it.
    assert tests[0].due_at == at("2022-02-03T00:00")
    assert {o.unit_id for o in tests} == {county.grid_a.pk}
    measure = Measure.objects.filter(person=person_a).first()
    assert measure is not None
    assert measure.rule_id == "risk-area"
    assert "C-21(1)" in measure.explanation[0]["clause"]


def test_c23_c24_p16_arrival_on_the_register_from_class_a_area_owes_the_24h_test_too(
    county, personas, person_a, django_capture_on_commit_callbacks
):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P16-may-day-chengdu",
        start_date=dt.date(2022, 4, 1),
        end_date=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        risk_area_create(
            actor=personas.commander,
            data=RiskAreaInput(
                Region.objects.get(code="310115"), "A", dt.date(2022, 4, 20), None, "test"
            ),
        )
    # when
    with clock.frozen(at("2022-04-30T18:00")):
        came_back_from(person_a, personas.worker_a, "310115", "2022-04-25", "2022-04-30")
    # then: the quarantine of class A, and the test of every arrival from another province
    assert active(person_a) == [("central_quarantine", "2022-04-30", "2022-05-07")]
    assert open_tests(person_a) == [
        "2022-05-01T00:00:00+08:00",
        "2022-05-01",
        "2022-05-03",
        "2022-05-07",
    ]
    classification = Classification.objects.get(person=person_a)
    assert classification.rule_id == "class-a"
    assert [e["rule"] for e in classification.explanation] == ["class-a", "other-province"]


def test_recomputing_unchanged_facts_writes_nothing(personas, person_a, p14, dalian_high):
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    before = (Measure.objects.count(), Obligation.objects.count())
    outcome = people_classify(trigger="plan")
    assert outcome.changed == 0
    assert (Measure.objects.count(), Obligation.objects.count()) == before


def test_c01_withdrawn_risk_area_supersedes_measures_and_keeps_them(
    personas, person_a, p14, dalian_high, django_capture_on_commit_callbacks
):
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    with django_capture_on_commit_callbacks(execute=True):
        risk_area_withdraw(actor=personas.commander, area=dalian_high)
    # Now only "another province": one test within 48 h (C-21(3)); the old measures stay as history.
    assert active(person_a) == []
    assert Measure.objects.filter(person=person_a, status=MeasureStatus.SUPERSEDED).count() == 2
    assert open_tests(person_a) == ["2022-02-03T00:00:00+08:00"]
    assert (
        Obligation.objects.filter(person=person_a, status=ObligationStatus.CANCELLED).count() == 12
    )
    assert Classification.objects.get(person=person_a).rule_id == "other-province"


def test_c21_a_new_risk_area_reclassifies_people_who_came_from_its_city(
    personas, person_a, p14, django_capture_on_commit_callbacks
):
    came_back_from(person_a, personas.worker_a, "210212", "2022-01-25", "2022-02-01")
    assert Classification.objects.get(person=person_a).rule_id == "other-province"
    with django_capture_on_commit_callbacks(execute=True):
        risk_area_create(
            actor=personas.commander,
            data=RiskAreaInput(
                Region.objects.get(code="210211"), "medium", dt.date(2022, 1, 20), None
            ),
        )
    # 210212 is in the same city (大连) as the new area: three days, two tests (C-21(2)).
    assert Classification.objects.get(person=person_a).rule_id == "city-of-risk-area-or-local-cases"
    assert len(open_tests(person_a)) == 2


def test_the_deepest_plan_assignment_is_in_force(county, personas, person_a, p14, dalian_high):
    plan_assign(
        actor=personas.commander,
        unit=county.village_a,
        pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 15),
        end_date=dt.date(2022, 3, 31),
    )
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    assert Classification.objects.get(person=person_a).pack_id == "P01-rural-winter"
    assert active(person_a) == [("home_health_monitoring", "2022-02-01", "2022-02-15")]


def test_a_grid_worker_may_not_assign_plans_or_publish_risk_areas(county, personas):
    with pytest.raises(PermissionDenied):
        plan_assign(
            actor=personas.worker_a,
            unit=county.village_a,
            pack_id="P01-rural-winter",
            start_date=dt.date(2022, 1, 1),
            end_date=None,
        )
    with pytest.raises(PermissionDenied):
        risk_area_create(
            actor=personas.worker_a,
            data=RiskAreaInput(
                Region.objects.get(code="210211"), "high", dt.date(2022, 1, 1), None
            ),
        )
    assert not RiskArea.objects.exists()


def test_d12_secondary_contact_upgraded_when_the_close_contact_tests_positive(
    county, personas, person_a, person_b, p14
):
    # given person_b a close contact, person_a exposed to person_b on 02-01
    exposure_record(
        actor=personas.commander,
        person=person_b,
        kind="close_contact",
        last_exposed_at=at("2022-01-31T20:00"),
    )
    exposure_record(
        actor=personas.commander,
        person=person_a,
        kind="secondary_contact",
        last_exposed_at=at("2022-02-01T08:00"),
        via=person_b,
    )
    assert active(person_a) == [("central_quarantine", "2022-02-01", "2022-02-08")]
    assert Classification.objects.get(person=person_a).actions == ["await_results"]
    # when the close contact's second test is positive
    with clock.frozen(at("2022-02-03T12:00")):
        result_record(
            actor=personas.commander,
            person=person_b,
            sampled_at=at("2022-02-02T09:00"),
            positive=False,
        )
        result_record(
            actor=personas.commander,
            person=person_b,
            sampled_at=at("2022-02-03T09:00"),
            positive=True,
        )
    # then the secondary contact is managed as a close contact at once (C-21(4), D-13)
    assert active(person_a) == [
        ("central_quarantine", "2022-02-01", "2022-02-15"),
        ("home_health_monitoring", "2022-02-15", "2022-03-01"),
    ]
    assert Classification.objects.get(person=person_a).actions == ["manage_as_close_contact"]


def test_d12_results_meet_the_test_obligations_and_release_the_secondary_contact(
    personas, person_a, person_b, p14
):
    exposure_record(
        actor=personas.commander,
        person=person_a,
        kind="secondary_contact",
        last_exposed_at=at("2022-02-01T08:00"),
        via=person_b,
    )
    with clock.frozen(at("2022-02-08T12:00")):
        for day in ("02", "03", "04", "05"):
            result_record(
                actor=personas.commander,
                person=person_b,
                sampled_at=at(f"2022-02-{day}T09:00"),
                positive=False,
            )
        for day in ("02", "05", "08"):
            result_record(
                actor=personas.commander,
                person=person_a,
                sampled_at=at(f"2022-02-{day}T09:00"),
                positive=False,
            )
    assert Classification.objects.get(person=person_a).actions == ["release"]
    assert active(person_a) == [("central_quarantine", "2022-02-01", "2022-02-08")]
    tests = Obligation.objects.filter(person=person_a, kind="test")
    # Each test day met once, never asked again by the recomputed decision.
    assert sorted(o.detail["date"] for o in tests.filter(status=ObligationStatus.MET)) == [
        "2022-02-02",
        "2022-02-05",
        "2022-02-08",
    ]
    assert not tests.filter(status=ObligationStatus.OPEN).exists()


def test_d04_cross_infection_restarts_the_count_of_everyone_at_the_site(
    county, personas, person_a, p14, dalian_high
):
    site = unit_create(
        actor=personas.commander,
        code="QS1",
        name="集中隔离点一",
        kind="quarantine_site",
        region=county.hq.region,
        parent=county.hq,
    )
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    measures_site_place(person_ids=[person_a.pk], site=site)
    with clock.frozen(at("2022-02-05T12:00")):
        restarted = site_cross_infection(
            actor=personas.commander, site=site, on=dt.date(2022, 2, 5)
        )
    assert restarted == 1
    assert active(person_a) == [
        ("central_quarantine", "2022-02-05", "2022-02-19"),
        ("home_health_monitoring", "2022-02-19", "2022-03-05"),
    ]
    assert Measure.objects.get(person=person_a, status=MeasureStatus.ACTIVE, phase=0).site == site
    # A later recompute keeps the restart (the same rule, counted from the new day 0).
    with clock.frozen(at("2022-02-06T12:00")):
        assert people_classify([person_a.pk], trigger="plan").changed == 0


def test_d05_release_on_three_samples_starts_7_days_home_monitoring(county, personas, person_a):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P02-two-festivals",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    travel_add(
        actor=personas.worker_a,
        person=person_a,
        data=TravelInput(
            region_code="",
            country="KOR",
            place="首尔",
            start_date=dt.date(2022, 1, 20),
            end_date=dt.date(2022, 2, 1),
        ),
    )
    assert active(person_a) == [("central_quarantine", "2022-02-01", "")]
    worker = login(personas.worker_a)
    release = reverse("person-release", args=[person_a.pk])
    facts = reverse("release-fact", args=[person_a.pk])
    with clock.frozen(at("2022-02-15T10:00")):
        # No sample yet: the page says what is missing and refuses the release.
        refused = worker.post(release, {"on": "2022-02-15"})
        assert refused.status_code == 400
        assert "缺少：本人样本阴性、物品样本阴性、环境样本阴性" in refused.content.decode()
        # The person's result from the lab, the object and environment samples on the page.
        result_record(
            actor=personas.commander,
            person=person_a,
            sampled_at=at("2022-02-14T09:00"),
            positive=False,
        )
        for kind, note in (("object", "行李箱表面"), ("environment", "隔离房间门把手")):
            recorded = worker.post(
                facts, {"kind": kind, "on": "2022-02-14", "result": "negative", "note": note}
            )
            assert recorded.status_code == 302
        # The three samples negative: the page says so.
        page = worker.get(release, {"on": "2022-02-15"}).content.decode()
        assert "可以解除：是" in page
        done = worker.post(release, {"on": "2022-02-15", "note": "三样本阴性"})
    assert done.status_code == 302
    assert active(person_a) == [("home_health_monitoring", "2022-02-15", "2022-02-22")]
    released = Measure.objects.get(person=person_a, status=MeasureStatus.RELEASED)
    assert released.end_date == dt.date(2022, 2, 15)
    assert list(
        AuditEvent.objects.filter(object_type="release_fact")
        .order_by("id")
        .values_list("summary", flat=True)
    ) == ["物品样本 2022-02-14：阴性", "环境样本 2022-02-14：阴性"]


def test_d05_a_positive_environment_sample_keeps_the_person_in_quarantine(
    county, personas, person_a
):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P02-two-festivals",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    came_abroad = TravelInput(
        region_code="",
        country="KOR",
        place="首尔",
        start_date=dt.date(2022, 1, 20),
        end_date=dt.date(2022, 2, 1),
    )
    travel_add(actor=personas.worker_a, person=person_a, data=came_abroad)
    with clock.frozen(at("2022-02-15T10:00")):
        result_record(
            actor=personas.commander,
            person=person_a,
            sampled_at=at("2022-02-14T09:00"),
            positive=False,
        )
        for kind, positive in (("object", False), ("environment", True)):
            release_fact_record(
                actor=personas.worker_a,
                person=person_a,
                data=ReleaseFactInput(kind, dt.date(2022, 2, 14), positive),
            )
        api = login(personas.worker_a)
        answer = api.get(f"/api/releases/{person_a.pk}/", {"on": "2022-02-15"}).json()
        assert (answer["allowed"], answer["missing"]) == (False, ["environment_sample_negative"])
        refused = api.post(
            f"/api/releases/{person_a.pk}/release/", {"on": "2022-02-15"}, "application/json"
        )
    assert refused.status_code == 400
    assert refused.json()["missing"] == ["environment_sample_negative"]
    assert active(person_a) == [("central_quarantine", "2022-02-01", "")]


def test_d06_p12_consent_recorded_by_api_with_a_named_person_releases_after_14_days(
    county, personas, person_a, person_b
):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P12-enterprise-response-team",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    with clock.frozen(at("2022-02-01T12:00")):
        exposure_record(
            actor=personas.commander,
            person=person_a,
            kind="close_contact",
            last_exposed_at=at("2022-02-01T08:00"),
            via=person_b,
        )
    assert active(person_a) == [("central_quarantine", "2022-02-01", "2022-02-15")]
    api = login(personas.worker_a)
    url = f"/api/releases/{person_a.pk}/"
    with clock.frozen(at("2022-02-15T10:00")):
        nameless = api.post(f"{url}facts/", {"kind": "consent", "on": "2022-02-15"})
        assert nameless.status_code == 400
        assert "given_by" in nameless.json()
        assert api.get(url, {"on": "2022-02-15"}).json()["missing"] == ["headquarters_consent"]
        consent = {"kind": "consent", "on": "2022-02-15", "given_by": "区疫情防控指挥部 王明"}
        assert api.post(f"{url}facts/", consent).status_code == 201
        # A release dated before the 14 days end and before the consent is refused.
        early = api.post(f"{url}release/", {"on": "2022-02-10"}, "application/json")
        assert early.status_code == 400
        assert early.json()["missing"] == ["period_over", "headquarters_consent"]
        done = api.post(f"{url}release/", {"on": "2022-02-15"}, "application/json")
    assert done.status_code == 200
    assert active(person_a) == []
    assert AuditEvent.objects.get(object_type="release_fact").summary == (
        "区疫情防控指挥部 王明 于 2022-02-15 同意解除隔离"
    )
    # A grid worker of another village may not record facts for this person.
    other = login(personas.worker_b).post(f"{url}facts/", consent)
    assert other.status_code == 404


def test_tick_marks_missed_obligations_and_tells_the_unit_once(
    county, personas, person_a, p14, dalian_high
):
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    with clock.frozen(at("2022-02-04T08:00")):
        tick = obligations_tick()
        # Tests of 02-02 and 02-03 are past due (the end of their day).
        assert tick.missed == 2
        overdue = list(obligations_list(personas.worker_a, state="overdue"))
        assert [o.detail["date"] for o in overdue] == ["2022-02-02", "2022-02-03"]
        # Nobody holds a role in the grid: the village's grid worker is told, once for both.
        note = Notification.objects.get()
        assert note.user == personas.worker_a
        assert note.params == {"kind": "test", "count": 2}
        assert obligations_tick().missed == 0
        # A neighbouring village sees none of it.
        assert not obligations_list(personas.worker_b, state="overdue").exists()
        # Met late: recorded, and gone from the overdue list.
        obligation_meet(actor=personas.worker_a, obligation=overdue[0], note="补采")
        assert obligations_list(personas.worker_a, state="overdue").count() == 1


def test_e11_g16_daily_report_by_10_late_when_nothing_is_filed(county, personas):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P11-school-winter-exams",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    day = dt.date(2022, 2, 2)
    assert reports_open(day) == 1
    reports_open(day)  # the tick runs every minute: still one report
    report = Obligation.objects.get(kind="daily_report")
    assert (report.unit, report.due_at) == (county.school, at("2022-02-02T10:00"))
    with clock.frozen(at("2022-02-02T10:00")):
        assert obligations_tick().missed == 0  # due at 10:00 is not yet late at 10:00
    with clock.frozen(at("2022-02-02T10:01")):
        assert obligations_tick().missed == 1
    report.refresh_from_db()
    assert report.status == ObligationStatus.MISSED


@pytest.mark.parametrize(
    ("in_force_from", "thursdays", "last_thursday"),
    [
        # In force from New Year: every Thursday through 3月15日, none after.
        ("2022-01-01", ["2022-02-03", "2022-03-10"], "2022-03-10"),
        # In force from December: the reports run across the year boundary, until the next March.
        ("2021-12-01", ["2021-12-02", "2021-12-30", "2022-01-06", "2022-03-10"], "2022-03-10"),
    ],
)
def test_e13_g21_weekly_report_on_thursdays_until_march_15(
    county, personas, in_force_from, thursdays, last_thursday
):
    # given: P14 in force for the county from a day before the Thursdays
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P14-school-spring-festival",
        start_date=dt.date.fromisoformat(in_force_from),
        end_date=None,
    )
    # when: the tick runs on a Wednesday, on each Thursday, and on the Thursday after 3月15日
    for moment in ["2022-02-02T08:00", *(f"{day}T08:00" for day in thursdays), "2022-03-17T08:00"]:
        with clock.frozen(at(moment)):
            obligations_tick()
    # then: one report of the school for each Thursday, due at 18:00, and none after 3月15日
    due = sorted(
        o.due_at for o in Obligation.objects.filter(kind="weekly_report", unit=county.school)
    )
    assert due == [at(f"{day}T18:00") for day in thursdays]
    assert due[-1] == at(f"{last_thursday}T18:00")


def test_risk_areas_import_keeps_good_rows_reports_bad_ones_and_is_idempotent(
    personas, tmp_path: Path, django_capture_on_commit_callbacks
):
    path = tmp_path / "areas.csv"
    path.write_text(
        "地区代码,风险等级,开始日期,结束日期,来源\n"
        "210211,high,2022-01-20,,卫健委公告\n"
        "999999,high,2022-01-20,,\n"
        "110105,purple,2022-01-20,,\n"
        "110105,medium,2022-01-20,2022-01-10,\n"
        "110105,medium,2022/01/20,,\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = risk_areas_import(actor=personas.commander, path=path)
    assert (report.created, report.unchanged) == (2, 0)
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (3, "region"),
        (4, "level"),
        (5, "end_date"),
    ]
    again = risk_areas_import(actor=personas.commander, path=path)
    assert (again.created, again.unchanged, len(again.errors)) == (0, 2, 3)
    assert RiskArea.objects.count() == 2


def test_plan_classify_command_recomputes_a_unit(county, personas, person_a, capsys):
    from django.core.management import call_command

    # given an arrival recorded before any plan was in force
    came_back_from(person_a, personas.worker_a, "110105", "2022-01-25", "2022-02-01")
    assert not Classification.objects.exists()
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P14-school-spring-festival",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
        recompute=False,
    )
    # when
    call_command("plan", "classify", "--unit", "VA")
    assert "1 people, 1 changed" in capsys.readouterr().out
    assert Classification.objects.get(person=person_a).rule_id == "other-province"


def test_g01_g09_d16_a_suspected_case_reported_on_the_page_opens_the_p01_deadlines(
    county, personas, person_a, django_capture_on_commit_callbacks
):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
        recompute=False,
    )
    clinic = login(personas.worker_a)
    # when the village reports a suspected case on the cases page
    with (
        clock.frozen(at("2022-02-01T09:00")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = clinic.post(
            reverse("case-list"), {"person": person_a.pk, "kind": "suspected", "note": "发热"}
        )
    case = Case.objects.get(person=person_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.pk])
    # then the 2 h report and the 2 h transfer are open for the person's unit, on the case
    assert sorted(
        (o.kind, o.due_at, o.detail["responsible"])
        for o in Obligation.objects.of_case(case.pk).filter(unit=county.grid_a)
    ) == [
        ("report", at("2022-02-01T11:00"), "村卫生室、个体诊所"),  # G-01: 2小时内报告乡镇卫生院
        ("transfer", at("2022-02-01T11:00"), "县级卫生健康行政部门"),  # G-09: 2小时内负压救护车转运
    ]
    # and the county hears of it, in one transaction with the audit row
    assert Notification.objects.get(user=personas.commander).text == "疑似病例：甲村第1网格报告"
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).count() == 1
    # when the case is confirmed and transferred on its page
    with clock.frozen(at("2022-02-01T10:30")):
        clinic.post(
            reverse("case-detail", args=[case.pk]), {"action": "upgrade", "kind": "confirmed"}
        )
        clinic.post(
            reverse("case-detail", args=[case.pk]), {"action": "status", "status": "transferred"}
        )
    # then the 2 h direct report is open (G-04) and the transfer is met
    assert {(o.kind, o.status) for o in Obligation.objects.of_case(case.pk)} == {
        ("report", ObligationStatus.OPEN),
        ("transfer", ObligationStatus.MET),
        ("direct_report", ObligationStatus.OPEN),
    }
    case.refresh_from_db()
    assert (case.kind, case.status) == ("confirmed", "transferred")
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).count() == 3


def test_g01_a_neighbour_sees_no_case_and_tampered_input_is_refused(county, personas, person_a):
    clinic = login(personas.worker_a)
    assert (
        clinic.post(reverse("case-list"), {"person": person_a.pk, "kind": "bad"}).status_code == 400
    )
    api = login(personas.worker_a)
    assert api.post("/api/cases/", {"person": "x", "kind": "suspected"}).status_code == 400
    response = api.post("/api/cases/", {"person": person_a.pk, "kind": "suspected"})
    assert response.status_code == 201
    case_id = response.json()["id"]
    # a second case in course for the same person is refused, nothing written
    again = api.post("/api/cases/", {"person": person_a.pk, "kind": "confirmed"})
    assert again.status_code == 400
    assert Case.objects.count() == 1
    # the neighbouring village sees nothing and may report nothing for the person
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("case-detail", args=[case_id])).status_code == 404
    assert neighbour.get(f"/api/cases/{case_id}/").status_code == 404
    assert neighbour.get("/api/cases/").json()["results"] == []
    assert (
        neighbour.post("/api/cases/", {"person": person_a.pk, "kind": "suspected"}).status_code
        == 404
    )
    changed = neighbour.post(
        reverse("case-detail", args=[case_id]), {"action": "status", "status": "excluded"}
    )
    assert changed.status_code == 404
    assert Case.objects.get().status == "reported"


def test_g05_g07_d16_an_outbreak_declared_on_the_page_opens_the_p01_deadlines(
    county, personas, person_a, person_b, django_capture_on_commit_callbacks
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
            county_office.post("/api/cases/", {"person": person.pk, "kind": "confirmed"}).json()[
                "id"
            ]
            for person in (person_a, person_b)
        ]
    # when the county groups the two villages' cases into an outbreak on the outbreaks page
    found = at("2022-02-01T09:00")
    with clock.frozen(found), django_capture_on_commit_callbacks(execute=True):
        response = county_office.post(
            reverse("outbreak-list"), {"cases": case_ids, "note": "婚宴聚集"}
        )
    outbreak = Outbreak.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outbreak-detail", args=[outbreak.pk])
    # then the outbreak is counted in the township holding both, whose deadlines open
    assert outbreak.unit == county.township
    assert sorted(Case.objects.values_list("outbreak_id", flat=True)) == [outbreak.pk] * 2
    assert sorted(
        (o.kind, o.due_at, o.detail["responsible"])
        for o in Obligation.objects.of_outbreak(outbreak.pk).filter(unit=county.township)
    ) == [
        ("investigation", at("2022-02-02T09:00"), "县级疾控机构"),  # G-07: 24小时内完成流调
        ("report", found, "乡镇政府、村委会"),  # G-05: 立即上报
        ("transfer", at("2022-02-01T11:00"), "县级卫生健康行政部门"),  # G-06, D-16: 2小时转运
    ]
    # and the county hears of it; the declaration is audited
    assert (
        Notification.objects.filter(user=personas.commander, topic="outbreak").get().text
        == "聚集性疫情（2例）：泉湖街道宣布"
    )
    assert (
        AuditEvent.objects.filter(object_type="outbreak", object_id=str(outbreak.pk)).count() == 1
    )
    # and its page shows the cases and the clock
    page = county_office.get(reverse("outbreak-detail", args=[outbreak.pk])).content.decode()
    assert "张三" in page
    assert "李四" in page
    assert "24小时内完成流行病学调查" in page


def test_g05_outbreak_input_is_refused_and_a_neighbour_sees_nothing(
    county, personas, person_a, person_b
):
    county_office = login(personas.commander)
    case_ids = [
        county_office.post("/api/cases/", {"person": person.pk, "kind": "confirmed"}).json()["id"]
        for person in (person_a, person_b)
    ]
    # one case, a bad id, a case id that does not exist: refused, nothing written
    assert county_office.post("/api/outbreaks/", {"cases": case_ids[:1]}).status_code == 400
    assert (
        county_office.post(reverse("outbreak-list"), {"cases": [case_ids[0], "x"]}).status_code
        == 400
    )
    assert (
        county_office.post(
            "/api/outbreaks/", {"cases": [case_ids[0], 999_999]}, content_type="application/json"
        ).status_code
        == 403
    )
    # a village may not group a neighbour's case with its own
    village = login(personas.worker_a)
    assert village.post(reverse("outbreak-list"), {"cases": case_ids}).status_code == 403
    assert not Outbreak.objects.exists()
    # the county declares it through the API; a case is in one outbreak only
    response = county_office.post(
        "/api/outbreaks/", {"cases": case_ids, "note": "婚宴"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["cases"] == sorted(case_ids)
    again = county_office.post(
        "/api/outbreaks/", {"cases": case_ids}, content_type="application/json"
    )
    assert again.status_code == 400
    assert Outbreak.objects.count() == 1
    # a village sees no outbreak counted in the township
    outbreak_id = response.json()["id"]
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("outbreak-detail", args=[outbreak_id])).status_code == 404
    assert neighbour.get(f"/api/outbreaks/{outbreak_id}/").status_code == 404
    assert neighbour.get("/api/outbreaks/").json()["results"] == []
    assert "婚宴" not in neighbour.get(reverse("outbreak-list")).content.decode()


def test_c03_a_plan_is_in_force_only_for_its_date_range(county, personas):
    from fangkong.policy.resolver import pack_in_force

    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P02-two-festivals",
        start_date=dt.date(2022, 1, 1),
        end_date=dt.date(2022, 3, 15),
        recompute=False,
    )
    in_force = pack_in_force(county.village_a, dt.date(2022, 3, 15))
    assert in_force is not None
    assert in_force.id == "P02-two-festivals"
    assert pack_in_force(county.village_a, dt.date(2022, 3, 16)) is None


def test_reminders_go_by_email_and_sms_when_configured(
    county,
    personas,
    person_a,
    p14,
    dalian_high,
    settings,
    mailoutbox,
    caplog,
    django_capture_on_commit_callbacks,
):
    from fangkong.org.models import Membership

    settings.FANGKONG_REMINDER_CHANNELS = ["email", "sms"]
    personas.worker_a.email = "worker-a@example.org"
    personas.worker_a.save()
    Membership.objects.filter(user=personas.worker_a).update(phone="13800000001")
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    with (
        caplog.at_level("INFO", logger="fangkong.reminders"),
        clock.frozen(at("2022-02-04T08:00")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        obligations_tick()
    assert len(mailoutbox) == 1
    assert "甲村第1网格" in mailoutbox[0].subject
    assert "SMS to 13800000001" in caplog.text


def test_25_tick_sends_each_reminder_once_after_commit_over_several_batches(
    county,
    personas,
    person_a,
    p14,
    dalian_high,
    settings,
    mailoutbox,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # given two past-due tests, claimed by the tick one per transaction
    settings.FANGKONG_REMINDER_CHANNELS = ["email"]
    monkeypatch.setattr(obligation_services, "TICK_BATCH", 1)
    personas.worker_a.email = "worker-a@example.org"
    personas.worker_a.save()
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    # when the tick runs
    with clock.frozen(at("2022-02-04T08:00")), django_capture_on_commit_callbacks() as sends:
        call_command("tick", verbosity=0)
    # then nothing leaves while the tick's transactions hold their locks
    assert mailoutbox == []
    with clock.frozen(at("2022-02-04T08:00")):
        for send in sends:
            send()
    # and each batch's message is sent once, and marked sent
    notes = list(Notification.objects.order_by("pk"))
    assert [n.params for n in notes] == [{"kind": "test", "count": 1}] * 2
    assert len(mailoutbox) == 2
    assert all(n.sent_at == at("2022-02-04T08:00") for n in notes)
    # a second delivery of the same task sends nothing again
    assert obligations_notifications_send.apply(args=([n.pk for n in notes],)).get() == 0
    assert len(mailoutbox) == 2


def test_d01_contacts_named_and_released_together_or_not_at_all(
    county, personas, person_a, person_b
):
    # given: P01 in force, and two people of two villages named close contacts in one set
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    with clock.frozen(at("2022-02-01T10:00")):
        named = exposures_record(
            actor=personas.commander,
            rows=[
                ExposureInput(person.pk, "close_contact", at("2022-02-01T08:00"))
                for person in (person_a, person_b)
            ],
        )
    assert len(named) == 2
    assert active(person_a) == active(person_b) == [("central_quarantine", "2022-02-01", "")]
    day = dt.date(2022, 2, 15)

    # when: village A's worker releases both, the one of village B beyond their units
    with clock.frozen(at("2022-02-15T10:00")), pytest.raises(PermissionDenied):
        people_release(actor=personas.worker_a, people=[person_a, person_b], on=day)

    # then: nobody is released
    assert not Measure.objects.filter(status=MeasureStatus.RELEASED).exists()

    # when: the headquarters releases both, then each ends the day of the release
    with clock.frozen(at("2022-02-15T10:00")):
        ended = people_release(actor=personas.commander, people=[person_a, person_b], on=day)
    assert ended == 2
    assert active(person_a) == active(person_b) == []
    assert set(
        Measure.objects.filter(status=MeasureStatus.RELEASED).values_list("person_id", "end_date")
    ) == {(person_a.pk, day), (person_b.pk, day)}
    assert AuditEvent.objects.filter(object_type="exposure").count() == 2
    assert AuditEvent.objects.filter(object_type="measure").count() == 2
