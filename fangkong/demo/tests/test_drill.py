"""The drill simulator: its overdue list equals a brute-force recomputation from the raw facts.

``overdue_recomputed`` knows nothing of the obligations module: it reads the facts the drill left
(cases, boxes and results, exposures and transfers, measures and check-ins, the officers' filings)
and the pack's deadline rules, and works out in plain Python which deadlines fell due before the
drill ended and were never met. bench/drill.py checks the same at a county's size.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from fangkong.core import clock
from fangkong.core.models import ClockState
from fangkong.demo.drill import PACK, Drill, DrillSize, Filing, drill_run
from fangkong.labs.models import Box, Tube, TubeResult
from fangkong.monitoring.models import Checkin
from fangkong.obligations.selectors import obligations_list
from fangkong.org.models import Unit
from fangkong.policy.models import Measure
from fangkong.policy.packs import packs_all
from fangkong.quarantine.models import Transfer
from fangkong.tracing.models import Case, CaseKind, CaseStatus, Exposure, Scan

# A deadline as the list shows it: what, which unit answers, for whom, due when.
Deadline = tuple[str, int, int | None, dt.datetime]

# Once a day by the evening: the check-in slot of everyone under a measure when the plan names no
# number of check-ins (P01 names none).
EVENING = dt.time(21)
PAST_REPORTED = (CaseStatus.TRANSFERRED, CaseStatus.TREATED, CaseStatus.RECOVERED)


def _utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC)


def overdue_recomputed(drill: Drill) -> Counter[Deadline]:
    """The deadlines of the drill's county due before its end and never met, from the raw facts."""
    pack = packs_all()[PACK]
    end = drill.ended
    within: dict[tuple[str, str], dt.timedelta] = {
        (d.trigger, d.obligation.kind): dt.timedelta(minutes=d.obligation.within_minutes)
        for d in pack.deadlines
    }
    owed: list[tuple[Deadline, bool]] = []  # (deadline, met)
    path = drill.hq.path

    def after(trigger: str, kind: str, at: dt.datetime) -> dt.datetime | None:
        span = within.get((trigger, kind))
        return None if span is None else at + span

    # Cases: the report and the ambulance of a suspected case (G-01, G-09); the direct report of
    # a confirmed one (G-04), counted from the report. Every drill case is first reported suspected.
    for case in Case.objects.filter(unit__path__startswith=path):
        steps = [
            ("suspected_case", "report", Filing("report", case_id=case.pk) in drill.filings),
            ("suspected_case", "transfer", case.status in PAST_REPORTED),
        ]
        if case.kind in (CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC):
            steps.append(
                (
                    "confirmed_case",
                    "direct_report",
                    Filing("direct_report", case_id=case.pk) in drill.filings,
                )
            )
        for trigger, kind, met in steps:
            due = after(trigger, kind, case.reported_at)
            if due is not None:
                owed.append(((kind, case.unit_id, case.person_id, due), met))
    # The lab: a box's results within 12 h of receipt (G-03), a positive reported at once.
    answered = set(TubeResult.objects.filter(conflict=False).values_list("tube_id", flat=True))
    tubes: dict[int, list[int]] = {}
    for tube_id, box_id in Tube.objects.filter(box__lab=drill.lab).values_list("pk", "box_id"):
        tubes.setdefault(box_id, []).append(tube_id)
    # One deadline a box and a positive: two of the same minute are two rows.
    each: Counter[Deadline] = Counter()
    for box in Box.objects.filter(lab=drill.lab, received_at__isnull=False):
        due = after("sample_received", "test_result", box.received_at)  # type: ignore[arg-type]
        if due is not None and due < end:
            if not all(tube in answered for tube in tubes.get(box.pk, [])):
                each[("test_result", drill.lab.pk, None, _utc(due))] += 1
    for barcode, recorded in TubeResult.objects.filter(
        lab=drill.lab, outcome="positive", conflict=False
    ).values_list("tube__barcode", "recorded_at"):
        due = after("positive_result", "report", recorded)
        if due is not None and due < end:
            if Filing("report", barcode=barcode) not in drill.filings:
                each[("report", drill.lab.pk, None, _utc(due))] += 1
    # Contacts: the contact rule's transfer within 12 h of being identified (G-08), met when the
    # vehicle arrives at the site.
    arrived = set(
        Transfer.objects.filter(arrived_at__isnull=False).values_list(
            "placement__person_id", flat=True
        )
    )
    for exposure in Exposure.objects.filter(person__unit__path__startswith=path).select_related(
        "person"
    ):
        for rule in pack.contact_rules:
            if rule.exposure != exposure.kind:
                continue
            for template in rule.obligations:
                due = exposure.identified_at + dt.timedelta(minutes=template.within_minutes)
                met = exposure.person_id in arrived
                owed.append(
                    ((template.kind, exposure.person.unit_id, exposure.person_id, due), met)
                )
            break
    # Check-ins: each tick opens the day's evening slot for everyone under a measure at that
    # moment and not in hospital (a case in course, from its report until closed); a check-in
    # of that day after the tick meets it, and a slot due during a stay is suspended, not owed.
    stays: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
    for person_id, reported, closed in Case.objects.filter(unit__path__startswith=path).values_list(
        "person_id", "reported_at", "closed_at"
    ):
        stays.setdefault(person_id, []).append((reported, closed))

    def in_hospital(person_id: int, at: dt.datetime) -> bool:
        return any(
            reported <= at and (closed is None or at < closed)
            for reported, closed in stays.get(person_id, ())
        )

    measures = list(
        Measure.objects.filter(unit__path__startswith=path).values_list(
            "person_id", "unit_id", "created_at", "closed_at", "start_date", "end_date"
        )
    )
    checked = {
        (person_id, at.astimezone(clock.tz()).date(), at)
        for person_id, at in Checkin.objects.filter(unit__path__startswith=path).values_list(
            "person_id", "at"
        )
    }
    checked_days: dict[tuple[int, dt.date], list[dt.datetime]] = {}
    for person_id, day, at in checked:
        checked_days.setdefault((person_id, day), []).append(at)
    for tick in drill.ticks:
        day = tick.astimezone(clock.tz()).date()
        slots: dict[int, int] = {}
        for person_id, unit_id, created, closed, start, stop in measures:
            still_open = closed is None or closed > tick
            stop_then = None if closed is not None and closed > tick else stop
            if (
                created <= tick
                and still_open
                and start <= day
                and not (stop_then and stop_then <= day)
            ):
                slots.setdefault(person_id, unit_id)
        for person_id, unit_id in slots.items():
            due = dt.datetime.combine(day, EVENING, clock.tz())
            if in_hospital(person_id, tick):
                continue
            met = any(at >= tick for at in checked_days.get((person_id, day), []))
            owed.append((("checkin", unit_id, person_id, due), met or in_hospital(person_id, due)))
    # Disinfection after a confirmed case (L-12): each venue the case scanned in the 14 days
    # before its report, by the unit keeping it, within the pack's hours of the report; the
    # drill's officers log none. One deadline per venue, so two venues of a unit count twice.
    places: Counter[Deadline] = Counter()
    after_case = pack.disinfection_after_case
    for case in Case.objects.filter(unit__path__startswith=path, kind=CaseKind.CONFIRMED):
        due = case.reported_at + dt.timedelta(hours=after_case.within_hours) if after_case else None
        if due is None or due >= end:
            continue
        for _venue, unit_id in (
            Scan.objects.filter(
                person_id=case.person_id,
                scanned_at__gte=case.reported_at - dt.timedelta(days=14),
                scanned_at__lte=case.reported_at,
            )
            .values_list("venue_id", "venue__unit_id")
            .distinct()
        ):
            places[("disinfection", unit_id, None, _utc(due))] += 1
    return (
        places
        + each
        + Counter(
            (kind, unit, person, _utc(due))
            for (kind, unit, person, due), met in set(owed)
            if not met and due < end
        )
    )


