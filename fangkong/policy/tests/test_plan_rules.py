"""The rules of the 17 packs through `fangkong plan evaluate`: contacts, temperatures, gatherings,
deadlines and the arrival rules of the other plans. Each test names the requirement it covers."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangkong.obligations.models import ObligationKind
from fangkong.policy.packs import POLICIES_DIR, PackError, pack_load

SHANGHAI = ZoneInfo("Asia/Shanghai")


def evaluate(scenario: dict, tmp_path: Path, capsys) -> dict:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    call_command("plan", "evaluate", str(path))
    return json.loads(capsys.readouterr().out)


def contact(plan: str, kind: str, **extra) -> dict:
    return {
        "kind": "contact",
        "plan": plan,
        "as_of": "2022-02-01T10:00:00+08:00",
        "exposure": {"kind": kind, "last_at": "2022-02-01T08:00:00+08:00"},
        **extra,
    }


def negatives(*dates: str) -> list[dict]:
    return [{"date": d, "result": "negative"} for d in dates]


FIRST_FOUR = ["2022-02-02", "2022-02-03", "2022-02-04", "2022-02-05"]


def test_d12_secondary_contact_released_on_day_7_when_all_tests_negative(tmp_path, capsys):
    result = evaluate(
        contact(
            "P14-school-spring-festival",
            "secondary_contact",
            contact_results=negatives(*FIRST_FOUR),
            results=negatives("2022-02-02", "2022-02-05", "2022-02-08"),
        ),
        tmp_path,
        capsys,
    )
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": "2022-02-08"}
    ]
    assert [t["date"] for t in result["tests"]] == ["2022-02-02", "2022-02-05", "2022-02-08"]
    assert result["actions"] == ["release"]
    assert "D-12" in result["explanation"][0]["clause"]


def test_d12_release_waits_for_the_missing_tests(tmp_path, capsys):
    result = evaluate(
        contact(
            "P14-school-spring-festival",
            "secondary_contact",
            contact_results=negatives(*FIRST_FOUR[:3]),
            results=negatives("2022-02-02"),
        ),
        tmp_path,
        capsys,
    )
    assert result["actions"] == ["await_results"]
    because = result["explanation"][0]["because"]
    assert "1 more of the close contact's first 4 tests" in because
    assert "2022-02-05, 2022-02-08" in because


def test_d12_c21_close_contact_positive_in_first_4_upgrades_to_close_contact(tmp_path, capsys):
    results = negatives(*FIRST_FOUR[:2]) + [{"date": "2022-02-04", "result": "positive"}]
    result = evaluate(
        contact("P14-school-spring-festival", "secondary_contact", contact_results=results),
        tmp_path,
        capsys,
    )
    assert result["actions"] == ["manage_as_close_contact"]
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": "2022-02-15"},
        {"kind": "home_health_monitoring", "start": "2022-02-15", "end": "2022-03-01"},
    ]
    assert len(result["tests"]) == 12
    assert result["explanation"][0]["rule"] == "close-contact"


def test_d12_a_positive_fifth_test_of_the_close_contact_does_not_upgrade(tmp_path, capsys):
    results = negatives(*FIRST_FOUR) + [{"date": "2022-02-06", "result": "positive"}]
    result = evaluate(
        contact(
            "P14-school-spring-festival",
            "secondary_contact",
            contact_results=results,
            results=negatives("2022-02-02", "2022-02-05", "2022-02-08"),
        ),
        tmp_path,
        capsys,
    )
    assert result["actions"] == ["release"]


def test_c21_4_d13_close_contact_14_plus_14_days_12_tests(tmp_path, capsys):
    result = evaluate(contact("P14-school-spring-festival", "close_contact"), tmp_path, capsys)
    assert [m["kind"] for m in result["measures"]] == [
        "central_quarantine",
        "home_health_monitoring",
    ]
    assert result["tests"][-1] == {"date": "2022-03-01"}


def test_d01_g08_p01_contacts_central_quarantine_and_transfer_within_12h(tmp_path, capsys):
    for kind in ("close_contact", "secondary_contact"):
        result = evaluate(
            contact("P01-rural-winter", kind, as_of="2022-02-01T09:30:00+08:00"),
            tmp_path,
            capsys,
        )
        assert result["measures"] == [
            {"kind": "central_quarantine", "start": "2022-02-01", "end": None}
        ]
        assert result["obligations"] == [
            {"kind": "transfer", "due_by": "2022-02-01T21:30:00+08:00"}
        ]


def test_d06_p12_close_contact_14_days_released_only_with_headquarters_consent(tmp_path, capsys):
    plan = "P12-enterprise-response-team"
    result = evaluate(contact(plan, "close_contact"), tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": "2022-02-15"}
    ]
    # Day 14 is over, but no one at the headquarters has consented: no release.
    ended = contact(plan, "close_contact", as_of="2022-02-15T10:00:00+08:00")
    assert evaluate(ended, tmp_path, capsys)["release"] == {
        "conditions": ["headquarters_consent"],
        "allowed": False,
        "missing": ["headquarters_consent"],
        "not_before": None,
    }
    # Consent before the 14 days are over does not end them early.
    early = contact(
        plan,
        "close_contact",
        as_of="2022-02-10T10:00:00+08:00",
        consent={"by": "区疫情防控指挥部 王明", "on": "2022-02-10"},
    )
    assert evaluate(early, tmp_path, capsys)["release"]["missing"] == ["period_over"]
    assert evaluate(early, tmp_path, capsys)["release"]["not_before"] == "2022-02-15"
    ended["consent"] = {"by": "区疫情防控指挥部 王明", "on": "2022-02-15"}
    released = evaluate(ended, tmp_path, capsys)["release"]
    assert (released["allowed"], released["missing"]) == (True, [])


def test_d08_x20_p08_contacts_home_observation_14_days(tmp_path, capsys):
    result = evaluate(contact("P08-enterprise-emergency", "close_contact"), tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "home_quarantine", "start": "2022-02-01", "end": "2022-02-15"}
    ]


def readings(plan: str, categories: list[str], *values: float, symptoms=()) -> dict:
    return {
        "kind": "temperature",
        "plan": plan,
        "as_of": "2022-02-01T10:00:00+08:00",
        "person": {"categories": categories, "symptoms": list(symptoms)},
        "readings": [
            {"at": f"2022-02-01T08:{index:02d}:00+08:00", "celsius": value}
            for index, value in enumerate(values)
        ],
    }


def test_e15_threshold_37_3_is_not_over_37_4_is(tmp_path, capsys):
    plan = "P15-kindergarten-drill"
    assert evaluate(readings(plan, ["staff"], 37.3), tmp_path, capsys)["status"] == "normal"
    over = evaluate(readings(plan, ["staff"], 37.4), tmp_path, capsys)
    assert over["status"] == "recheck"
    assert over["actions"] == ["retest"]


def test_e15_g22_staff_fever_after_two_readings_opens_20_and_40_minute_reports(tmp_path, capsys):
    result = evaluate(readings("P15-kindergarten-drill", ["staff"], 37.8, 37.6), tmp_path, capsys)
    assert result["status"] == "fever"
    assert result["actions"] == ["isolate", "ask_history"]
    assert result["obligations"] == [
        {"kind": "oral_report", "due_by": "2022-02-01T08:21:00+08:00"},
        {"kind": "written_report", "due_by": "2022-02-01T08:41:00+08:00"},
    ]


def test_e15_a_child_needs_three_consecutive_readings(tmp_path, capsys):
    plan = "P15-kindergarten-drill"
    assert evaluate(readings(plan, ["child"], 37.8, 37.6), tmp_path, capsys)["status"] == "recheck"
    assert evaluate(readings(plan, ["child"], 37.8, 37.6, 37.5), tmp_path, capsys)["status"] == (
        "fever"
    )
    # A normal reading in between starts the count again.
    assert (
        evaluate(readings(plan, ["child"], 37.8, 36.9, 37.6, 37.5), tmp_path, capsys)["status"]
        == "recheck"
    )


def test_d06_p12_fever_isolates_only_with_suspected_symptoms(tmp_path, capsys):
    plan = "P12-enterprise-response-team"
    without = evaluate(readings(plan, [], 37.6), tmp_path, capsys)
    assert (without["status"], without["actions"], without["obligations"]) == (
        "fever",
        ["monitor"],
        [],
    )
    result = evaluate(readings(plan, [], 37.6, symptoms=["dry_cough"]), tmp_path, capsys)
    assert result["actions"] == ["isolate", "register", "transfer"]
    assert result["obligations"] == [{"kind": "report", "due_by": "2022-02-01T08:00:00+08:00"}]


def gathering(plan: str, type_: str, people: int | None, tables=None, categories=()) -> dict:
    facts: dict = {"type": type_}
    if people is not None:
        facts["people"] = people
    if tables is not None:
        facts["tables"] = tables
    return {
        "kind": "gathering",
        "plan": plan,
        "as_of": "2022-02-01T10:00:00+08:00",
        "person": {"categories": list(categories)},
        "gathering": facts,
    }


@pytest.mark.parametrize(
    ("plan", "type_", "people", "tables", "categories", "allowed", "approval", "filing"),
    [
        # a 10-person dinner is allowed by P13 (不超10人),
        # forbidden to P11 staff (10人以上).
        ("P13-may-day-county", "family_meal", 10, None, [], True, False, True),
        ("P13-may-day-county", "family_meal", 11, None, [], False, False, True),
        ("P11-school-winter-exams", "family_meal", 10, None, ["staff"], False, False, False),
        ("P11-school-winter-exams", "family_meal", 9, None, ["staff"], True, False, False),
        ("P11-school-winter-exams", "family_meal", 12, None, ["student"], True, False, False),
        # X-07: 50 is within P01's 50人以下 (approval still needed), needs approval under P13
        # (50人以上) and is allowed to P11 staff as a banquet host (超过50人) — but not as a guest.
        ("P01-rural-winter", "event", 50, None, [], True, True, False),
        ("P01-rural-winter", "event", 51, None, [], False, True, False),
        ("P13-may-day-county", "event", 50, 5, [], True, True, True),
        ("P13-may-day-county", "event", 49, 5, [], True, False, True),
        # 5 tables allowed under P13 (不得超过5桌), a filing under P14 (5桌以上); 6 tables
        # forbidden under P13 and allowed with a filing under P14.
        ("P13-may-day-county", "banquet", 40, 5, [], True, False, True),
        ("P13-may-day-county", "banquet", 48, 6, [], False, False, True),
        ("P14-school-spring-festival", "banquet", 40, 5, [], True, False, True),
        ("P14-school-spring-festival", "banquet", 48, 6, [], True, False, True),
        ("P14-school-spring-festival", "banquet", 30, 4, [], True, False, False),
        # I-01: no banquets in the countryside; I-08: every banquet is approved under P04.
        ("P01-rural-winter", "banquet", 20, 2, [], False, False, False),
        ("P04-national-day-fuyuan", "banquet", 20, 2, [], True, True, False),
    ],
)
def test_i01_i08_i14_i15_i17_x07_gathering_limits_at_the_boundaries(
    tmp_path, capsys, plan, type_, people, tables, categories, allowed, approval, filing
):
    result = evaluate(gathering(plan, type_, people, tables, categories), tmp_path, capsys)
    assert (result["allowed"], result["approval_required"], result["filing_required"]) == (
        allowed,
        approval,
        filing,
    )


def test_i15_d17_p13_guests_show_a_24h_proof(tmp_path, capsys):
    banquet = gathering("P13-may-day-county", "banquet", 30, 3)
    result = evaluate(banquet, tmp_path, capsys)
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 24}]
    assert result["proofs_missing"] == result["proofs"]
    # as_of is 2022-02-01 10:00: a result dated the day before counts from its midnight, more
    # than 24 h ago; a positive one is no proof; a negative of the day is one.
    banquet["results"] = [
        {"date": "2022-01-31", "result": "negative"},
        {"date": "2022-02-01", "result": "positive"},
    ]
    assert evaluate(banquet, tmp_path, capsys)["proofs_missing"] == result["proofs"]
    banquet["results"] = [{"date": "2022-02-01", "result": "negative"}]
    assert evaluate(banquet, tmp_path, capsys)["proofs_missing"] == []
    # An object's sample is not the guest's proof.
    banquet["results"] = [{"date": "2022-02-01", "result": "negative", "kind": "object"}]
    assert evaluate(banquet, tmp_path, capsys)["proofs_missing"] == result["proofs"]


def test_i14_p11_staff_banquet_of_51_is_forbidden(tmp_path, capsys):
    result = evaluate(
        gathering("P11-school-winter-exams", "banquet", 51, 6, ["staff"]), tmp_path, capsys
    )
    assert result["allowed"] is False
    assert {e["rule"] for e in result["explanation"]} == {
        "staff-gatherings-10",
        "staff-banquets-over-50",
    }


@pytest.mark.parametrize(
    ("people", "allowed"), [(1500, False), (50, False), (49, True), (20, True)]
)
def test_i11_p08_cancels_large_meetings(tmp_path, capsys, people, allowed):
    result = evaluate(gathering("P08-enterprise-emergency", "meeting", people), tmp_path, capsys)
    assert result["allowed"] is allowed
    if not allowed:
        assert result["explanation"][0]["rule"] == "medium-and-large-meetings"


@pytest.mark.parametrize("category", ["staff", "teacher", "principal", "middle_manager"])
def test_i14_p11_teachers_principals_and_middle_managers_are_staff(tmp_path, capsys, category):
    # 教职员工 includes them: no gatherings of 10 or more, no banquets of more than 50.
    meal = evaluate(
        gathering("P11-school-winter-exams", "family_meal", 10, None, [category]), tmp_path, capsys
    )
    assert meal["allowed"] is False
    banquet = evaluate(
        gathering("P11-school-winter-exams", "banquet", 51, 6, [category]), tmp_path, capsys
    )
    assert {e["rule"] for e in banquet["explanation"]} == {
        "staff-gatherings-10",
        "staff-banquets-over-50",
    }


def test_i15_p13_an_event_is_limited_by_people_not_tables(tmp_path, capsys):
    result = evaluate(gathering("P13-may-day-county", "event", 60), tmp_path, capsys)
    assert (result["allowed"], result["approval_required"], result["filing_required"]) == (
        True,
        True,
        True,
    )
    assert result["limits"] == []


def test_i15_x07_p13_banquet_without_tables_is_answered_with_its_table_limit(tmp_path, capsys):
    result = evaluate(gathering("P13-may-day-county", "banquet", 30), tmp_path, capsys)
    assert (result["allowed"], result["approval_required"], result["filing_required"]) == (
        True,
        False,
        True,
    )
    assert result["limits"] == [
        {"rule": "tables-over-5", "of": "tables", "more_than": 5, "effect": "forbidden"}
    ]
    assert "tables not given" in next(
        e["because"] for e in result["explanation"] if e["rule"] == "tables-over-5"
    )


def test_i15_i17_a_banquet_given_only_by_tables(tmp_path, capsys):
    p14 = evaluate(gathering("P14-school-spring-festival", "banquet", None, 6), tmp_path, capsys)
    assert (p14["allowed"], p14["filing_required"], p14["limits"]) == (True, True, [])
    p13 = evaluate(gathering("P13-may-day-county", "banquet", None, 6), tmp_path, capsys)
    assert p13["allowed"] is False
    assert p13["limits"] == [
        {"rule": "fifty-or-more", "of": "people", "at_least": 50, "effect": "approval_required"}
    ]


def test_d12_exposure_last_at_given_as_a_date_is_day_0(tmp_path, capsys):
    scenario = {
        "kind": "contact",
        "plan": "P14-school-spring-festival",
        "as_of": "2022-02-01T10:00:00+08:00",
        "exposure": {"kind": "secondary_contact", "last_at": "2022-01-31"},
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-01-31", "end": "2022-02-07"}
    ]


def arrival(plan: str, travel: list[dict], risk_areas=(), **extra) -> dict:
    return {
        "kind": "arrival",
        "plan": plan,
        "as_of": "2022-02-01T10:00:00+08:00",
        "risk_areas": list(risk_areas),
        "travel": travel,
        "arrival": {"at": "2022-02-01T10:00:00+08:00", "region": "520113"},
        **extra,
    }


DALIAN_HIGH = {"region": "210211", "level": "high", "from": "2022-01-20", "to": "2022-03-01"}
DALIAN_MEDIUM = {**DALIAN_HIGH, "level": "medium"}
STAY_DALIAN = [{"region": "210211", "from": "2022-01-25", "to": "2022-01-30"}]


def test_c13_c15_p04_high_risk_quarantine_of_unstated_length_48h_proof_and_report(tmp_path, capsys):
    result = evaluate(
        arrival("P04-national-day-fuyuan", STAY_DALIAN, [DALIAN_HIGH]), tmp_path, capsys
    )
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": None}
    ]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 48}]
    assert result["obligations"] == [{"kind": "filing", "due_by": "2022-02-01T10:00:00+08:00"}]


def test_x01_c13_c14_p04_high_and_medium_risk_history_the_quarantine_wins(tmp_path, capsys):
    stays = [*STAY_DALIAN, {"region": "110105", "from": "2022-01-26", "to": "2022-01-31"}]
    beijing_medium = {**DALIAN_MEDIUM, "region": "110105"}
    result = evaluate(
        arrival("P04-national-day-fuyuan", stays, [DALIAN_HIGH, beijing_medium]), tmp_path, capsys
    )
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": None}
    ]
    assert result["obligations"] == [{"kind": "filing", "due_by": "2022-02-01T10:00:00+08:00"}]
    rules = [e["rule"] for e in result["explanation"]]
    assert rules == ["high-risk-area", "medium-risk-area"]
    assert "give way" in result["explanation"][1]["because"]


def test_c14_p04_medium_risk_home_health_monitoring(tmp_path, capsys):
    result = evaluate(
        arrival("P04-national-day-fuyuan", STAY_DALIAN, [DALIAN_MEDIUM]), tmp_path, capsys
    )
    assert result["measures"][0]["kind"] == "home_health_monitoring"


def test_c16_p05_staff_from_risk_area_home_isolation_14_days_7_day_proof(tmp_path, capsys):
    result = evaluate(
        arrival("P05-service-company-winter", STAY_DALIAN, [DALIAN_MEDIUM]), tmp_path, capsys
    )
    assert result["measures"] == [
        {"kind": "home_quarantine", "start": "2022-02-01", "end": "2022-02-15"}
    ]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 168}]


def test_c17_x01_p06_key_area_14_days_central_then_7_days_home(tmp_path, capsys):
    result = evaluate(arrival("P06-township-autumn", STAY_DALIAN, [DALIAN_HIGH]), tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": "2022-02-15"},
        {"kind": "home_quarantine", "start": "2022-02-15", "end": "2022-02-22"},
    ]


def test_c18_p08_from_hubei_observed_14_days(tmp_path, capsys):
    hubei = {"region": "420000", "level": "epidemic_area", "from": "2020-01-01", "to": "2020-04-08"}
    stay = [{"region": "420102", "from": "2020-01-20", "to": "2020-01-22"}]
    scenario = arrival("P08-enterprise-emergency", stay, [hubei])
    scenario["arrival"]["at"] = scenario["as_of"] = "2020-01-25T09:00:00+08:00"
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "home_quarantine", "start": "2020-01-25", "end": "2020-02-08"}
    ]


def test_b04_d05_p02_inbound_released_on_three_samples_then_7_days_home(tmp_path, capsys):
    result = evaluate(
        arrival(
            "P02-two-festivals", [{"country": "kor", "from": "2022-01-25", "to": "2022-02-01"}]
        ),
        tmp_path,
        capsys,
    )
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": None}
    ]
    assert result["release"] == {
        "conditions": ["person_object_environment_negative"],
        "allowed": False,
        "missing": [
            "person_sample_negative",
            "object_sample_negative",
            "environment_sample_negative",
        ],
        "not_before": None,
    }
    assert result["after_release"] == [
        {"kind": "home_health_monitoring", "days": 7, "until_day": None}
    ]
    # The person and the object negative, the environment still positive: not yet.
    samples = arrival(
        "P02-two-festivals", [{"country": "kor", "from": "2022-01-25", "to": "2022-02-01"}]
    )
    samples["as_of"] = "2022-02-10T10:00:00+08:00"
    samples["results"] = [
        {"date": "2022-02-08", "result": "negative"},
        {"date": "2022-02-08", "result": "negative", "kind": "object"},
        {"date": "2022-02-08", "result": "positive", "kind": "environment"},
    ]
    assert evaluate(samples, tmp_path, capsys)["release"]["missing"] == [
        "environment_sample_negative"
    ]
    # A later negative environment sample: all three negative, released.
    samples["results"].append({"date": "2022-02-09", "result": "negative", "kind": "environment"})
    release = evaluate(samples, tmp_path, capsys)["release"]
    assert (release["allowed"], release["missing"]) == (True, [])


def test_c10_p02_proof_only_for_students_and_migrant_workers(tmp_path, capsys):
    stay = [{"region": "110105", "from": "2022-01-25", "to": "2022-01-30"}]
    student = evaluate(
        arrival("P02-two-festivals", stay, person={"categories": ["student"]}), tmp_path, capsys
    )
    assert student["proofs"] == [{"kind": "negative_test", "within_hours": 48}]
    other = evaluate(arrival("P02-two-festivals", stay), tmp_path, capsys)
    assert other["proofs"] == []
    assert other["explanation"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded_at", "late"),
    [
        ("2022-01-25T09:00", False),  # 5 days ahead: filed on time
        ("2022-01-29T09:00", True),  # the day before the arrival: filed, but late
        ("2022-02-01T09:00", True),  # after the arrival: late, never missed when recorded
    ],
)
def test_c19_g19_p13_a_planned_trip_recorded_files_3_days_ahead_judged_when_recorded(
    county, personas, person_a, recorded_at, late
):
    from conftest import login
    from fangkong.core import clock
    from fangkong.obligations.models import Obligation, ObligationStatus
    from fangkong.obligations.services import obligations_tick
    from fangkong.policy.services import plan_assign

    # given: P13 in force (来秦返秦: 提前3天报备, 持48小时内核酸检测阴性证明)
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P13-may-day-county",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    recorded = dt.datetime.fromisoformat(recorded_at).replace(tzinfo=SHANGHAI)
    # when: the grid worker records on the person's page a trip from Beijing arriving on 01-30
    with clock.frozen(recorded):
        page = login(personas.worker_a).post(
            f"/people/{person_a.pk}/travel/",
            {"region": "110105", "start_date": "2022-01-25", "end_date": "2022-01-30"},
        )
    assert page.status_code == 302
    with clock.frozen(dt.datetime(2022, 2, 2, 9, tzinfo=SHANGHAI)):
        obligations_tick()
    # then: the filing is due 3 days before the arrival, met when the trip was recorded, and late
    # only when that was after its due time; the tick never marks it missed
    filing = Obligation.objects.get(person=person_a, kind=ObligationKind.FILING)
    assert filing.due_at == dt.datetime(2022, 1, 27, tzinfo=SHANGHAI)
    assert (filing.status, filing.met_at) == (ObligationStatus.MET, recorded)
    assert filing.met_at is not None
    assert (filing.met_at > filing.due_at) is late
    assert "G-19" in filing.clause


def test_b20_c23_g24_p16_local_case_city_files_and_tests_within_24h(tmp_path, capsys):
    stay = [{"region": "110105", "from": "2022-01-25", "to": "2022-01-30"}]
    result = evaluate(
        arrival("P16-may-day-chengdu", stay, local_case_cities=["110100"]), tmp_path, capsys
    )
    assert result["explanation"][0]["rule"] == "local-case-city"
    assert result["obligations"] == [{"kind": "filing", "due_by": "2022-02-01T10:00:00+08:00"}]
    assert result["tests"] == [{"due_by": "2022-02-02T10:00:00+08:00"}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "contact"}, "exposure: a contact scenario needs exposure"),
        (
            {
                "kind": "temperature",
                "readings": [{"at": "2022-02-01T08:00:00+08:00", "celsius": 45}],
            },
            "readings.0.celsius",
        ),
        ({"kind": "gathering", "gathering": {"type": "party", "people": 3}}, "gathering.type"),
        (
            {"kind": "contact", "exposure": {"kind": "close_contact", "last_at": "last week"}},
            "exposure.last_at:",
        ),
        ({"kind": "gathering", "gathering": {"type": "banquet"}}, "gathering: give people"),
    ],
)
def test_bad_scenarios_of_the_other_kinds_exit_2_naming_the_field(tmp_path, change, message):
    scenario = {
        "plan": "P14-school-spring-festival",
        "as_of": "2022-02-01T10:00:00+08:00",
        **change,
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    with pytest.raises(CommandError, match=message) as error:
        call_command("plan", "evaluate", str(path))
    assert error.value.returncode == 2


def test_a_pack_inherits_and_overrides_rules_by_id(tmp_path):
    shutil.copy(POLICIES_DIR / "P14-school-spring-festival.yaml", tmp_path)
    child = tmp_path / "P14-local.yaml"
    child.write_text(
        "id: P14-local\n"
        "extends: P14-school-spring-festival\n"
        "contact_rules:\n"
        "  - id: secondary-contact\n"
        "    tests: {days: [1, 3, 5, 7]}\n",
        encoding="utf-8",
    )
    pack = pack_load(child)
    secondary = pack.rule("secondary-contact")
    assert secondary.tests is not None
    assert secondary.tests.days == [1, 3, 5, 7]
    assert secondary.measures[0].days == 7  # inherited
    assert [r.id for r in pack.arrival_rules] == [
        r.id for r in pack_load(POLICIES_DIR / "P14-school-spring-festival.yaml").arrival_rules
    ]
    assert pack.source.plan == "P14"


def test_an_unknown_parent_and_a_cycle_are_named(tmp_path):
    (tmp_path / "A.yaml").write_text("id: A\nextends: B\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"A.yaml:2: extends: no pack 'B'"):
        pack_load(tmp_path / "A.yaml")
    (tmp_path / "B.yaml").write_text("id: B\nextends: A\n", encoding="utf-8")
    with pytest.raises(PackError, match="extends: a cycle"):
        pack_load(tmp_path / "A.yaml")


def test_every_pack_says_what_it_leaves_out_or_carries_rules():
    from fangkong.policy.packs import packs_all

    for pack in packs_all().values():
        executable = (
            pack.arrival_rules
            or pack.contact_rules
            or pack.gathering_rules
            or pack.deadlines
            or pack.reports
            or pack.services
        )
        assert executable or pack.out_of_scope, pack.id
    p17 = packs_all()["P17-medical-insurance"]
    assert p17.reports[0].at.isoformat() == "09:00:00"
    assert p17.out_of_scope
    p07 = packs_all()["P07-social-security"]
    assert {s.mode for s in p07.services} >= {"appointment", "online"}
    assert p07.out_of_scope


def test_every_category_a_pack_names_is_a_register_category():
    from fangkong.people.reference_data import CATEGORIES
    from fangkong.policy.packs import packs_all

    known = {code for code, _zh, _en in CATEGORIES}
    for pack in packs_all().values():
        named = {c for r in pack.arrival_rules for c in r.when.categories}
        named |= {c for r in pack.contact_rules for c in r.categories}
        named |= {c for r in pack.gathering_rules for c in r.categories}
        named |= {c for r in pack.approvals for c in r.categories}
        named |= {c for g in pack.test_groups for c in g.categories}
        if pack.temperature:
            named |= set(pack.temperature.confirmations) - {"default"}
        if pack.checkins:
            # Check-in frequencies may also key on being a contact (D-06: 密接每天早、晚2次).
            named |= set(pack.checkins.per_day) - {"default", "close_contact", "secondary_contact"}
        assert named <= known, (pack.id, named - known)


def test_every_unit_kind_a_pack_names_is_a_unit_kind():
    from fangkong.org.models import UnitKind
    from fangkong.policy.packs import packs_all

    for pack in packs_all().values():
        named = {k for r in pack.reports for k in r.unit_kinds}
        named |= {k for e in pack.environment_sampling for k in e.unit_kinds}
        assert named <= set(UnitKind.values), (pack.id, named - set(UnitKind.values))


def _pack_with_deadline(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "K.yaml"
    path.write_text(
        "id: K\n"
        "source: {plan: P01, line: 1, title: kinds}\n"
        "deadlines:\n"
        "  - id: report-fever\n"
        "    trigger: fever\n"
        f"    obligation: {{kind: {kind}, within_minutes: 120}}\n"
        "    responsible: 村卫生室\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("kind", ObligationKind.values)
def test_a_deadline_opens_any_obligation_kind_the_register_knows(tmp_path, kind):
    deadline = pack_load(_pack_with_deadline(tmp_path, kind)).deadlines[0]
    assert deadline.obligation.kind == kind
    assert type(deadline.obligation.kind) is str  # the plain value: decision ids are built from it


def test_a_kind_the_register_does_not_know_is_refused_by_line_and_field(tmp_path):
    with pytest.raises(PackError, match=r"K.yaml:6: deadlines.0.obligation.kind: Input should be"):
        pack_load(_pack_with_deadline(tmp_path, "quarantine_hotel"))
