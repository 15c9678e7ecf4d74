"""Issue 10, finding 4: an ID number registered outside the user's units names nobody.

A grid worker adding, importing or sampling an ID number learns whom it belongs to only if they may
open that person; otherwise every path says the same sentence, without name or person number.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_resident_id
from fangkong.people.models import ImportJob, Person

pytestmark = pytest.mark.django_db

ELSEWHERE = "该证件号码已在您所辖单位以外登记；如需转入，请联系县级指挥部调整该人员的所属单位。"


def _new_person(number: str, unit) -> dict[str, object]:
    return {
        "name": "王五",
        "id_type": "resident",
        "id_number": number,
        "unit": unit.pk,
        "nationality": "CHN",
    }


def test_4_person_create_page_names_nobody_registered_outside_the_units(
    personas: Personas, county: County, person_b: Person
):
    # given 李四 is registered in village B
    number = make_resident_id(sequence="022")
    # when a grid worker of village A adds a person with that number
    response = login(personas.worker_a).post("/people/new/", _new_person(number, county.grid_a))
    # then the form says only that the number is registered elsewhere, and keeps what was typed
    page = response.content.decode()
    assert response.status_code == 200
    assert ELSEWHERE in page
    assert "李四" not in page
    assert "人员编号" not in page
    assert 'value="王五"' in page
    assert Person.objects.get(id_hash=person_b.id_hash).name == "李四"
    # while the commander, who may open 李四, is told which person it is
    commander = login(personas.commander).post("/people/new/", _new_person(number, county.grid_a))
    assert f"人员编号 {person_b.pk}" in commander.content.decode()


def test_4_person_create_api_names_nobody_registered_outside_the_units(
    personas: Personas, county: County, person_b: Person
):
    client = APIClient()
    client.force_authenticate(personas.worker_a)
    response = client.post(
        "/api/people/",
        {"name": "王五", "id_number": make_resident_id(sequence="022"), "unit": "VA-G1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"id_number": [ELSEWHERE]}
    assert Person.objects.count() == 1


@pytest.mark.parametrize("name_in_row", ["李四", "李大"])
def test_4_import_names_nobody_registered_outside_the_units(
    personas: Personas,
    county: County,
    person_a: Person,
    person_b: Person,
    name_in_row: str,
    django_capture_on_commit_callbacks,
):
    # given 张三 in village A (the worker's) and 李四 in village B
    content = (
        "姓名,证件号码\n"
        f"{name_in_row},{make_resident_id(sequence='022')}\n"  # row 2: 李四's number
        f"张冠李戴,{make_resident_id(sequence='011')}\n"  # row 3: 张三's number
    )
    client = login(personas.worker_a)
    # when the grid worker of village A imports rows with their ID numbers
    client.post(
        "/people/import/",
        {
            "file": SimpleUploadedFile("台账.csv", content.encode(), content_type="text/csv"),
            "unit": county.grid_a.pk,
        },
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/people/import/{job.pk}/start/")
    report = client.get(started["Location"]).content.decode()
    # then the row of the person outside says the same sentence whether or not the name matches;
    # the person the worker may open is named
    job.refresh_from_db()
    assert (job.created_count, job.existing_count, job.error_count) == (0, 0, 2)
    messages = dict(job.row_errors.values_list("row_number", "message"))
    assert messages[2] == ELSEWHERE
    assert "张三" in messages[3]
    assert report.count(ELSEWHERE) == 1
    assert "李四" not in report
    assert f"人员编号 {person_b.pk}" not in report
    assert Person.objects.get(id_hash=person_b.id_hash).name == "李四"
