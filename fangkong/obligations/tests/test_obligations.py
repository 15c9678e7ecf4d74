"""The obligations module: specs own due times and detail; opening, meeting (audited), pending."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.obligations.models import (
    Obligation,
    ObligationKind,
    ObligationSource,
    ObligationStatus,
)
from fangkong.obligations.services import (
    obligation_meet,
    obligations_meet,
    obligations_meet_tests,
    obligations_open,
    obligations_tick,
)
from fangkong.obligations.specs import AfterEvent, DayTest, Due, Owner, Periodic, WithinTest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def owner(person=None, unit=None, source=ObligationSource.EVENT) -> Owner:
    return Owner(
        unit.pk if unit is not None else person.unit_id,
        source,
        person.pk if person is not None else None,
    )


@pytest.mark.parametrize(
    ("spec_due", "expected"),
    [
        # A test of a day is due at the local midnight that ends it (Beijing time, UTC+8).
        (lambda o: DayTest(o, dt.date(2022, 2, 3)).due_at, at("2022-02-04T00:00")),
        (lambda o: WithinTest(o, at("2022-02-03T15:30")).due_at, at("2022-02-03T15:30")),
        # A weekly period from Monday 02-07 ends at the midnight after Sunday 02-13.
        (lambda o: Periodic(o, "test", dt.date(2022, 2, 7), 7).due_at, at("2022-02-14T00:00")),
    ],
)
def test_specs_own_their_due_time(spec_due, expected):
    assert spec_due(Owner(1, ObligationSource.EVENT)) == expected


def test_a_test_of_a_day_is_due_at_the_shanghai_midnight_that_ends_it(person_a):
    # when the test of 2022-02-03 is opened
    obligations_open([DayTest(owner(person_a), dt.date(2022, 2, 3))])
    # then it is due at 2022-02-04 00:00 in Shanghai, which is 16:00 UTC on the 3rd
    row = Obligation.objects.get(person=person_a)
    assert row.due_at == dt.datetime(2022, 2, 3, 16, tzinfo=dt.UTC)
    assert (row.kind, row.status) == (ObligationKind.TEST, ObligationStatus.OPEN)
    assert row.detail == {"date": "2022-02-03"}
    # and a sample taken late that evening meets it, one taken the next day does not
    assert obligations_meet_tests([(person_a.pk, at("2022-02-04T00:30"))], actor=None) == 0
    assert obligations_meet_tests([(person_a.pk, at("2022-02-03T23:30"))], actor=None) == 1
    assert Obligation.objects.get(person=person_a).status == ObligationStatus.MET


def test_the_specs_write_detail_the_queryset_reads(county, person_a):
    obligations_open(
        [
            WithinTest(owner(person_a), at("2022-02-03T15:30"), retest_of="T0001"),
            AfterEvent(owner(unit=county.hq), "test_result", at("2022-02-03T21:00"), box="BX1"),
            AfterEvent(owner(person_a), "report", at("2022-02-03T21:00"), fever_event=7),
            Periodic(owner(unit=county.school), "environment", dt.date(2022, 2, 7), 7),
        ]
    )
    assert Obligation.objects.retests_of("T0001").get().detail == {
        "retest_of": "T0001",
        "due_by": at("2022-02-03T15:30").isoformat(),
        "control": True,
    }
    assert Obligation.objects.of_boxes(["BX1"]).get().unit == county.hq
    assert Obligation.objects.of_fever(7).get().kind == "report"
    periodic = Obligation.objects.periodic()
    assert periodic.get().detail == {"since": "2022-02-07", "every_days": 7}
    assert periodic.periodic_holding(at("2022-02-13T23:00")).exists()
    assert not periodic.periodic_holding(at("2022-02-06T23:00")).exists()  # before the period
    assert not periodic.periodic_holding(at("2022-02-14T00:00")).exists()  # past it


def test_opening_once_is_idempotent_as_the_tick_relies_on(county, person_a):
    # given a routine report and a check-in slot, opened at every tick
    report = Due(
        owner(unit=county.school, source=ObligationSource.REPORT),
        "daily_report",
        at("2022-02-02T10:00"),
    )
    slot = Due(
        owner(person_a, source=ObligationSource.MONITORING), "checkin", at("2022-02-02T21:00")
    )
    # when they are opened twice
    obligations_open([report, slot], once=True)
    obligations_open([report, slot], once=True)
    # then each exists once
    assert Obligation.objects.filter(kind="daily_report").count() == 1
    assert Obligation.objects.filter(kind="checkin").count() == 1


def test_pending_is_open_or_missed_never_met_or_cancelled(person_a):
    days = [dt.date(2022, 2, d) for d in (1, 2, 3, 4)]
    obligations_open(DayTest(owner(person_a), day) for day in days)
    rows = list(Obligation.objects.order_by("due_at"))
    for row, status in zip(rows, ObligationStatus.values, strict=True):
        Obligation.objects.filter(pk=row.pk).update(status=status)
    pending = Obligation.objects.pending().for_people([person_a.pk]).tests()
    assert {o.status for o in pending} == {ObligationStatus.OPEN, ObligationStatus.MISSED}
    assert not Obligation.objects.pending().for_people([person_a.pk + 1000]).exists()
    # due_on: the day from its midnight, not the midnight that ends it
    assert list(Obligation.objects.due_on(dt.date(2022, 2, 2))) == [rows[0]]


def test_the_tick_marks_past_due_missed_and_meeting_it_late_keeps_it_pending_until_met(
    person_a, personas
):
    obligations_open([DayTest(owner(person_a), dt.date(2022, 2, 3))])
    with clock.frozen(at("2022-02-04T00:01")):
        assert obligations_tick().missed == 1
        row = Obligation.objects.get()
        assert row.status == ObligationStatus.MISSED
        assert Obligation.objects.overdue(clock.now()).get() == row  # still owed
    with clock.frozen(at("2022-02-04T08:00")):
        obligation_meet(actor=personas.worker_a, obligation=row, note="补采")
    row.refresh_from_db()
    assert (row.status, row.met_by, row.note) == (ObligationStatus.MET, personas.worker_a, "补采")
    event = AuditEvent.objects.get(object_type="obligation")
    assert (event.object_id, event.summary) == (str(row.pk), "核酸检测已完成（迟报）")


def test_meeting_audits_once_in_the_same_call_and_a_met_one_stays_met(county, personas, person_a):
    obligations_open(DayTest(owner(person_a), dt.date(2022, 2, d)) for d in (3, 4))
    rows = Obligation.objects.for_people([person_a.pk])
    met = obligations_meet(rows, actor=personas.worker_a, unit_id=county.village_a.pk, summary="x")
    assert met == 2
    assert {(o.status, o.met_by) for o in rows} == {(ObligationStatus.MET, personas.worker_a)}
    event = AuditEvent.objects.get(object_type="obligation")
    assert (event.actor, event.unit_id, event.summary) == (
        personas.worker_a,
        county.village_a.pk,
        "完成 2 项：x",
    )
    # meeting again changes nothing and audits nothing
    assert obligations_meet(rows, actor=personas.commander, unit_id=None, summary="x") == 0
    assert AuditEvent.objects.filter(object_type="obligation").count() == 1
    assert {o.met_by for o in rows} == {personas.worker_a}


def test_a_neighbouring_units_worker_may_not_meet_it_and_nothing_changes(personas, person_a):
    obligations_open([DayTest(owner(person_a), dt.date(2022, 2, 3))])
    row = Obligation.objects.get()
    with pytest.raises(PermissionDenied):
        obligation_meet(actor=personas.worker_b, obligation=row)
    row.refresh_from_db()
    assert (row.status, row.met_by) == (ObligationStatus.OPEN, None)
    assert not AuditEvent.objects.filter(object_type="obligation").exists()
