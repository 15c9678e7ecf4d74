"""Nucleic-acid testing: sampling into tubes, lab results, pooled positives, boxes, rounds and the
pool-size planner."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from conftest import County, Personas, make_resident_id, make_user
from fangkong.core import clock
from fangkong.labs.models import Sample, Tube, TubeResult
from fangkong.labs.planner import expected_tests, pool_size
from fangkong.labs.results import ResultInput, results_import, results_record
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.selectors import person_results, round_coverage, round_missing
from fangkong.labs.services import (
    box_receive,
    box_send,
    environment_sample_record,
    point_create,
    round_create,
)
from fangkong.obligations.models import Notification, Obligation, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.org.models import Unit
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case


def villagers(
    county: County, personas: Personas, n: int, unit: Unit | None = None, first: int = 100
) -> list[Person]:
    return [
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=f"村民{i}",
                id_type="resident",
                id_number=make_resident_id(sequence=f"{i + first:03d}"),
                unit=unit or county.grid_a,
                categories=["resident"],
            ),
        )
        for i in range(n)
    ]


@pytest.fixture
def lab(county: County) -> Unit:
    return unit_create(
        code="LAB", name="县疾控中心实验室", kind="lab", region=county.hq.region, parent=county.hq
    )


@pytest.fixture
def screening(county: County, personas: Personas, lab: Unit):
    return round_create(
        actor=personas.commander, unit=county.township, name="第一轮全员核酸",
        starts_at=clock.now() - dt.timedelta(hours=1), pool_size=10, lab=lab,
    )  # fmt: skip


def pool(barcode: str, people: list[Person]) -> list[SampleInput]:
    return [SampleInput(barcode=barcode, person_id=p.pk) for p in people]


def test_planner_matches_dorfman_p_0_01_gives_11_and_0_196():
    plan = pool_size(0.01)
    assert plan.pool_size == 11
    assert plan.tests_per_person == pytest.approx(1 / 11 + 1 - 0.99**11)
    assert round(plan.tests_per_person, 3) == 0.196
    assert pool_size(0.01, max_size=10).pool_size == 10
    assert pool_size(0.5).pool_size == 1  # pooling no longer saves tests
    assert expected_tests(1, 0.2) == 1.0
    assert plan.tests_for(10_000) == 1956
    with pytest.raises(ValueError, match="阳性率"):
        pool_size(1.5)


def test_the_pool_size_command_prints_json():
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fangkong.cli", "labs", "pool-size", "--positivity", "0.01"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    data = json.loads(out)
    assert data["pool_size"] == 11
    assert data["tests_per_person"] == pytest.approx(0.1956, abs=1e-4)
    bad = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fangkong.cli", "labs", "pool-size", "--positivity", "2"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "阳性率" in bad.stderr


def test_a_ten_person_pool_takes_ten_and_refuses_the_eleventh(county, personas, screening):
    people = villagers(county, personas, 11)
    result = samples_record(actor=personas.worker_a, round=screening, rows=pool("T0001", people))
    assert (result.samples, result.tubes) == (10, 1)
    assert [(e["index"], e["field"]) for e in result.errors] == [(10, "tube")]
    assert "T0001" in result.errors[0]["reason"]
    tube = Tube.objects.get(barcode="T0001")
    assert (tube.capacity, tube.kind, tube.round, tube.lab) == (
        10,
        "pool",
        screening,
        screening.lab,
    )
    assert Sample.objects.filter(tube=tube).count() == 10


def test_sending_the_same_rows_again_changes_nothing(county, personas, screening):
    people = villagers(county, personas, 3)
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T0002", people))
    again = samples_record(actor=personas.worker_a, round=screening, rows=pool("T0002", people))
    assert (again.samples, again.tubes, again.unchanged, again.errors) == (0, 0, 3, [])
    assert Sample.objects.count() == 3


def test_a_person_is_in_one_tube_of_a_round(county, personas, screening):
    first, second = villagers(county, personas, 2)
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T0003", [first]))
    result = samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0004", [first, second])
    )
    assert result.samples == 1
    assert [(e["index"], e["field"]) for e in result.errors] == [(0, "person")]
    assert "T0003" in result.errors[0]["reason"]


def test_a_barcode_is_never_reused(county, personas, screening, lab):
    people = villagers(county, personas, 3)
    samples_record(
        actor=personas.worker_a,
        round=screening,
        unit=county.village_a,
        rows=pool("T0005", people[:1]),
    )
    # Another kind or no round: a different use of the same tube.
    elsewhere = samples_record(
        actor=personas.worker_a,
        kind="single",
        unit=county.village_a,
        rows=pool("T0005", people[1:2]),
    )
    assert [e["field"] for e in elsewhere.errors] == ["tube"]
    box_send(
        actor=personas.worker_a, unit=county.village_a, lab=lab, code="BOX1", barcodes=["T0005"]
    )
    sealed = samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0005", people[2:])
    )
    assert "sealed" in sealed.errors[0]["reason"] or "封" in sealed.errors[0]["reason"]
    assert Sample.objects.count() == 1


def test_unknown_and_out_of_scope_people_are_refused_and_the_rest_kept(
    county, personas, screening, person_b
):
    people = villagers(county, personas, 2)
    rows = [
        *pool("T0006", people),
        SampleInput(barcode="T0006", person_id=999_999),
        SampleInput(barcode="T0006", person_id=person_b.pk),  # village B: not worker A's
        SampleInput(barcode="T0006", id_number=make_resident_id(sequence="100")),  # people[0]
        SampleInput(barcode="bad code!", person_id=people[0].pk),
        SampleInput(barcode="T0007", id_number="110101199003074518"),  # nobody registered
    ]
    result = samples_record(actor=personas.worker_a, round=screening, rows=rows)
    assert result.samples == 2
    assert [(e["index"], e["field"]) for e in result.errors] == [
        (2, "person"), (3, "person"), (5, "tube"), (6, "id_number"),
    ]  # fmt: skip
    assert str(person_b.pk) in result.errors[1]["reason"]
    assert result.unchanged == 1  # the ID number named someone already in this tube
    assert not Tube.objects.filter(barcode="T0007").exists()


def test_sampling_needs_the_capability(county, personas, screening):
    with pytest.raises(PermissionDenied):
        samples_record(actor=personas.teacher, round=screening, rows=pool("T0008", []))


def result(barcode: str, outcome: str, ct=None) -> ResultInput:
    return ResultInput(barcode=barcode, outcome=outcome, ct=ct)


@pytest.fixture
def technician(lab: Unit):
    return make_user("lab-tech", Role.LAB_TECHNICIAN, lab)


def test_results_for_unknown_tubes_are_refused_duplicates_change_nothing_contradictions_kept(
    county, personas, screening, lab, technician
):
    samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0010", villagers(county, personas, 2))
    )
    first = results_record(
        actor=technician, lab=lab, rows=[result("T0010", "阴性", "38.5"), result("NOPE1", "阴性")]
    )
    assert first.accepted == 1
    assert [(e["index"], e["field"]) for e in first.errors] == [(1, "barcode")]
    again = results_record(actor=technician, lab=lab, rows=[result("T0010", "negative", "38.5")])
    assert (again.accepted, again.unchanged, again.conflicts) == (0, 1, 0)
    contradiction = results_record(actor=technician, lab=lab, rows=[result("T0010", "阳性", "30")])
    assert (contradiction.accepted, contradiction.conflicts) == (0, 1)
    accepted = TubeResult.objects.get(tube__barcode="T0010", conflict=False)
    assert accepted.outcome == "negative"  # not overwritten
    assert TubeResult.objects.filter(
        tube__barcode="T0010", conflict=True, outcome="positive"
    ).exists()
    assert contradiction.positives == []  # a contradiction is flagged, not acted on
    other_lab = unit_create(
        code="LAB2", name="第三方实验室", kind="lab", region=county.hq.region, parent=county.hq
    )
    stranger = make_user("other-tech", Role.LAB_TECHNICIAN, other_lab)
    refused = results_record(actor=stranger, lab=other_lab, rows=[result("T0010", "阴性")])
    assert [e["field"] for e in refused.errors] == ["barcode"]  # not sent to that lab


def test_f04_a_positive_pool_puts_every_member_under_control_with_a_single_re_test(
    county, personas, screening, lab, technician
):
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    members = villagers(county, personas, 10)
    point = point_create(actor=personas.worker_a, unit=county.village_a, name="村委会采样点")
    samples_record(
        actor=personas.worker_a, round=screening, point=point, rows=pool("T0020", members)
    )
    outcome = results_record(actor=technician, lab=lab, rows=[result("T0020", "阳性", "28.1")])
    assert outcome.positives == ["T0020"]
    retests = Obligation.objects.filter(kind="test", detail__retest_of="T0020")
    assert sorted(retests.values_list("person_id", flat=True)) == sorted(p.pk for p in members)
    assert all(o.status == ObligationStatus.OPEN for o in retests)
    assert person_results([m.pk for m in members]) == {}  # a pool's positive is no one's result
    notified = set(
        Notification.objects.filter(topic="positive").values_list("user__username", flat=True)
    )
    assert {"worker-a", "hq"} <= notified  # the sampling village and the county
    # G-03: the pack's "report a positive at once" deadline, the lab answering.
    assert Obligation.objects.filter(rule_id="positive-result", unit=lab).exists()
    # The re-tests: one single tube each; sampling meets the re-test, the result resolves the pool.
    sick, *well = members
    samples_record(
        actor=personas.worker_a, kind="single", unit=county.village_a, rows=pool("R0001", [sick])
    )
    for i, person in enumerate(well):
        samples_record(
            actor=personas.worker_a,
            kind="single",
            unit=county.village_a,
            rows=pool(f"R{i + 2:04d}", [person]),
        )
    assert not retests.filter(status=ObligationStatus.OPEN).exists()
    results_record(
        actor=personas.commander, lab=lab,
        rows=[result("R0001", "阳性", "25"), *(result(f"R{i + 2:04d}", "阴性") for i in range(9))],
    )  # fmt: skip
    found = person_results([sick.pk, well[0].pk])
    assert [positive for _at, positive in found[sick.pk]] == [True]
    assert [positive for _at, positive in found[well[0].pk]] == [False]


def test_a_negative_pool_is_each_members_negative(county, personas, screening, lab, technician):
    members = villagers(county, personas, 3)
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T0030", members))
    results_record(actor=technician, lab=lab, rows=[result("T0030", "阴性")])
    assert [p for _at, p in person_results([members[2].pk])[members[2].pk]] == [False]


def test_g03_a_box_received_starts_the_12_hour_clock_met_when_every_tube_has_a_result(
    county, personas, screening, lab, technician
):
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    people = villagers(county, personas, 4)
    samples_record(
        actor=personas.worker_a,
        round=screening,
        unit=county.village_a,
        rows=pool("T0040", people[:2]),
    )
    samples_record(
        actor=personas.worker_a,
        round=screening,
        unit=county.village_a,
        rows=pool("T0041", people[2:]),
    )
    box = box_send(
        actor=personas.worker_a,
        unit=county.village_a,
        lab=lab,
        code="BOX40",
        barcodes=["T0040", "T0041"],
    )
    with pytest.raises(PermissionDenied):
        box_receive(actor=personas.worker_a, box=box)
    received = box_receive(actor=technician, box=box).received_at
    assert received == clock.now()
    clock_ = Obligation.objects.get(kind="test_result", detail__box="BOX40")
    assert clock_.due_at == received + dt.timedelta(hours=12)
    with pytest.raises(ValidationError):
        box_receive(actor=technician, box=box)
    results_record(actor=technician, lab=lab, rows=[result("T0040", "阴性")])
    clock_.refresh_from_db()
    assert clock_.status == ObligationStatus.OPEN
    results_record(actor=technician, lab=lab, rows=[result("T0041", "阴性")])
    clock_.refresh_from_db()
    assert clock_.status == ObligationStatus.MET


def test_a_result_file_reports_rows_by_number_and_importing_it_twice_changes_nothing(
    county, personas, screening, lab, technician, tmp_path
):
    samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0050", villagers(county, personas, 2))
    )
    path = tmp_path / "results.csv"
    path.write_text(
        "条码,结果,Ct值,检测时间\nT0050,阴性,,2022-02-01 17:30\nT0051,阴性,,\nT0050,maybe,,\n",
        encoding="utf-8",
    )
    first = results_import(actor=technician, lab=lab, path=path, name="results.csv")
    assert first.accepted == 1
    assert [(e["index"], e["field"]) for e in first.errors] == [(3, "barcode"), (4, "result")]
    second = results_import(actor=technician, lab=lab, path=path, name="results.csv")
    assert (second.accepted, second.conflicts, second.unchanged) == (0, 0, 1)
    assert TubeResult.objects.count() == 1


def test_a_result_file_past_the_row_limit_is_refused_in_chinese_and_nothing_is_recorded(
    settings, county, personas, screening, lab, technician
):
    # given a tube awaiting its result, and a file longer than an import may be
    from django.core.files.uploadedfile import SimpleUploadedFile

    from conftest import login

    settings.IMPORT_MAX_ROWS = 2
    samples_record(
        actor=personas.worker_a, round=screening, rows=pool("T0070", villagers(county, personas, 2))
    )
    content = "条码,结果\nT0070,阳性\n" + "".join(f"T09{n:02d},阴性\n" for n in range(4))
    # when the lab uploads it on the results page
    response = login(technician).post(
        "/labs/results/",
        {"lab": lab.pk, "file": SimpleUploadedFile("results.csv", content.encode())},
    )
    # then the page says why in Chinese, and not even the first row was recorded
    page = response.content.decode()
    assert "最多 2 行" in page
    assert 'data-testid="outcome"' not in page
    assert not TubeResult.objects.exists()
    assert not Notification.objects.exists()


def test_f05_round_coverage_by_unit_and_the_missing_list(county, personas, screening):
    in_a = villagers(county, personas, 3)
    in_b = villagers(county, personas, 2, unit=county.grid_b, first=200)
    samples_record(
        actor=personas.commander, round=screening, rows=pool("T0060", [*in_a[:2], in_b[0]])
    )
    coverage = round_coverage(screening, personas.commander)
    rows = {row.unit.code: (row.registered, row.sampled) for row in coverage}
    assert rows["VA"] == (3, 2)
    assert rows["VB"] == (2, 1)
    assert list(round_missing(screening, county.grid_a, personas.commander)) == [in_a[2]]
    with pytest.raises(ValidationError):
        round_create(
            actor=personas.commander,
            unit=county.township,
            name="x",
            starts_at=clock.now(),
            pool_size=7,
        )


def test_f06_g10_a_fever_clinic_box_gets_results_within_6_hours(county, personas, lab, technician):
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P02-two-festivals",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    patient = villagers(county, personas, 1)
    samples_record(
        actor=personas.worker_a, kind="single", unit=county.village_a, rows=pool("F0001", patient)
    )
    box = box_send(
        actor=personas.worker_a, unit=county.village_a, lab=lab, code="FEVER-1",
        barcodes=["F0001"], fever=True,
    )  # fmt: skip
    received = box_receive(actor=technician, box=box).received_at
    assert received is not None
    due = Obligation.objects.get(kind="test_result", detail__box="FEVER-1")
    assert due.due_at == received + dt.timedelta(hours=6)
    assert "F-06" in due.clause


def test_a_household_tube_holds_one_household(county, personas, person_a):
    def member(sequence: str, household: str) -> Person:
        return person_create(
            actor=personas.commander,
            data=PersonInput(
                name=f"户{sequence}", id_type="resident",
                id_number=make_resident_id(sequence=sequence), unit=county.grid_a,
                household_code=household,
            ),
        )  # fmt: skip

    spouse, neighbour = member("301", "H1"), member("302", "H2")
    result = samples_record(
        actor=personas.worker_a, kind="household", unit=county.village_a,
        rows=pool("H0001", [person_a, spouse, neighbour]),
    )  # fmt: skip
    assert result.samples == 2
    assert [(e["index"], e["field"]) for e in result.errors] == [(2, "person")]
    later = samples_record(
        actor=personas.worker_a, kind="household", unit=county.village_a,
        rows=pool("H0001", [neighbour]),
    )  # fmt: skip
    assert [e["field"] for e in later.errors] == ["person"]  # the tube's household is H1


def beijing(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=clock.tz())


def test_f01_test_all_groups_owe_a_test_every_week_met_by_a_sample_missed_if_skipped(
    county, personas
):
    # given: P01 in force; a doctor, a carer and a resident in village A
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    doctor, carer, resident = (
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=name, id_type="resident", id_number=make_resident_id(sequence=seq),
                unit=county.grid_a, categories=[category],
            ),
        )  # fmt: skip
        for name, seq, category in [
            ("李医生", "201", "medical_staff"), ("王陪护", "202", "carer"),
            ("赵村民", "203", "resident"),
        ]
    )  # fmt: skip
    # when: the tick runs on Tuesday, twice
    obligations_tick()
    obligations_tick()
    # then: the test-all group owes one test this week (Monday to Sunday), the resident none
    weekly = Obligation.objects.filter(rule_id="test-all-weekly")
    assert sorted(weekly.values_list("person_id", flat=True)) == sorted([doctor.pk, carer.pk])
    assert {o.due_at for o in weekly} == {beijing("2022-02-07T00:00")}
    assert all("F-01" in o.clause and o.kind == "test" for o in weekly)
    # the sampler sees them among the tests due
    page = Client()
    page.force_login(personas.worker_a)
    assert "李医生" in page.get("/labs/sampling/").content.decode()
    # when: the doctor is sampled on Thursday
    with clock.frozen(beijing("2022-02-03T09:00")):
        samples_record(
            actor=personas.worker_a, kind="single", unit=county.village_a,
            rows=pool("W0001", [doctor]),
        )  # fmt: skip
    # then: the doctor's test is met; the carer's is missed after Sunday; a new week opens
    assert weekly.get(person=doctor).status == ObligationStatus.MET
    with clock.frozen(beijing("2022-02-07T08:00")):
        obligations_tick()
    assert weekly.get(person=carer, due_at=beijing("2022-02-07T00:00")).status == "missed"
    assert weekly.filter(due_at=beijing("2022-02-14T00:00")).count() == 2


def test_f03_clinics_and_markets_owe_an_environment_sample_every_week(county, personas):
    # given: P01 in force; a village clinic, a market and a company
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    clinic, market, company = (
        unit_create(
            code=code, name=name, kind=kind, region=county.hq.region, parent=county.village_a
        )
        for code, name, kind in [
            ("VA-CL", "甲村卫生室", "clinic"), ("VA-MK", "甲村农贸市场", "venue"),
            ("VA-CO", "甲村砖厂", "company"),
        ]
    )  # fmt: skip
    # when
    obligations_tick()
    obligations_tick()
    # then: one environment sample a week for the clinic and the market, none for the company
    due = Obligation.objects.filter(kind="environment")
    assert sorted(due.values_list("unit_id", flat=True)) == sorted([clinic.pk, market.pk])
    assert all("F-03" in o.clause and o.person_id is None for o in due)
    page = Client()
    page.force_login(personas.worker_a)
    assert "甲村农贸市场" in page.get("/labs/sampling/").content.decode()
    # when: the market is swabbed
    environment_sample_record(
        actor=personas.worker_a, unit=market, barcode="ENV-0001", place="水产摊位"
    )
    # then: the market's is met, the clinic's still open
    assert due.get(unit=market).status == ObligationStatus.MET
    assert due.get(unit=clinic).status == ObligationStatus.OPEN


def test_g04_a_positive_single_tube_raises_a_confirmed_case_in_one_click(
    county, personas, lab, technician, django_capture_on_commit_callbacks
):
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    (sick,) = villagers(county, personas, 1)
    samples_record(
        actor=personas.worker_a, kind="single", unit=county.village_a, rows=pool("S0001", [sick])
    )
    results_record(actor=personas.commander, lab=lab, rows=[result("S0001", "阳性", "24")])
    village = Client()
    village.force_login(personas.worker_a)
    # the tube page offers the one-click report; the lab, who sees no register, gets no button
    page = village.get("/labs/tubes/S0001/").content.decode()
    assert 'data-testid="raise-case"' in page
    assert f'name="person" value="{sick.pk}"' in page
    assert 'name="kind" value="confirmed"' in page
    lab_client = Client()
    lab_client.force_login(technician)
    assert 'data-testid="raise-case"' not in lab_client.get("/labs/tubes/S0001/").content.decode()
    # when the village clicks it
    with django_capture_on_commit_callbacks(execute=True):
        raised = village.post(
            "/cases/", {"person": sick.pk, "kind": "confirmed", "note": "S0001 阳性"}
        )
    case = Case.objects.get(person=sick)
    assert raised["Location"] == f"/cases/{case.pk}/"
    # then the 2 h direct report is open (G-04) and the tube page leads to the case
    assert list(Obligation.objects.of_case(case.pk).values_list("kind", flat=True)) == [
        "direct_report"
    ]
    page = village.get("/labs/tubes/S0001/").content.decode()
    assert 'data-testid="raise-case"' not in page
    assert f'href="/cases/{case.pk}/"' in page
