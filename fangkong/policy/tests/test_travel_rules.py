"""Travel rules (P02 C-04 … C-11, P05 C-29, P11 C-30): what a person needs to leave, whether the
trip is banned, and the proofs to leave checked again on arrival — through `plan evaluate`, the
plan page and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import Personas, login

P02 = "P02-two-festivals"
# 210211 is a district of Dalian (2102); 210202 another district of the same city.
HIGH_IN_DALIAN = {"region": "210211", "level": "high", "from": "2022-01-10", "to": "2022-03-01"}
# 锡林郭勒盟 (1525), published as a land-border port city until 15 March.
PORT_CITY = {
    "region": "152500",
    "level": "land_border_port_city",
    "from": "2021-12-10",
    "to": "2022-03-15",
}
PROOF_48H = [{"kind": "negative_test", "within_hours": 48}]


def evaluate(scenario: dict, tmp_path: Path, capsys) -> dict:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    call_command("plan", "evaluate", str(path))
    return json.loads(capsys.readouterr().out)


def departure(
    region: str,
    plan: str = P02,
    *,
    to_region: str = "110105",
    to_country: str = "",
    on: str = "2022-01-20",
    risk_areas: list[dict] | None = None,
    **person,
) -> dict:
    leaving = {"at": f"{on}T09:00:00+08:00", "region": region}
    leaving.update({"to_country": to_country} if to_country else {"to_region": to_region})
    return {
        "kind": "departure",
        "plan": plan,
        "as_of": f"{on}T09:00:00+08:00",
        "person": person,
        "risk_areas": [HIGH_IN_DALIAN, PORT_CITY] if risk_areas is None else risk_areas,
        "departure": leaving,
    }


def arrival(stay_region: str, left_on: str, **person) -> dict:
    """An arrival in Beijing from a stay that ended on ``left_on``."""
    return {
        "kind": "arrival",
        "plan": P02,
        "as_of": f"{left_on}T20:00:00+08:00",
        "person": person,
        "risk_areas": [HIGH_IN_DALIAN, PORT_CITY],
        "travel": [{"region": stay_region, "from": "2022-01-01", "to": left_on}],
        "arrival": {"at": f"{left_on}T20:00:00+08:00", "region": "110105"},
    }


def answer(result: dict) -> tuple:
    return (result["verdict"], result["allowed"], result["proofs"], result["filing_required"])


def test_c04_leaving_the_county_of_a_risk_area_is_strictly_restricted(tmp_path, capsys):
    # 210211001 is a township of the high-risk district: its county
    for region in ("210211", "210211001"):
        result = evaluate(departure(region), tmp_path, capsys)
        assert answer(result) == ("restricted", False, [], False)
        assert [e["rule"] for e in result["explanation"]] == ["risk-area-county"]


def test_c05_another_county_of_the_city_needs_a_48h_proof_to_leave(tmp_path, capsys):
    result = evaluate(departure("210202"), tmp_path, capsys)
    assert answer(result) == ("advised_against", True, PROOF_48H, False)
    assert result["actions"] == ["advise_against"]
    assert "C-05" in result["explanation"][0]["clause"]


def test_c05_the_proof_to_leave_is_checked_again_on_arrival(tmp_path, capsys):
    result = evaluate(arrival("210202", "2022-01-20"), tmp_path, capsys)
    assert result["proofs"] == PROOF_48H
    assert result["explanation"][0]["rule"] == "other-county-of-the-city"
    # once the area is no longer classed, leaving the city needs nothing
    later = evaluate(arrival("210202", "2022-03-02"), tmp_path, capsys)
    assert (later["proofs"], later["explanation"]) == ([], [])


def test_c05_c01_an_area_classed_after_one_left_does_not_count(tmp_path, capsys):
    result = evaluate(departure("210202", on="2022-01-09"), tmp_path, capsys)
    assert answer(result) == ("allowed", True, [], False)


def test_c02_p02_travel_rules_are_for_leaving_the_province(tmp_path, capsys):
    inside = evaluate(departure("210202", to_region="210102"), tmp_path, capsys)
    assert answer(inside) == ("allowed", True, [], False)
    assert inside["explanation"][0]["because"] == "no rule of this plan limits this trip"


def test_c06_going_to_a_risk_areas_county_is_restricted_its_city_advised_against(tmp_path, capsys):
    county = evaluate(departure("110105", to_region="210211"), tmp_path, capsys)
    assert answer(county) == ("restricted", False, [], False)
    city = evaluate(departure("110105", to_region="210202"), tmp_path, capsys)
    assert answer(city) == ("advised_against", True, [], False)
    assert [e["rule"] for e in city["explanation"]] == ["to-other-county-of-the-city"]


@pytest.mark.parametrize(
    ("days_off_post", "verdict", "allowed"),
    [(13, "forbidden", False), (14, "filing_required", True), (30, "filing_required", True)],
)
def test_c07_high_risk_post_worker_off_post_14_days_with_a_48h_proof_and_a_filing(
    tmp_path, capsys, days_off_post, verdict, allowed
):
    result = evaluate(
        departure(
            "110105",
            to_region="310101",
            categories=["high_risk_post"],
            days_off_post=days_off_post,
        ),
        tmp_path,
        capsys,
    )
    assert answer(result) == (verdict, allowed, PROOF_48H, True)
    assert result["actions"] == ["advise_against"]  # 应尽量避免出行


def test_c07_days_off_post_not_given_is_answered_as_a_limit(tmp_path, capsys):
    result = evaluate(
        departure("110105", to_region="310101", categories=["high_risk_post"]), tmp_path, capsys
    )
    assert result["allowed"] is True
    assert result["limits"] == [
        {"rule": "high-risk-post", "of": "days_off_post", "at_least": 14, "effect": "forbidden"}
    ]


def test_c07_on_arrival_the_proof_is_asked_and_too_few_days_off_post_explained(tmp_path, capsys):
    result = evaluate(
        arrival("310101", "2022-01-20", categories=["high_risk_post"], days_off_post=5),
        tmp_path,
        capsys,
    )
    assert result["proofs"] == PROOF_48H
    assert "off post 5 days when leaving, fewer than 14" in result["explanation"][0]["because"]


@pytest.mark.parametrize(
    "person", [{"symptoms": ["fever"]}, {"health_code": "yellow"}], ids=["fever", "yellow"]
)
def test_c09_fever_patients_and_yellow_codes_do_not_travel(tmp_path, capsys, person):
    result = evaluate(departure("110105", to_region="310101", **person), tmp_path, capsys)
    assert (result["verdict"], result["allowed"]) == ("forbidden", False)
    assert "C-09" in result["explanation"][0]["clause"]
    green = evaluate(departure("110105", to_region="310101", health_code="green"), tmp_path, capsys)
    assert green["allowed"] is True


@pytest.mark.parametrize(
    ("on", "proofs"),
    [("2021-12-09", []), ("2021-12-10", PROOF_48H), ("2022-03-15", PROOF_48H), ("2022-03-16", [])],
)
def test_c11_c03_leaving_a_land_border_port_city_needs_a_48h_proof_until_15_march(
    tmp_path, capsys, on, proofs
):
    # 152502 (锡林浩特市) lies in the port city; the destination is in the same province:
    # this rule is not limited to cross-province trips
    result = evaluate(departure("152502", to_region="150102", on=on), tmp_path, capsys)
    assert result["proofs"] == proofs
    assert result["allowed"] is True


def test_c11_cities_with_a_port_to_hong_kong_or_macao_are_exempt(tmp_path, capsys):
    shenzhen = {**PORT_CITY, "region": "440300"}
    result = evaluate(
        departure("440303", risk_areas=[shenzhen], to_region="110105"), tmp_path, capsys
    )
    assert result["proofs"] == []


def test_c11_the_proof_to_leave_a_port_city_is_checked_on_arrival(tmp_path, capsys):
    result = evaluate(arrival("152502", "2022-03-01"), tmp_path, capsys)
    assert result["proofs"] == PROOF_48H
    assert result["explanation"][0]["rule"] == "land-border-port-city"
    assert evaluate(arrival("152502", "2022-03-16"), tmp_path, capsys)["proofs"] == []


@pytest.mark.parametrize(
    ("destination", "verdict"),
    [
        ({"to_country": "jpn"}, "forbidden"),
        ({"to_country": "MAC"}, "approval_required"),  # 不含澳门: leaves the province
        ({"to_region": "210211"}, "forbidden"),  # a high-risk area
        ({"to_region": "310101"}, "approval_required"),  # 非必要不出省, approved by one's head
        ({"to_region": "320102"}, "allowed"),  # within Jiangsu
    ],
)
def test_c29_j01_p05_bans_abroad_but_macao_and_risk_areas_and_advises_staying_in_province(
    tmp_path, capsys, destination, verdict
):
    scenario = departure("320106", "P05-service-company-winter", **destination)
    result = evaluate(scenario, tmp_path, capsys)
    assert result["verdict"] == verdict
    if verdict == "approval_required":
        assert result["actions"] == ["advise_against"]
        assert "J-01" in result["explanation"][-1]["clause"]


@pytest.mark.parametrize(
    ("categories", "destination", "allowed"),
    [
        (["student"], {"to_country": "HKG"}, False),
        (["teacher"], {"to_country": "MAC"}, False),  # 教职员工 includes teachers
        (["principal"], {"to_country": "TWN"}, False),
        (["staff"], {"to_country": "USA"}, False),
        (["student"], {"to_region": "210211"}, False),
        (["student"], {"to_region": "210202"}, True),  # low risk in the same city
        (["resident"], {"to_country": "HKG"}, True),  # the plan binds the school system
    ],
)
def test_c30_p11_staff_and_students_banned_from_risk_areas_hk_macao_taiwan_and_abroad(
    tmp_path, capsys, categories, destination, allowed
):
    scenario = departure("341882", "P11-school-winter-exams", categories=categories, **destination)
    assert evaluate(scenario, tmp_path, capsys)["allowed"] is allowed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"departure": None}, "(scenario): departure: a departure scenario needs departure"),
        (
            {"departure": {"at": "2022-01-20T09:00:00+08:00", "region": "110105"}},
            "departure: give to_region or to_country",
        ),
        (
            {"departure": {"at": "2022-01-20", "region": "110105", "to_region": "999999"}},
            "departure.to_region: unknown region code 999999",
        ),
        ({"person": {"days_off_post": -1}}, "person.days_off_post:"),
        ({"person": {"health_code": "purple"}}, "person.health_code:"),
    ],
)
def test_c07_c09_bad_departure_input_exits_2_naming_the_field(tmp_path, change, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**departure("110105"), **change}), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("plan", "evaluate", str(path))
    assert error.value.returncode == 2
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_c11_a_land_border_port_city_is_published_with_its_dates_and_named_in_chinese(
    personas: Personas,
):
    commander = login(personas.commander)
    commander.post(
        reverse("risk-area-list"),
        {
            "region": "152500",
            "level": "land_border_port_city",
            "start_date": "2021-12-10",
            "end_date": "2022-03-15",
            "source": "口岸城市公告",
        },
    )
    page = commander.get(reverse("risk-area-list")).content.decode()
    assert "陆路边境口岸城市" in page
    rules = commander.get(reverse("plan-detail", args=[P02])).content.decode()
    assert "离开陆路边境口岸城市（深圳市、珠海市除外）" in rules


def test_c05_c11_the_plan_page_answers_a_departure_in_chinese(personas: Personas):
    commander = login(personas.commander)
    commander.post(
        reverse("risk-area-list"),
        {"region": "210211", "level": "high", "start_date": "2021-01-01", "source": "公告"},
    )
    response = commander.post(
        reverse("plan-detail", args=[P02]),
        {"kind": "departure", "leaving_region": "210202", "destination_region": "110105"},
    )
    result = response.content.decode()
    result = result[result.index("方案判定结果") :]
    assert "非必要不出行" in result
    assert "48小时内核酸阴性证明" in result
    assert "离开高风险、中风险地区所在地市的其他县（市、区、旗）" in result


def test_c07_the_page_takes_the_days_off_post_and_the_api_gives_the_cli_answer(
    personas: Personas,
):
    client = login(personas.viewer)
    page = client.post(
        reverse("plan-detail", args=[P02]),
        {
            "kind": "departure",
            "categories": ["high_risk_post"],
            "days_off_post": "3",
            "leaving_region": "110105",
            "destination_region": "310101",
        },
    ).content.decode()
    assert "答复: <b>禁止</b>" in page[page.index("方案判定结果") :]
    scenario = departure(
        "110105", to_region="310101", categories=["high_risk_post"], days_off_post=3
    )
    response = client.post(
        f"/api/plans/{P02}/evaluate/", json.dumps(scenario), content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["verdict"], response.json()["filing_required"]) == ("forbidden", True)
    bad = client.post(
        f"/api/plans/{P02}/evaluate/",
        json.dumps({**scenario, "departure": {"at": "2022-01-20", "region": "110105"}}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "departure" in bad.json()
