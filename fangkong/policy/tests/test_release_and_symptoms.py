"""Release as a decision from facts and symptoms on the plan's list, through `fangkong plan
evaluate` (issue 12, items 5 and 6). Each test names the requirement it covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def evaluate(scenario: dict, tmp_path: Path, capsys) -> dict:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    call_command("plan", "evaluate", str(path))
    return json.loads(capsys.readouterr().out)


def class_a_arrival(as_of: str, results: list[dict]) -> dict:
    return {
        "kind": "arrival",
        "plan": "P16-may-day-chengdu",
        "as_of": as_of,
        "arrival": {"at": "2022-05-01T10:00:00+08:00", "region": "510104"},
        "travel": [{"region": "110105", "from": "2022-04-28", "to": "2022-05-01"}],
        "risk_areas": [
            {"region": "110105", "level": "A", "from": "2022-04-01", "to": "2022-05-30"}
        ],
        "results": results,
    }


def negative(day: str, kind: str = "person") -> dict:
    return {"date": day, "result": "negative", "kind": kind}


def test_d14_p16_class_a_released_after_the_last_test_double_sampled_negative(tmp_path, capsys):
    # Day 7 (05-08) is the last test, 双采双检: one negative sample is not enough.
    one = evaluate(
        class_a_arrival("2022-05-08T18:00:00+08:00", [negative("2022-05-08")]), tmp_path, capsys
    )
    assert one["tests"][-1] == {"date": "2022-05-08", "double_sample": True}
    assert one["release"]["missing"] == ["last_test_double_sample_negative"]
    both = class_a_arrival("2022-05-08T18:00:00+08:00", [negative("2022-05-08")] * 2)
    assert evaluate(both, tmp_path, capsys)["release"] == {
        "conditions": ["last_test_negative"],
        "allowed": True,
        "missing": [],
        "not_before": None,
    }
    # Two negatives on day 3 are not the last test, and the 7 days are not over.
    early = class_a_arrival("2022-05-04T18:00:00+08:00", [negative("2022-05-04")] * 2)
    release = evaluate(early, tmp_path, capsys)["release"]
    assert release["missing"] == ["period_over", "last_test_double_sample_negative"]
    assert release["not_before"] == "2022-05-08"


def test_d05_a_positive_person_sample_after_negatives_blocks_the_release(tmp_path, capsys):
    scenario = {
        "kind": "arrival",
        "plan": "P02-two-festivals",
        "as_of": "2022-02-10T10:00:00+08:00",
        "arrival": {"at": "2022-02-01T10:00:00+08:00", "region": "520113"},
        "travel": [{"country": "kor", "from": "2022-01-25", "to": "2022-02-01"}],
        "results": [
            negative("2022-02-05"),
            negative("2022-02-05", "object"),
            negative("2022-02-05", "environment"),
            {"date": "2022-02-09", "result": "positive"},
        ],
    }
    assert evaluate(scenario, tmp_path, capsys)["release"]["missing"] == ["person_sample_negative"]
    # Samples taken before the quarantine began do not count.
    scenario["results"] = [
        negative("2022-01-30", kind) for kind in ("person", "object", "environment")
    ]
    assert len(evaluate(scenario, tmp_path, capsys)["release"]["missing"]) == 3


def readings(plan: str, *values: float, symptoms=()) -> dict:
    return {
        "kind": "temperature",
        "plan": plan,
        "as_of": "2022-02-01T10:00:00+08:00",
        "person": {"symptoms": list(symptoms)},
        "readings": [
            {"at": f"2022-02-01T08:{index:02d}:00+08:00", "celsius": value}
            for index, value in enumerate(values)
        ],
    }


def test_d06_e20_p12_only_symptoms_on_its_list_make_a_reading_over_37_3_isolate(tmp_path, capsys):
    plan = "P12-enterprise-response-team"
    # Diarrhoea is not on P12's list (发热、干咳、乏力、呼吸困难): 37.6 °C is watched, not isolated.
    other = evaluate(readings(plan, 37.6, symptoms=["diarrhoea"]), tmp_path, capsys)
    assert (other["status"], other["actions"]) == ("fever", ["monitor"])
    listed = evaluate(readings(plan, 37.6, symptoms=["breathing_difficulty"]), tmp_path, capsys)
    assert listed["actions"] == ["isolate", "register", "transfer"]
    # With the symptom, 37.3 is still not over 37.3.
    assert evaluate(readings(plan, 37.3, symptoms=["dry_cough"]), tmp_path, capsys)["status"] == (
        "normal"
    )


@pytest.mark.parametrize(
    ("plan", "symptoms", "status", "actions"),
    [
        # P09: 发现发热、咳嗽等不适症状 → 留观室 at once, and reported, whatever the reading.
        ("P09-school-opening-x", ["cough"], "symptoms", ["isolate"]),
        ("P09-school-opening-x", ["diarrhoea"], "normal", []),
        # P08 D-08: 有发热、乏力、咳嗽等症状的职工 stay off work until they ease.
        ("P08-enterprise-emergency", ["fatigue"], "symptoms", ["send_home"]),
        ("P08-enterprise-emergency", ["sore_throat"], "normal", []),
    ],
)
def test_d08_e10_e20_p08_p09_symptoms_on_the_list_act_without_a_fever(
    tmp_path, capsys, plan, symptoms, status, actions
):
    result = evaluate(readings(plan, 36.6, symptoms=symptoms), tmp_path, capsys)
    assert (result["status"], result["actions"]) == (status, actions)
    # Symptoms alone, no reading: the same answer, due from as_of.
    alone = readings(plan, symptoms=symptoms)
    assert evaluate(alone, tmp_path, capsys)["status"] == status
    if plan.startswith("P09") and status == "symptoms":
        assert evaluate(alone, tmp_path, capsys)["obligations"] == [
            {"kind": "report", "due_by": "2022-02-01T10:00:00+08:00"}
        ]


def test_e20_an_unknown_symptom_exits_2_naming_the_field(tmp_path, capsys):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(readings("P12-enterprise-response-team", 37.6, symptoms=["cogh"])))
    with pytest.raises(CommandError) as error:
        call_command("plan", "evaluate", str(path))
    assert error.value.returncode == 2
    assert str(error.value).startswith("person.symptoms: unknown symptoms cogh")
