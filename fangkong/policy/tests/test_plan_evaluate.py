"""`fangkong plan evaluate`: the policy officer's tool and the engine's acceptance contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangkong.policy.packs import PackError, pack_load, packs_all

ARRIVAL = {
    "kind": "arrival",
    "plan": "P14-school-spring-festival",
    "as_of": "2022-02-01T10:00:00+08:00",
    "person": {"categories": ["student"]},
    "risk_areas": [{"region": "210211", "level": "high", "from": "2022-01-20", "to": "2022-03-01"}],
    "travel": [{"region": "210211", "from": "2022-01-25", "to": "2022-02-01"}],
    "arrival": {"at": "2022-02-01T10:00:00+08:00", "region": "520113"},
}

# P16: an arrival in Chengdu from a class A area of another province.
P16_CLASS_A_ARRIVAL = {
    **ARRIVAL,
    "plan": "P16-may-day-chengdu",
    "risk_areas": [{"region": "310115", "level": "A", "from": "2022-04-20", "to": "2022-05-10"}],
    "travel": [{"region": "310115", "from": "2022-04-25", "to": "2022-04-29"}],
    "arrival": {"at": "2022-04-30T08:00:00+08:00", "region": "510107"},
}


def evaluate(scenario: dict, tmp_path: Path, capsys) -> dict:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    call_command("plan", "evaluate", str(path))
    return json.loads(capsys.readouterr().out)


def test_c21_d13_risk_area_arrival_gets_14_plus_14_days_and_12_tests(tmp_path, capsys):
    result = evaluate(ARRIVAL, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-02-01", "end": "2022-02-15"},
        {"kind": "home_health_monitoring", "start": "2022-02-15", "end": "2022-03-01"},
    ]
    assert [t["date"] for t in result["tests"]] == [
        "2022-02-02",
        "2022-02-03",
        "2022-02-04",
        "2022-02-05",
        "2022-02-06",
        "2022-02-08",
        "2022-02-11",
        "2022-02-14",
        "2022-02-15",
        "2022-02-17",
        "2022-02-22",
        "2022-03-01",
    ]
    assert result["explanation"][0]["rule"] == "risk-area"
    assert "C-21(1)" in result["explanation"][0]["clause"]


def test_c21_a_stay_that_ended_before_the_area_was_classed_does_not_count(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "travel": [{"region": "210211", "from": "2022-01-10", "to": "2022-01-19"}],
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == []
    assert result["explanation"][0]["rule"] == "other-province"


def test_c21_a_stay_in_a_township_inside_a_county_risk_area_counts(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "travel": [{"region": "210211001", "from": "2022-01-25", "to": "2022-01-30"}],
    }
    assert evaluate(scenario, tmp_path, capsys)["explanation"][0]["rule"] == "risk-area"


def test_c21_city_of_a_risk_area_gets_two_tests_in_three_days(tmp_path, capsys):
    # 210202 is another district of Dalian, the city of the high-risk area 210211
    scenario = {
        **ARRIVAL,
        "travel": [{"region": "210202", "from": "2022-01-25", "to": "2022-02-01"}],
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == []
    assert result["tests"] == [
        {"due_by": "2022-02-03T10:00:00+08:00"},
        {"due_by": "2022-02-04T10:00:00+08:00"},
    ]


def test_c21_abroad_is_the_first_class(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "risk_areas": [],
        "travel": [{"country": "jpn", "from": "2022-01-25", "to": "2022-01-31"}],
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["explanation"][0]["rule"] == "abroad-or-risk-area"
    assert len(result["tests"]) == 12


def test_c21_c22_other_province_low_risk_one_test_in_48h_and_a_48h_proof(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "risk_areas": [],
        "travel": [{"region": "440106", "from": "2022-01-20", "to": "2022-01-31"}],
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["tests"] == [{"due_by": "2022-02-03T10:00:00+08:00"}]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 48}]


def test_same_province_travel_needs_nothing_under_p14(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "risk_areas": [],
        "travel": [{"region": "520102", "from": "2022-01-20", "to": "2022-01-31"}],
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert (result["measures"], result["tests"], result["explanation"]) == ([], [], [])


def test_c24_d14_class_a_central_until_day_7_tests_1_3_7_last_double(tmp_path, capsys):
    result = evaluate(P16_CLASS_A_ARRIVAL, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-04-30", "end": "2022-05-07"}
    ]
    assert result["tests"] == [
        {"due_by": "2022-05-01T08:00:00+08:00"},  # C-23: every arrival from another province
        {"date": "2022-05-01"},
        {"date": "2022-05-03"},
        {"date": "2022-05-07", "double_sample": True},
    ]


def test_c23_c24_p16_arrival_from_risk_area_needs_proof_and_test(tmp_path, capsys):
    # Class A: central quarantine with tests on days 1, 3 and 7 (C-24) — and, like every arrival
    # from another province, a 48-hour negative proof and a test within 24 h of arrival (C-23).
    result = evaluate(P16_CLASS_A_ARRIVAL, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "central_quarantine", "start": "2022-04-30", "end": "2022-05-07"}
    ]
    assert {"due_by": "2022-05-01T08:00:00+08:00"} in result["tests"]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 48}]
    assert [e["rule"] for e in result["explanation"]] == ["class-a", "other-province"]


def test_c23_c25_p16_class_b_arrival_stays_home_and_shows_proof_and_test(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "plan": "P16-may-day-chengdu",
        "risk_areas": [
            {"region": "310000", "level": "B", "from": "2022-04-20", "to": "2022-05-10"}
        ],
        "travel": [{"region": "310115", "from": "2022-04-25", "to": "2022-04-29"}],
        "arrival": {"at": "2022-04-30T08:00:00+08:00", "region": "510107"},
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "home_quarantine", "start": "2022-04-30", "end": "2022-05-07"}
    ]
    assert result["tests"] == [{"due_by": "2022-05-01T08:00:00+08:00"}]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 48}]
    assert [e["rule"] for e in result["explanation"]] == ["class-b", "other-province"]


def test_c21_c22_p14_student_from_local_case_city_needs_two_tests_and_48h_proof(tmp_path, capsys):
    # Three days, two tests (C-21(2)) and the 48-hour proof to return to school after crossing
    # provinces (C-22); the other-province test is served by the first of the two.
    scenario = {
        **ARRIVAL,
        "risk_areas": [],
        "local_case_cities": ["440100"],
        "travel": [{"region": "440106", "from": "2022-01-20", "to": "2022-01-31"}],
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["tests"] == [
        {"due_by": "2022-02-03T10:00:00+08:00"},
        {"due_by": "2022-02-04T10:00:00+08:00"},
    ]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 48}]
    assert [e["rule"] for e in result["explanation"]] == ["local-case-city", "other-province"]


def test_c21_c22_risk_area_arrival_every_rule_fired_is_explained(tmp_path, capsys):
    # The quarantine's tests on days 1 and 2 serve the three-days-two-tests of the city rule.
    result = evaluate(ARRIVAL, tmp_path, capsys)
    assert len(result["tests"]) == 12
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 48}]
    assert [e["rule"] for e in result["explanation"]] == [
        "risk-area",
        "city-of-risk-area-or-local-cases",
        "other-province",
    ]


def test_c24_class_a_history_older_than_7_days_does_not_count(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "plan": "P16-may-day-chengdu",
        "risk_areas": [
            {"region": "310115", "level": "A", "from": "2022-04-01", "to": "2022-05-10"}
        ],
        "travel": [{"region": "310115", "from": "2022-04-10", "to": "2022-04-22"}],
        "arrival": {"at": "2022-04-30T08:00:00+08:00", "region": "510107"},
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == []
    assert result["explanation"][0]["rule"] == "other-province"


def test_c25_class_b_home_quarantine_until_day_7(tmp_path, capsys):
    scenario = {
        **ARRIVAL,
        "plan": "P16-may-day-chengdu",
        "risk_areas": [
            {"region": "310000", "level": "B", "from": "2022-04-20", "to": "2022-05-10"}
        ],
        "travel": [{"region": "310115", "from": "2022-04-25", "to": "2022-04-29"}],
        "arrival": {"at": "2022-04-30T08:00:00+08:00", "region": "510107"},
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "home_quarantine", "start": "2022-04-30", "end": "2022-05-07"}
    ]


def test_c12_returnee_14_days_home_monitoring_tests_every_7_days_7_day_proof(tmp_path, capsys):
    scenario = {**ARRIVAL, "plan": "P01-rural-winter", "risk_areas": [], "travel": []}
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"] == [
        {"kind": "home_health_monitoring", "start": "2022-02-01", "end": "2022-02-15"}
    ]
    assert result["tests"] == [{"date": "2022-02-08"}, {"date": "2022-02-15"}]
    assert result["proofs"] == [{"kind": "negative_test", "within_hours": 168}]


def test_day_0_is_the_arrival_date_in_shanghai_even_late_at_night_utc(tmp_path, capsys):
    scenario = {**ARRIVAL, "arrival": {"at": "2022-01-31T17:30:00+00:00", "region": "520113"}}
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"][0]["start"] == "2022-02-01"


def test_times_without_a_zone_are_in_the_configured_zone(tmp_path, capsys):
    # Issue 12 item 4: as_of (and every time) without a zone is read in Asia/Shanghai, so an
    # arrival at 23:30 without a zone is on 01-31, not on 02-01 as it would be at 23:30 UTC.
    scenario = {
        **ARRIVAL,
        "as_of": "2022-02-01T10:00:00",
        "arrival": {"at": "2022-01-31T23:30", "region": "520113"},
    }
    result = evaluate(scenario, tmp_path, capsys)
    assert result["measures"][0]["start"] == "2022-01-31"
    dated = evaluate({**ARRIVAL, "as_of": "2022-02-01"}, tmp_path, capsys)
    assert dated["measures"][0]["start"] == "2022-02-01"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plan": "P99-nothing"}, "plan: unknown plan P99-nothing"),
        (
            {"arrival": {"at": "2022-02-01T10:00:00+08:00", "region": "999999"}},
            "arrival.region: unknown region code 999999",
        ),
        (
            {"travel": [{"region": "210211", "from": "2022-02-01", "to": "yesterday"}]},
            "travel.0.to:",
        ),
        (
            {"travel": [{"from": "2022-02-01", "to": "2022-02-02"}]},
            "travel.0: a stay needs a region or a country",
        ),
        ({"risk_areas": "everywhere"}, "risk_areas:"),
        ({"kind": "weather"}, "kind:"),
        ({"arrival": {"at": "at ten", "region": "520113"}}, "arrival.at:"),
    ],
)
def test_bad_input_exits_2_naming_the_field(tmp_path, change, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**ARRIVAL, **change}), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("plan", "evaluate", str(path))
    assert error.value.returncode == 2
    assert str(error.value).startswith(message)


def test_invalid_json_from_the_shell_is_one_line_and_status_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("fangkong")), "plan", "evaluate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "not valid JSON" in done.stderr


def test_shipped_packs_load():
    assert {"P01-rural-winter", "P14-school-spring-festival", "P16-may-day-chengdu"} <= set(
        packs_all()
    )


def test_a_bad_pack_names_file_line_and_field(tmp_path):
    path = tmp_path / "P99-bad.yaml"
    path.write_text(
        "id: P99-bad\nsource: {plan: P99, line: 1, title: x}\nrisk_levels: [high]\n"
        "arrival_rules:\n  - id: r\n    clause: c\n    when: {within_days: 14}\n"
        "    measures:\n      - {kind: central_quarantine, days: fourteen}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as error:
        pack_load(path)
    assert str(error.value).startswith("P99-bad.yaml:9: arrival_rules.0.measures.0.days:")