def overdue_shown(drill: Drill) -> Counter[Deadline]:
    """The overdue list the deadline page shows the drill's commander when the drill ends."""
    with clock.frozen(drill.ended):
        rows = obligations_list(drill.commander, state="overdue")
        return Counter((o.kind, o.unit_id, o.person_id, _utc(o.due_at)) for o in rows)


@pytest.mark.parametrize("seed", [2, 3])
def test_a_drill_ends_with_the_overdue_list_a_brute_force_recomputation_finds(reference_data, seed):
    # given / when: 300 people, 3 index cases, a week
    drill = drill_run(DrillSize(people=300, cases=3, days=7, seed=seed))

    # then: the outbreak spread, several kinds of deadline were left late, and the list is the
    # recomputation, row for row
    assert drill.cases > 3
    assert drill.contacts > 0
    assert drill.checkins > 0
    expected = overdue_recomputed(drill)
    assert len({kind for kind, _unit, _person, _due in expected}) >= 3
    assert overdue_shown(drill) == expected


@pytest.mark.slow
def test_l12_a_four_week_drill_owes_the_disinfection_of_its_confirmed_cases_places(
    reference_data,
):
    # given / when: 5,000 people and 10 index cases over four weeks, the cases scanning markets
    drill = drill_run(DrillSize(people=5000, cases=10, days=28, seed=2022))

    # then the plan's disinfection after a confirmed case (L-12, never logged in a drill) is
    # overdue at the markets' units, and the list is still the recomputation, row for row
    shown = overdue_shown(drill)
    assert any(kind == "disinfection" for kind, _unit, _person, _due in shown)
    assert shown == overdue_recomputed(drill)


