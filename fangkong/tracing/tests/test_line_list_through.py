"""The line list records through whom a secondary contact was exposed (经由密接: H-04, D-12,
whose close contact's results decide theirs), and the contacts table shows it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import County, Personas, login, make_resident_id
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_create
from fangkong.tracing.models import Exposure, Investigation

CLOSE_ID = make_resident_id(sequence="055")
KEYS = ("name", "id_number", "phone", "unit", "kind", "last_exposed_at", "how", "through")


@pytest.fixture
def close(personas: Personas, county: County) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="赵六", id_type="resident", id_number=CLOSE_ID, unit=county.grid_a, phone=""
        ),
    )


@pytest.fixture
def investigation(personas: Personas, person_a: Person) -> Investigation:
    worker = login(personas.worker_a)
    case_id = worker.post("/api/cases/", {"person": person_a.pk, "kind": "confirmed"}).json()["id"]
    worker.post(reverse("case-investigation", args=[case_id]), {"action": "open"})
    return Investigation.objects.get(case_id=case_id)


def table(*rows: dict[str, str]) -> dict[str, list[str]]:
    return {"action": ["contacts"]} | {key: [row.get(key, "") for row in rows] for key in KEYS}


def test_h04_d12_a_secondary_contact_is_recorded_through_their_close_contact(
    personas, person_a, close, investigation
):
    worker = login(personas.worker_a)
    url = reverse("case-investigation", args=[investigation.case_id])
    response = worker.post(
        url,
        table(
            {"name": "赵六", "id_number": CLOSE_ID, "last_exposed_at": "2022-01-31T19:00"},
            {
                "name": "王五",
                "id_number": make_resident_id(sequence="033"),
                "kind": "次密接",
                "last_exposed_at": "2022-01-31T21:00",
                "through": "赵六",
            },
        ),
    )
    assert response.status_code == 200
    assert response.context["outcome"].problems == []
    secondary = Exposure.objects.get(investigation=investigation, kind="secondary_contact")
    assert (secondary.person.name, secondary.via_id) == ("王五", close.pk)
    assert Exposure.objects.get(person=close).via_id == person_a.pk
    # the contacts table shows whom each contact was exposed through
    page = worker.get(url).content.decode()
    through = re.findall(r'data-testid="contact-through">([^<]*)<', page)
    assert sorted(through) == ["张三", "赵六"]
    # the API names the close contact by ID number
    api = worker.post(
        f"/api/cases/{investigation.case_id}/investigation/contacts/",
        {
            "rows": [
                {
                    "name": "钱七",
                    "id_number": make_resident_id(sequence="077"),
                    "kind": "secondary_contact",
                    "last_exposed_at": "2022-01-31T22:00",
                    "through": CLOSE_ID,
                }
            ]
        },
        "application/json",
    )
    assert api.status_code == 200, api.content
    listed = worker.get(f"/api/cases/{investigation.case_id}/investigation/contacts/").json()
    assert {row["via"] for row in listed if row["kind"] == "secondary_contact"} == {close.pk}


def test_h04_a_through_no_close_contact_bears_is_refused_with_nothing_written(
    personas, close, investigation
):
    worker = login(personas.worker_a)
    response = worker.post(
        reverse("case-investigation", args=[investigation.case_id]),
        table(
            {
                "name": "王五",
                "id_number": make_resident_id(sequence="033"),
                "kind": "次密接",
                "last_exposed_at": "2022-01-31T21:00",
                "through": "赵六",  # not recorded as a close contact of this case
            },
            {
                "name": "赵六",
                "id_number": CLOSE_ID,
                "last_exposed_at": "2022-01-31T19:00",
                "through": "张三",  # a close contact is exposed through the case
            },
        ),
    )
    assert response.status_code == 400
    problems = response.context["outcome"].problems
    assert [(p.row_number, p.column) for p in problems] == [(1, "经由密接"), (2, "经由密接")]
    page = response.content.decode()
    assert "本次流调中没有这个姓名或身份证号的密接" in page
    assert "此列请留空" in page
    assert not Exposure.objects.exists()
    assert not Person.objects.filter(name="王五").exists()
