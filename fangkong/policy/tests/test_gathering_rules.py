"""Gatherings by who holds them and what for (P11 I-14: school-held events; P09 I-12: teaching in
units of one class), and an answer that tells forbidden, approval, filing and advised against
apart — through `plan evaluate` and the plan page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import Personas, login

P09 = "P09-school-opening-x"
P11 = "P11-school-winter-exams"


def evaluate(scenario: dict, tmp_path: Path, capsys) -> dict:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    call_command("plan", "evaluate", str(path))
    return json.loads(capsys.readouterr().out)


def gathering(plan: str, type_: str = "event", categories=(), **facts) -> dict:
    return {
        "kind": "gathering",
        "plan": plan,
        "as_of": "2022-01-20T10:00:00+08:00",
        "person": {"categories": list(categories)},
        "gathering": {"type": type_, **facts},
    }


@pytest.mark.parametrize(
    ("organiser", "allowed"),
    [("school", False), ("unit", True), ("family", True), ("village", True)],
)
def test_i14_p11_forbids_school_held_events_only(tmp_path, capsys, organiser, allowed):
    result = evaluate(gathering(P11, people=30, organiser=organiser), tmp_path, capsys)
    assert result["allowed"] is allowed
    assert result["verdict"] == ("allowed" if allowed else "forbidden")


def test_i14_p11_staff_limit_holds_whoever_holds_the_gathering(tmp_path, capsys):
    result = evaluate(
        gathering(P11, "family_meal", ["teacher"], people=10, organiser="family"), tmp_path, capsys
    )
    assert result["verdict"] == "forbidden"
    assert [e["rule"] for e in result["explanation"]] == ["staff-gatherings-10"]


def test_i14_an_event_whose_organiser_is_not_given_is_answered_with_the_school_limit(
    tmp_path, capsys
):
    result = evaluate(gathering(P11, people=30), tmp_path, capsys)
    assert result["allowed"] is True
    assert result["limits"] == [
        {"rule": "school-events", "organisers": ["school"], "effect": "forbidden"}
    ]


@pytest.mark.parametrize(
    ("facts", "verdict", "filing"),
    [
        # 坚持以一个班级及以下为单位开展教育教学活动
        ({"purpose": "teaching", "classes": 1}, "allowed", False),
        # 不组织全校性、校际间聚集性教学活动；如因特殊情况必须开展的，要上报教育主管部门
        ({"purpose": "teaching", "classes": 3}, "filing_required", True),
        # 暂停升旗仪式、年级会议等大型聚集性活动
        ({"purpose": "other", "people": 200}, "forbidden", False),
    ],
)
def test_i12_p09_teaching_within_a_class_others_forbidden(tmp_path, capsys, facts, verdict, filing):
    result = evaluate(gathering(P09, organiser="school", **facts), tmp_path, capsys)
    assert (result["verdict"], result["filing_required"]) == (verdict, filing)
    if facts.get("classes", 0) > 1:
        assert result["actions"] == ["advise_against"]


@pytest.mark.parametrize(
    ("scenario", "verdict"),
    [
        (gathering("P01-rural-winter", "banquet", people=20, tables=2), "forbidden"),
        (gathering("P04-national-day-fuyuan", "banquet", people=20, tables=2), "approval_required"),
        (
            gathering("P14-school-spring-festival", "banquet", people=60, tables=6),
            "filing_required",
        ),
        (gathering("P14-school-spring-festival", "family_meal", people=12), "advised_against"),
        (gathering("P14-school-spring-festival", "family_meal", people=8), "allowed"),
    ],
)
def test_i01_i08_i17_the_answer_tells_forbidden_approval_filing_and_advised_against_apart(
    tmp_path, capsys, scenario, verdict
):
    assert evaluate(scenario, tmp_path, capsys)["verdict"] == verdict


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"people": 10, "organiser": "church"}, "gathering.organiser:"),
        ({"people": 10, "purpose": "party"}, "gathering.purpose:"),
        ({"classes": 0}, "gathering.classes:"),
    ],
)
def test_i12_i14_bad_gathering_input_exits_2_naming_the_field(tmp_path, facts, field):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(gathering(P11, **facts)), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("plan", "evaluate", str(path))
    assert error.value.returncode == 2
    assert str(error.value).startswith(field)


@pytest.mark.parametrize(
    ("plan", "form", "label"),
    [
        (P11, {"gathering_type": "event", "people": "30", "organiser": "school"}, "禁止"),
        (
            "P04-national-day-fuyuan",
            {"gathering_type": "banquet", "people": "20", "tables": "2"},
            "须审批",
        ),
        (
            "P14-school-spring-festival",
            {"gathering_type": "banquet", "people": "60", "tables": "6"},
            "须报备",
        ),
        (
            "P14-school-spring-festival",
            {"gathering_type": "family_meal", "people": "12"},
            "提倡不办",
        ),
    ],
)
def test_i14_i08_i17_the_page_shows_the_answer_in_chinese(personas: Personas, plan, form, label):
    response = login(personas.worker_a).post(
        reverse("plan-detail", args=[plan]), {"kind": "gathering", **form}
    )
    page = response.content.decode()
    assert f"答复: <b>{label}</b>" in page[page.index("方案判定结果") :]


def test_i12_the_rule_table_names_who_holds_the_gathering_and_what_for(personas: Personas):
    page = login(personas.viewer).get(reverse("plan-detail", args=[P09])).content.decode()
    assert "学校举办、教育教学活动" in page
    assert "超过1个班级" in page
    assert "须报备（教育主管部门）" in page
