"""Issue 10, finding 5: the person page lists only household members the viewer may open; the import
preview masks ID numbers for a role that may not reveal them, and audits the full view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import County, Personas, login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.org.roles import Role
from fangkong.people.identity import mask_id_number
from fangkong.people.models import ImportJob, Person, PersonUnit
from fangkong.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def test_5_person_page_lists_only_household_members_the_viewer_may_open(
    personas: Personas, county: County, person_a: Person
):
    # given 张三, a student of class 1 living in village A, and his father in the same household
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    person_create(
        actor=personas.commander,
        data=PersonInput(
            name="张父",
            id_type="resident",
            id_number=make_resident_id(birth="19650307", sequence="033"),
            unit=county.grid_a,
            household_code="H1",
        ),
    )
    # when the class teacher, who sees 张三 through the class only, opens his page
    teacher = login(personas.teacher).get(f"/people/{person_a.pk}/")
    # then the father is not listed; the village's grid worker sees him
    assert teacher.status_code == 200
    assert "张父" not in teacher.content.decode()
    assert "张父" in login(personas.worker_a).get(f"/people/{person_a.pk}/").content.decode()


def _preview(user, unit) -> tuple[str, str, ImportJob]:
    good = make_resident_id(sequence="501")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # the check digit is wrong
    client = login(user)
    client.post(
        "/people/import/",
        {
            "file": SimpleUploadedFile(
                "台账.csv", f"姓名,证件号码\n王一,{good}\n王二,{bad}\n".encode(), "text/csv"
            ),
            "unit": unit.pk,
        },
    )
    job = ImportJob.objects.get(created_by=user)
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert "校验码错误" in page
    return page, good + "|" + bad, job


def test_5_import_preview_masks_ids_for_a_principal_and_audits_full_ids(
    personas: Personas, county: County
):
    principal = make_user("principal", Role.PRINCIPAL, county.school)
    # when a principal, who may not reveal ID numbers, previews a register
    page, numbers, job = _preview(principal, county.school)
    # then no number is shown in full, each masked, and nothing is recorded as seen unmasked
    for number in numbers.split("|"):
        assert number not in page
        assert mask_id_number(number) in page
    assert not AuditEvent.objects.filter(action="view_full").exists()
    # when the commander, who may, previews it, the numbers are shown and that is audited
    page, numbers, job = _preview(personas.commander, county.school)
    assert all(number in page for number in numbers.split("|"))
    event = AuditEvent.objects.get(action="view_full")
    assert (event.actor, event.object_type, event.object_id, event.unit_id) == (
        personas.commander,
        "import_job",
        str(job.pk),
        county.school.pk,
    )
