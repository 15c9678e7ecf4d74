"""Pickers: regions, units and people found by any part of a name (or a code) through small JSON
endpoints scoped by ``org.access``; forms post the chosen id or code, and a refusal keeps what
was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import County, Personas, login, make_resident_id
from fangkong.monitoring.models import Absence
from fangkong.people.models import Person


def labels(answer) -> list[str]:
    assert answer.status_code == 200
    return [row["label"] for row in answer.json()["results"]]


def test_the_region_picker_finds_part_of_a_name_or_a_code_prefix(personas: Personas):
    client = login(personas.worker_a)
    by_name = client.get(reverse("pick-regions"), {"q": "白云"}).json()["results"]
    assert {"value": "520113", "label": "贵州省 贵阳市 白云区", "detail": "520113"} in by_name
    by_code = client.get(reverse("pick-regions"), {"q": "5201"}).json()["results"]
    assert by_code
    assert all(row["value"].startswith("5201") for row in by_code)


def test_the_region_picker_answers_a_bounded_list(personas: Personas):
    answer = login(personas.worker_a).get(reverse("pick-regions"), {"q": "市"}).json()
    assert len(answer["results"]) == 20
    assert answer["more"] is True


@pytest.mark.parametrize("text", ["村", "网格", "乙", "VB", "v"])
def test_the_unit_picker_never_lists_a_neighbours_units(
    personas: Personas, county: County, text: str
):
    found = labels(login(personas.worker_a).get(reverse("pick-units"), {"q": text}))
    assert not [label for label in found if "乙村" in label]
    commander = labels(login(personas.commander).get(reverse("pick-units"), {"q": text}))
    assert set(found) <= set(commander)


def test_the_unit_picker_finds_part_of_a_name_and_a_code_and_names_the_unit_above(
    personas: Personas, county: County
):
    client = login(personas.commander)
    assert client.get(reverse("pick-units"), {"q": "1网格"}).json()["results"] == [
        {"value": str(county.grid_a.pk), "label": "甲村第1网格", "detail": "甲村"},
        {"value": str(county.grid_b.pk), "label": "乙村第1网格", "detail": "乙村"},
    ]
    assert labels(client.get(reverse("pick-units"), {"q": "sch-c"})) == ["高一(1)班"]


def test_the_unit_picker_is_scoped_by_the_capability_the_form_asks_for(
    personas: Personas, county: County
):
    # the viewer sees the county but may change nobody: a form editing people offers no unit
    client = login(personas.viewer)
    grids = ["甲村第1网格", "乙村第1网格"]
    assert labels(client.get(reverse("pick-units"), {"q": "网格"})) == grids
    assert labels(client.get(reverse("pick-units"), {"q": "网格", "for": "edit_people"})) == []


def test_the_person_picker_finds_part_of_a_name_and_never_a_neighbours_people(
    personas: Personas, person_a: Person, person_b: Person
):
    client = login(personas.worker_a)
    found = client.get(reverse("pick-people"), {"q": "三"}).json()["results"]
    detail = f"甲村第1网格 · {person_a.id_masked}"
    assert found == [{"value": str(person_a.pk), "label": "张三", "detail": detail}]
    for text in ("李", "李四", str(person_b.pk), person_b.phone):
        answer = client.get(reverse("pick-people"), {"q": text}).content.decode()
        assert "李四" not in answer
        assert labels(client.get(reverse("pick-people"), {"q": text})) == []
    assert labels(login(personas.commander).get(reverse("pick-people"), {"q": "李"})) == ["李四"]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("pick-units", {"for": "everything"}),
        ("pick-units", {"q": "村" * 51}),
        ("pick-regions", {"q": "1" * 51}),
        ("pick-people", {"q": "张" * 51}),
    ],
)
def test_a_tampered_picker_query_answers_400(personas: Personas, name: str, query: dict):
    assert login(personas.worker_a).get(reverse(name), query).status_code == 400


@pytest.mark.parametrize("name", ["pick-units", "pick-regions", "pick-people"])
def test_pickers_need_a_signed_in_user_and_a_fixed_number_of_queries(
    client, personas: Personas, person_a: Person, name: str, django_assert_max_num_queries
):
    assert client.get(reverse(name), {"q": "张"}).status_code == 302
    signed_in = login(personas.worker_a)
    with django_assert_max_num_queries(4):
        assert signed_in.get(reverse(name), {"q": "张"}).status_code == 200


def test_a_unit_typed_by_name_without_the_script_is_taken_and_a_neighbours_is_refused(
    personas: Personas, county: County
):
    client = login(personas.worker_a)
    person = {"name": "王五", "id_type": "resident", "nationality": "CHN"}
    refused = client.post(
        reverse("person-create"),
        person | {"id_number": make_resident_id(sequence="033"), "unit_text": "乙村第1网格"},
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "您所辖单位中没有名称或代码为“乙村第1网格”的单位，请从列表中选择。" in page
    assert 'name="unit_text" value="乙村第1网格"' in page
    assert not Person.objects.exists()
    taken = client.post(
        reverse("person-create"),
        person | {"id_number": make_resident_id(sequence="033"), "unit_text": "甲村第1网格"},
    )
    assert taken.status_code == 302
    assert Person.objects.get().unit == county.grid_a


def test_an_absence_is_logged_for_the_person_chosen_by_name(
    personas: Personas, person_a: Person, person_b: Person
):
    client = login(personas.worker_a)
    page = client.get(reverse("absences")).content.decode()
    assert f'data-picker="{reverse("pick-people")}"' in page
    recorded = client.post(
        reverse("absences"),
        {"person": str(person_a.pk), "person_text": "张三", "day": "2022-01-31", "illness": "1"},
    )
    assert recorded.status_code == 302
    assert Absence.objects.get().person == person_a
    # a neighbour's person number, tampered into the hidden input: refused, the name not shown
    refused = client.post(
        reverse("absences"), {"person": str(person_b.pk), "person_text": "", "day": "2022-01-31"}
    )
    assert refused.status_code == 400
    assert "李四" not in refused.content.decode()
    assert Absence.objects.count() == 1
