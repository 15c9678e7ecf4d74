"""A grid worker of village A sees nothing of village B: not in a page, an API response, an export
or a search; and a denied write changes nothing (DESIGN.md idea 4)."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.people.models import Person, TravelRecord
from fangkong.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def exported_names(response) -> set[str]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_list_page(personas: Personas, person_a: Person, person_b: Person):
    page = login(personas.worker_a).get("/people/").content.decode()
    assert "张三" in page
    assert "李四" not in page
    page = login(personas.commander).get("/people/").content.decode()
    assert "张三" in page
    assert "李四" in page


def test_list_page_filtered_to_the_other_village_shows_nobody(
    personas, person_a, person_b, county: County
):
    page = login(personas.worker_a).get(f"/people/?unit={county.village_b.pk}").content.decode()
    assert "李四" not in page
    assert "张三" not in page


def test_search_by_full_id_number_of_the_other_village_finds_nothing(personas, person_a, person_b):
    number = make_resident_id(sequence="022")
    assert "李四" not in login(personas.worker_a).get("/people/", {"q": number}).content.decode()
    assert "李四" in login(personas.worker_b).get("/people/", {"q": number}).content.decode()


def test_detail_edit_reveal_and_travel_pages_are_404_for_the_other_village(personas, person_b):
    client = login(personas.worker_a)
    for url in (f"/people/{person_b.pk}/", f"/people/{person_b.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/people/{person_b.pk}/reveal/").status_code == 404
    assert (
        client.post(
            f"/people/{person_b.pk}/travel/",
            {"region": "110105", "start_date": "2022-01-01", "end_date": "2022-01-02"},
        ).status_code
        == 404
    )
    assert client.post(f"/people/{person_b.pk}/delete/").status_code == 404
    assert Person.objects.filter(pk=person_b.pk).exists()
    assert not TravelRecord.objects.exists()


def test_export_contains_only_the_users_units(personas, person_a, person_b):
    assert exported_names(login(personas.worker_a).get("/people/export.xlsx")) == {"张三"}
    assert exported_names(login(personas.commander).get("/people/export.xlsx")) == {"张三", "李四"}


def test_export_masks_ids_unless_the_role_may_see_them_and_is_audited(personas, person_a):
    full = make_resident_id(sequence="011")
    sheet = login(personas.worker_a).get("/people/export.xlsx?full=1")
    assert full not in sheet.content.decode("latin-1")
    workbook = load_workbook(
        io.BytesIO(login(personas.epidemiologist).get("/people/export.xlsx?full=1").content)
    )
    assert [row[3] for row in workbook.active.iter_rows(min_row=2, values_only=True)] == [full]
    exports = AuditEvent.objects.filter(action="export").order_by("pk")
    assert [(e.actor_id, e.changes["full_ids"]) for e in exports] == [
        (personas.worker_a.pk, False),
        (personas.epidemiologist.pk, True),
    ]


def test_roles_without_the_register_see_no_one(personas, person_a, person_b):
    assert "张三" not in login(personas.lab).get("/people/").content.decode()
    assert api(personas.lab).get("/api/people/").json()["results"] == []
    assert login(personas.lab).get("/people/export.xlsx").status_code == 403


def test_api_list_detail_travel_and_identity(personas, person_a, person_b):
    client = api(personas.worker_a)
    assert [p["name"] for p in client.get("/api/people/").json()["results"]] == ["张三"]
    assert client.get(f"/api/people/{person_b.pk}/").status_code == 404
    assert client.get(f"/api/people/{person_b.pk}/travel/").status_code == 404
    assert client.post(f"/api/people/{person_b.pk}/identity/").status_code == 404
    assert client.get(f"/api/people/?q={make_resident_id(sequence='022')}").json()["results"] == []


def test_api_denied_writes_change_nothing(personas, person_a, person_b, county: County):
    client = api(personas.worker_a)
    before = list(Person.objects.order_by("pk").values())
    response = client.put(
        f"/api/people/{person_b.pk}/",
        {"name": "改", "id_number": make_resident_id(sequence="022"), "unit": "VB-G1"},
        format="json",
    )
    assert response.status_code == 404
    assert client.delete(f"/api/people/{person_b.pk}/").status_code == 404
    response = client.post(
        "/api/people/",
        {"name": "新", "id_number": make_resident_id(sequence="099"), "unit": "VB-G1"},
        format="json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    response = client.post(
        f"/api/people/{person_b.pk}/travel/",
        {"region": "110105", "start_date": "2022-01-01", "end_date": "2022-01-02"},
        format="json",
    )
    assert response.status_code == 404
    assert list(Person.objects.order_by("pk").values()) == before
    assert not TravelRecord.objects.exists()


def test_units_api_and_pages(personas, county: County):
    codes = {u["code"] for u in api(personas.worker_a).get("/api/units/").json()["results"]}
    assert codes == {"VA", "VA-G1"}
    assert api(personas.worker_a).get(f"/api/units/{county.village_b.pk}/").status_code == 404
    client = login(personas.worker_a)
    assert "乙村" not in client.get("/org/units/").content.decode()
    assert client.get(f"/org/units/{county.village_b.pk}/").status_code == 404
    assert client.get(f"/org/units/{county.village_a.pk}/").status_code == 200


def test_audit_page_is_scoped_and_for_allowed_roles(personas, person_a, person_b, county: County):
    assert login(personas.worker_a).get("/audit/").status_code == 403
    page = login(personas.commander).get("/audit/").content.decode()
    assert "张三" in page
    assert "李四" in page


def test_import_job_pages_are_private_to_the_uploader(personas, county: County):
    from fangkong.people.importing import import_job_create

    job = import_job_create(
        user=personas.worker_b,
        unit=county.grid_b,
        file_name="b.csv",
        content="姓名,证件号码\n乙,{}\n".format(make_resident_id(sequence="555")).encode(),
    )
    client = login(personas.worker_a)
    for url in (
        f"/people/import/{job.pk}/",
        f"/people/import/{job.pk}/report/",
        f"/people/import/{job.pk}/rejected.xlsx",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/people/import/{job.pk}/start/").status_code == 404
    job.refresh_from_db()
    assert job.status == "pending"


def test_search_by_part_of_a_name_finds_li_taoming_within_scope_only(personas, county):
    # given 李涛明 in village A and 王涛明 in village B
    people = (("李涛明", county.grid_a, "301"), ("王涛明", county.grid_b, "302"))
    for name, unit, sequence in people:
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=name,
                id_type="resident",
                id_number=make_resident_id(sequence=sequence),
                unit=unit,
                categories=["resident"],
            ),
        )
    # when grid worker A searches the middle of the name, on the register page and the API
    page = login(personas.worker_a).get("/people/", {"q": "涛明"}).content.decode()
    found = api(personas.worker_a).get("/api/people/", {"q": "涛明"}).json()
    # then only their own 李涛明 is found
    assert "李涛明" in page
    assert "王涛明" not in page
    assert [row["name"] for row in found["results"]] == ["李涛明"]
