"""The REST API: token auth, JSON field errors, keyset pages, the audited identity call."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from conftest import County, Personas, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.people.models import Person

pytestmark = pytest.mark.django_db


def token_client(username: str) -> APIClient:
    out = io.StringIO()
    call_command("token", "create", "--user", username, stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    return client


def test_token_from_the_command_line_authenticates(personas: Personas, person_a: Person):
    response = token_client("worker-a").get("/api/people/")
    assert response.status_code == 200
    assert response.json()["results"][0]["id_masked"] == person_a.id_masked
    assert APIClient().get("/api/people/").status_code == 401


def test_create_returns_field_errors_as_json_and_saves_nothing(personas: Personas, county: County):
    response = token_client("worker-a").post(
        "/api/people/",
        {"name": "王", "id_number": "110105194912310021", "unit": "VA-G1", "phone": "12"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"id_number", "phone"}
    assert body["id_number"] == ["校验码错误（号码有误）。"]
    assert Person.objects.count() == 0


def test_errors_in_english_on_request(personas: Personas, county: County):
    response = token_client("worker-a").post(
        "/api/people/?lang=en",
        {"name": "W", "id_number": "110105194912310021", "unit": "VA-G1"},
        format="json",
    )
    assert response.json()["id_number"] == ["The check digit is wrong (the number is mistyped)."]


def test_create_update_delete_and_travel(personas: Personas, county: County):
    client = token_client("worker-a")
    number = make_resident_id(sequence="612")
    created = client.post(
        "/api/people/",
        {
            "name": "王",
            "id_number": number,
            "unit": "VA-G1",
            "categories": ["student"],
            "household": "H7",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    person = created.json()
    assert (person["birth_date"], person["sex"], person["categories"], person["household"]) == (
        "1990-03-07",
        "F",
        ["student"],
        "H7",
    )
    assert "id_number" not in person
    assert number not in created.content.decode()
    updated = client.put(
        f"/api/people/{person['id']}/",
        {"name": "王小", "id_number": number, "unit": "VA-G1"},
        format="json",
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "王小"
    stay = client.post(
        f"/api/people/{person['id']}/travel/",
        {"region": "210211", "start_date": "2022-01-20", "end_date": "2022-01-28"},
        format="json",
    )
    assert stay.status_code == 201, stay.json()
    assert client.get(f"/api/people/{person['id']}/travel/").json()[0]["region"] == "210211"
    bad = client.post(
        f"/api/people/{person['id']}/travel/",
        {"country": "XX1", "start_date": "2022-01-20", "end_date": "2022-01-01"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"country", "end_date"}
    assert client.delete(f"/api/people/{person['id']}/").status_code == 204
    assert Person.objects.count() == 0
    assert [e.action for e in AuditEvent.objects.filter(object_type="person").order_by("pk")] == [
        "create",
        "update",
        "update",
        "delete",
    ]


def test_identity_endpoint_is_audited_and_refused_to_other_roles(
    personas: Personas, person_a: Person
):
    assert token_client("worker-a").post(f"/api/people/{person_a.pk}/identity/").status_code == 403
    response = token_client("epi").post(f"/api/people/{person_a.pk}/identity/")
    assert response.json() == {"id_type": "resident", "id_number": make_resident_id(sequence="011")}
    assert AuditEvent.objects.filter(action="view_full").count() == 1


def test_keyset_pages_walk_the_whole_register_without_repeats(personas: Personas, county: County):
    from fangkong.people.services import PersonInput, person_create

    for i in range(7):
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=f"人{i}",
                id_type="resident",
                id_number=make_resident_id(sequence=f"{i:03d}"),
                unit=county.grid_a,
            ),
        )
    client = token_client("hq")
    seen: list[int] = []
    url: str | None = "/api/people/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [p["id"] for p in body["results"]]
        url = body["next"]
    assert seen == sorted(Person.objects.values_list("pk", flat=True), reverse=True)


def test_filters(personas: Personas, person_a: Person, person_b: Person, county: County):
    client = token_client("hq")
    assert [p["name"] for p in client.get("/api/people/?category=returnee").json()["results"]] == [
        "李四"
    ]
    assert [p["name"] for p in client.get("/api/people/?q=张").json()["results"]] == ["张三"]
    assert [p["name"] for p in client.get("/api/people/?q=13900139000").json()["results"]] == [
        "李四"
    ]
    assert [
        p["name"] for p in client.get(f"/api/people/?unit={county.village_a.pk}").json()["results"]
    ] == ["张三"]


def test_regions_api_searches_codes_and_names(personas: Personas):
    client = token_client("viewer")
    assert client.get("/api/regions/520113/").json()["full_name"] == "贵州省 贵阳市 白云区"
    assert "370116" in [r["code"] for r in client.get("/api/regions/?q=莱城区").json()]
    assert len(client.get("/api/regions/").json()) == 31


def test_openapi_schema_is_served(personas: Personas):
    response = token_client("viewer").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/people/{id}/identity/" in response.json()["paths"]


def test_create_answers_with_the_person_whatever_the_query_string_says(personas, county):
    # found by schemathesis: list filters in the query string made the created person "vanish"
    response = token_client("hq").post(
        "/api/people/?q=nobody&category=student&sex=M",
        {"name": "王", "id_number": make_resident_id(sequence="640"), "unit": "VA"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "王"


def test_nul_characters_are_refused_or_find_nothing_on_every_database(personas, person_a):
    # found by schemathesis on PostgreSQL, which cannot store or even compare a NUL
    client = token_client("hq")
    found = client.get("/api/people/?q=%E5%BC%A0%00&category=resident%00").json()["results"]
    assert [p["name"] for p in found] == ["张三"]  # the NUL is no part of any stored value
    response = client.post(
        "/api/people/",
        {
            "name": "王",
            "id_number": make_resident_id(sequence="641"),
            "unit": "VA\x00",
            "categories": ["student\x00"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"unit", "categories"}
    assert client.get("/api/regions/?q=%00").status_code == 200


def test_deleting_a_person_with_records_is_a_400_that_says_why(
    personas: Personas, person_a: Person
):
    # given: person_a was checked in once
    client = token_client("worker-a")
    assert (
        client.post(
            "/api/checkins/", {"person": person_a.pk, "celsius": "36.6"}, format="json"
        ).status_code
        == 201
    )
    # when
    response = client.delete(f"/api/people/{person_a.pk}/")
    # then
    assert response.status_code == 400
    assert "健康打卡记录" in str(response.json())
    assert Person.objects.filter(pk=person_a.pk).exists()
