"""Daily monitoring through its services: thresholds and re-measures from the pack, the fever path
with its deadlines, bad input refused whole, absences, daily and zero reports and the roll-up."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import County, Personas
from fangkong.core import clock
from fangkong.monitoring.models import Checkin, FeverEvent, UnitReport
from fangkong.monitoring.selectors import report_rollup
from fangkong.monitoring.services import (
    CheckinInput,
    absence_record,
    absence_return,
    checkins_record,
    report_file,
    self_link_create,
    self_link_person,
    self_links_revoke,
)
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.people.models import Person, PersonCategory
from fangkong.policy.services import plan_assign, reports_open

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def under(plan: str, county: County, personas: Personas) -> None:
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id=plan,
        start_date=dt.date(2022, 1, 1),
        end_date=None,
        recompute=False,
    )


def as_(person: Person, category: str) -> Person:
    PersonCategory.objects.filter(person=person).delete()
    PersonCategory.objects.create(person=person, category_id=category)
    return person


def reading(person: Person, when: str, celsius, **extra) -> CheckinInput:
    return CheckinInput(person_id=person.pk, at=at(when), celsius=celsius, **extra)


def test_e15_37_3_is_not_a_fever_37_4_asks_for_a_re_measure(county, personas, person_a):
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "staff")
    result = checkins_record(
        actor=personas.worker_a,
        rows=[reading(person_a, "2022-02-01T08:00", "37.3")],
    )
    assert result.created[0].status == "normal"
    again = checkins_record(
        actor=personas.worker_a, rows=[reading(person_a, "2022-02-01T08:05", 37.4)]
    )
    assert again.created[0].status == "recheck"
    assert not FeverEvent.objects.exists()


def test_e15_g22_staff_second_reading_over_opens_the_fever_path_with_20_and_40_minutes(
    county, personas, person_a
):
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "staff")
    checkins_record(actor=personas.worker_a, rows=[reading(person_a, "2022-02-01T08:00", 37.8)])
    result = checkins_record(
        actor=personas.worker_a, rows=[reading(person_a, "2022-02-01T08:03", 37.6)]
    )
    assert result.created[0].status == "fever"
    event = FeverEvent.objects.get()
    assert event.actions == ["isolate", "ask_history"]
    reports = Obligation.objects.filter(detail__fever_event=event.pk).order_by("due_at")
    assert [(o.kind, o.due_at) for o in reports] == [
        ("oral_report", at("2022-02-01T08:23")),
        ("written_report", at("2022-02-01T08:43")),
    ]


def test_e16_a_sick_staff_member_is_followed_up_every_day_until_recorded_recovered(
    county, personas, person_a
):
    from conftest import login

    # given: a confirmed fever under P15 (two readings over 37.3 °C)
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "staff")
    with clock.frozen(at("2022-02-01T08:05")):
        checkins_record(
            actor=personas.worker_a,
            rows=[
                reading(person_a, "2022-02-01T08:00", 37.8),
                reading(person_a, "2022-02-01T08:03", 37.6),
            ],
        )
    event = FeverEvent.objects.get()
    # when: the tick opens each day, and the fever page records the person sent home on day 2
    worker = login(personas.worker_a)
    for day in ("2022-02-01", "2022-02-02", "2022-02-03", "2022-02-04"):
        with clock.frozen(at(f"{day}T06:00")):
            obligations_tick()
            if day == "2022-02-02":
                worker.post(f"/monitoring/fevers/{event.pk}/", {"disposition": "sent_home"})
    follow_ups = Obligation.objects.filter(person=person_a, kind="follow_up").order_by("due_at")
    # then: one follow-up a day, the first 24 h after the fever, the next by the end of each day,
    # going on after the person is sent home
    assert [o.due_at for o in follow_ups] == [
        at("2022-02-02T08:03"),
        at("2022-02-04T00:00"),
        at("2022-02-05T00:00"),
    ]
    # when: the person is recorded recovered on day 4; the tick runs on day 5
    with clock.frozen(at("2022-02-04T12:00")):
        page = worker.post(f"/monitoring/fevers/{event.pk}/", {"disposition": "recovered"})
    assert page.status_code == 302
    with clock.frozen(at("2022-02-05T06:00")):
        obligations_tick()
    # then: day 4's follow-up is owed no longer, and no more are opened
    assert [o.status for o in follow_ups.order_by("due_at")] == [
        ObligationStatus.MISSED,
        ObligationStatus.MISSED,
        ObligationStatus.CANCELLED,
    ]


def test_e15_a_child_needs_three_readings_over_and_a_normal_one_resets(county, personas, person_a):
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "child")
    statuses = [
        checkins_record(
            actor=personas.worker_a, rows=[reading(person_a, f"2022-02-01T08:0{i}", value)]
        )
        .created[0]
        .status
        for i, value in enumerate([37.8, 37.6, 36.8, 37.5, 37.7, 37.9])
    ]
    assert statuses == ["recheck", "recheck", "normal", "recheck", "recheck", "fever"]


def test_e15_readings_hours_apart_are_not_re_measures(county, personas, person_a):
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "staff")
    checkins_record(actor=personas.worker_a, rows=[reading(person_a, "2022-02-01T07:00", 37.8)])
    later = checkins_record(
        actor=personas.worker_a, rows=[reading(person_a, "2022-02-01T09:30", 37.6)]
    )
    assert later.created[0].status == "recheck"


def test_d06_p12_fever_with_symptoms_isolates_and_reports_at_once(county, personas, person_a):
    under("P12-enterprise-response-team", county, personas)
    result = checkins_record(
        actor=personas.worker_a,
        rows=[reading(person_a, "2022-02-01T08:00", 37.5, symptoms=["dry_cough"])],
    )
    assert result.created[0].status == "fever"
    assert FeverEvent.objects.get().actions == ["isolate", "register", "transfer"]
    report = Obligation.objects.get(kind="report", person=person_a)
    assert report.due_at == at("2022-02-01T08:00")  # G-18: 立即


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"celsius": "33.9"}, "celsius"),
        ({"celsius": "43.1"}, "celsius"),
        ({"celsius": "hot"}, "celsius"),
        ({"at": at("2022-02-01T19:00")}, "at"),  # the frozen clock is 18:00 in Shanghai
        ({"symptoms": ["sneezing"]}, "symptoms"),
        ({"health_code": "blue"}, "health_code"),
        ({"place": "x" * 101}, "place"),
        ({"celsius": None}, "celsius"),
    ],
)
def test_bad_check_ins_are_refused_with_field_and_reason_and_nothing_is_stored(
    county, personas, person_a, change, field
):
    data = {"person_id": person_a.pk, "at": at("2022-02-01T08:00"), "celsius": "36.5", **change}
    result = checkins_record(actor=personas.worker_a, rows=[CheckinInput(**data)])
    assert [(e["index"], e["field"]) for e in result.errors] == [(0, field)]
    assert not Checkin.objects.exists()


def test_a_check_in_for_someone_outside_the_users_units_is_refused(
    county, personas, person_a, person_b
):
    result = checkins_record(
        actor=personas.worker_a,
        rows=[
            reading(person_b, "2022-02-01T08:00", 36.5),
            CheckinInput(person_id=999_999, celsius="36.5"),
        ],
    )
    assert [(e["index"], e["field"]) for e in result.errors] == [(0, "person"), (1, "person")]
    assert str(person_b.pk) in result.errors[0]["reason"]
    assert not Checkin.objects.exists()


def test_a_batch_keeps_every_valid_row_and_reports_each_rejected_one(county, personas, person_a):
    rows = [reading(person_a, f"2022-02-01T0{h}:00", 36.5) for h in range(1, 6)]
    rows.insert(2, reading(person_a, "2022-02-01T08:00", 50))
    result = checkins_record(actor=personas.worker_a, rows=rows)
    assert len(result.created) == 5
    assert result.errors == [{"index": 2, "field": "celsius", "reason": result.errors[0]["reason"]}]
    with pytest.raises(ValidationError):
        checkins_record(actor=personas.worker_a, rows=[rows[0]] * 501)


def test_a_personal_link_opens_only_its_person_until_revoked(county, personas, person_a):
    token = self_link_create(actor=personas.worker_a, person=person_a)
    assert self_link_person(token) == person_a
    assert self_link_person(token[:-2] + "xx") is None
    with pytest.raises(PermissionDenied):
        self_link_create(actor=personas.worker_b, person=person_a)
    self_links_revoke(actor=personas.worker_a, person=person_a)
    assert self_link_person(token) is None


def test_e05_d10_an_illness_absence_returns_only_with_certificate_and_both_approvals(
    county, personas, person_a
):
    absence = absence_record(
        actor=personas.worker_a,
        person=person_a,
        unit=county.grid_a,
        day=dt.date(2022, 2, 1),
        illness=True,
        symptoms=["fever", "cough"],
    )
    with pytest.raises(ValidationError) as refused:
        absence_return(
            actor=personas.worker_a,
            absence=absence,
            on=dt.date(2022, 2, 1),
            hospital_certificate=False,
            doctor="校医王",
            leader="",
        )
    assert set(refused.value.message_dict) == {"hospital_certificate", "leader"}
    absence.refresh_from_db()
    assert absence.returned_on is None
    absence_return(
        actor=personas.worker_a,
        absence=absence,
        on=dt.date(2022, 2, 1),
        hospital_certificate=True,
        doctor="校医王",
        leader="副校长李",
        cause="流感",
    )
    absence.refresh_from_db()
    assert (absence.status, absence.cause) == ("returned", "流感")


def test_e11_g16_a_late_report_a_zero_report_and_a_unit_that_filed_nothing(county, personas):
    under("P11-school-winter-exams", county, personas)
    # The school and a second school owe a report by 10:00 on 02-02.
    from fangkong.org.services import unit_create

    second = unit_create(
        code="SCH2", name="第二中学", kind="school", region=county.hq.region, parent=county.township
    )
    reports_open(dt.date(2022, 2, 2))
    with clock.frozen(at("2022-02-02T10:30")):
        late = report_file(
            actor=personas.commander,
            unit=county.school,
            kind="daily_report",
            day=dt.date(2022, 2, 2),
        )
        assert late.late
        assert late.figures["expected"] == 0
        obligations_tick()
        rows = report_rollup(personas.commander, county.hq, dt.date(2022, 2, 2))
    township = next(r for r in rows if r.unit == county.township)
    assert (township.due, township.on_time, township.late, township.silent) == (2, 0, 1, 1)
    assert Obligation.objects.get(unit=second).status == ObligationStatus.MISSED
    assert Obligation.objects.get(unit=county.school).status == ObligationStatus.MET
    with clock.frozen(at("2022-02-03T09:00")):
        reports_open(dt.date(2022, 2, 3))
        zero = report_file(
            actor=personas.commander,
            unit=second,
            kind="daily_report",
            day=dt.date(2022, 2, 3),
            zero=True,
        )
    assert (zero.zero, zero.late) == (True, False)
    with pytest.raises(ValidationError):
        report_file(
            actor=personas.commander, unit=second, kind="daily_report", day=dt.date(2022, 2, 3)
        )
    assert UnitReport.objects.count() == 2


def test_a_grid_worker_cannot_report_for_another_unit(county, personas):
    with pytest.raises(PermissionDenied):
        report_file(
            actor=personas.worker_b,
            unit=county.village_a,
            kind="daily_report",
            day=dt.date(2022, 2, 1),
        )


def test_d06_a_close_contact_checks_in_morning_and_evening_a_skipped_morning_stays_missed(
    county, personas, person_a
):
    from fangkong.tracing.services import exposure_record

    # given: a close contact under P12 (每天早、晚监测2次体温)
    under("P12-enterprise-response-team", county, personas)
    exposure_record(
        actor=personas.commander,
        person=person_a,
        kind="close_contact",
        last_exposed_at=at("2022-02-01T08:00"),
    )
    # when: the tick opens the day, and runs again after the morning check was due
    with clock.frozen(at("2022-02-02T06:00")):
        obligations_tick()
    with clock.frozen(at("2022-02-02T10:01")):
        obligations_tick()
        obligations_tick()  # every minute: still two slots
    slots = Obligation.objects.filter(person=person_a, kind="checkin").order_by("due_at")
    # then: a morning slot and an evening one, and the morning one skipped is missed
    assert [o.due_at for o in slots] == [at("2022-02-02T10:00"), at("2022-02-02T21:00")]
    assert [o.status for o in slots] == [ObligationStatus.MISSED, ObligationStatus.OPEN]
    # when: the evening check is taken
    with clock.frozen(at("2022-02-02T19:30")):
        checkins_record(
            actor=personas.worker_a, rows=[reading(person_a, "2022-02-02T19:30", "36.4")]
        )
    # then: it meets the evening slot on time; the morning stays missed
    assert [o.status for o in slots.order_by("due_at")] == [
        ObligationStatus.MISSED,
        ObligationStatus.MET,
    ]


def test_e11_p11_boarders_check_in_three_times_a_day_other_students_by_the_plan_s_default(
    county, personas, person_a, person_b
):
    # given: P11 (晨午(晚)检: per_day default 2, boarder 3), a boarder and a day student
    under("P11-school-winter-exams", county, personas)
    boarder, day_student = as_(person_a, "boarder"), as_(person_b, "student")
    # when: the tick opens the day
    with clock.frozen(at("2022-02-02T06:00")):
        obligations_tick()
    # then: the boarder owes the morning, noon and evening checks; the day student, under no
    # measure and of no category the plan names, owes none
    assert [o.due_at for o in Obligation.objects.filter(person=boarder, kind="checkin")] == [
        at("2022-02-02T10:00"),
        at("2022-02-02T14:00"),
        at("2022-02-02T21:00"),
    ]
    assert not Obligation.objects.filter(person=day_student, kind="checkin").exists()
    # when: the boarder checks in at 08:00 and at 12:30
    with clock.frozen(at("2022-02-02T12:31")):
        checkins_record(
            actor=personas.worker_a,
            rows=[
                reading(boarder, "2022-02-02T08:00", "36.5"),
                reading(boarder, "2022-02-02T12:30", 36.6),
            ],
        )
    # then: the morning and noon checks are met, the evening one is owed
    assert [o.status for o in Obligation.objects.filter(person=boarder, kind="checkin")] == [
        ObligationStatus.MET,
        ObligationStatus.MET,
        ObligationStatus.OPEN,
    ]