def _signature(drill: Drill) -> list[tuple[str, str, str, dt.datetime]]:
    """The overdue list by names, not ids: the ids of a second run differ."""
    with clock.frozen(drill.ended):
        rows = obligations_list(drill.commander, state="overdue").order_by("due_at", "kind")
        return [(o.kind, o.unit.name, o.person.name if o.person else "", o.due_at) for o in rows]


def test_the_same_seed_gives_the_same_outbreak(reference_data):
    size = DrillSize(people=150, cases=2, days=5, seed=3)
    with transaction.atomic():
        first = drill_run(size)
        seen = (first.cases, first.contacts, first.checkins, _signature(first))
        transaction.set_rollback(True)

    again = drill_run(size, start=first.started.date())

    assert (again.cases, again.contacts, again.checkins, _signature(again)) == seen


def test_drill_run_prints_the_board_and_the_overdue_list_in_chinese(reference_data):
    out = StringIO()

    call_command("drill", "run", "--seed", "5", "--people", "200", "--cases", "2", "--days", "4",
                 stdout=out)  # fmt: skip

    text = out.getvalue()
    assert "演练5号疫情防控指挥部：200人" in text
    assert "四早看板" in text
    assert "转运\t" in text  # every suspected case owes its ambulance: kinds by name
    assert "transfer" not in text
    lines = text.splitlines()
    overdue = next(line for line in lines if line.startswith("已逾期："))
    listed = lines[lines.index(overdue) + 1 :]
    assert len(listed) == int(overdue.removeprefix("已逾期："))
    assert all("演练" in line for line in listed)  # the unit by name, not by code
    assert not any("DR5" in line for line in lines)
    # the stored clock stands at the drill's end, so the pages show what was printed
    ended = clock.local_midnight(clock.localdate() + dt.timedelta(days=4)) + dt.timedelta(
        minutes=10
    )
    assert ClockState.objects.get().frozen_at == ended


def test_a_seed_runs_once_on_a_database(reference_data):
    call_command("drill", "run", "--seed", "6", "--people", "50", "--cases", "1", "--days", "1",
                 stdout=StringIO())  # fmt: skip

    with pytest.raises(CommandError, match="演练6已在本数据库运行过"):
        call_command("drill", "run", "--seed", "6", "--people", "50", stdout=StringIO())


def test_a_drill_with_more_index_cases_than_people_is_refused_and_builds_nothing(reference_data):
    with pytest.raises(CommandError, match="首发病例数多于人数"):
        call_command("drill", "run", "--seed", "8", "--people", "10", "--cases", "11")

    assert not Unit.objects.filter(code__startswith="DR8").exists()
