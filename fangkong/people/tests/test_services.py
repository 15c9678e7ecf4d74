import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from conftest import County, Personas, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.monitoring.services import CheckinInput, checkins_record
from fangkong.org.models import GroupMember, LeadingGroup
from fangkong.people.models import Person, TravelRecord
from fangkong.people.services import (
    PersonInput,
    TravelInput,
    person_create,
    person_delete,
    person_reveal_id,
    person_update,
    travel_add,
)

pytestmark = pytest.mark.django_db


def test_create_derives_birth_date_and_sex_and_stores_the_id_protected(
    county: County, personas: Personas
):
    number = make_resident_id(birth="19900307", sequence="013")
    person = person_create(
        actor=personas.worker_a,
        data=PersonInput(
            name="王五",
            id_type="resident",
            id_number=number,
            unit=county.grid_a,
            household_code="H9",
        ),
    )
    person.refresh_from_db()
    assert str(person.birth_date) == "1990-03-07"
    assert person.sex == "M"
    assert person.id_masked == number[:6] + "********" + number[-4:]
    assert number.encode() not in bytes(person.id_cipher)
    assert person.household is not None
    assert person.household.code == "H9"
    event = AuditEvent.objects.get(object_type="person", object_id=str(person.pk))
    assert (event.action, event.actor_id, event.unit_id) == (
        "create",
        personas.worker_a.pk,
        county.grid_a.pk,
    )


def test_b09_one_file_per_person_a_duplicate_id_number_is_refused(
    person_a: Person, county: County, personas: Personas
):
    number = make_resident_id(sequence="011")
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name="张三丰", id_type="resident", id_number=number, unit=county.grid_b
            ),
        )
    assert str(person_a.pk) in error.value.message_dict["id_number"][0]
    assert Person.objects.count() == 1


def test_every_bad_field_is_named(county: County, personas: Personas):
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name="",
                id_type="resident",
                id_number="110105194912310021",
                unit=county.grid_a,
                phone="123",
                address_region_code="999999",
                categories=["martian"],
            ),
        )
    assert set(error.value.message_dict) == {
        "name",
        "id_number",
        "phone",
        "address_region",
        "categories",
    }
    assert Person.objects.count() == 0


def test_long_name_is_refused_not_truncated(county: County, personas: Personas):
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name="长" * 51, id_type="resident", id_number=make_resident_id(), unit=county.grid_a
            ),
        )
    assert "50" in error.value.message_dict["name"][0]


def test_worker_of_village_b_cannot_create_in_village_a(county: County, personas: Personas):
    with pytest.raises(PermissionDenied):
        person_create(
            actor=personas.worker_b,
            data=PersonInput(
                name="赵六", id_type="resident", id_number=make_resident_id(), unit=county.grid_a
            ),
        )
    assert Person.objects.count() == 0


def test_denied_update_and_delete_change_nothing(
    person_a: Person, personas: Personas, county: County
):
    before = Person.objects.filter(pk=person_a.pk).values().get()
    with pytest.raises(PermissionDenied):
        person_update(
            actor=personas.worker_b,
            person=person_a,
            data=PersonInput(
                name="改名",
                id_type="resident",
                id_number=make_resident_id(sequence="011"),
                unit=county.grid_a,
            ),
        )
    with pytest.raises(PermissionDenied):
        person_delete(actor=personas.worker_b, person=person_a)
    assert Person.objects.filter(pk=person_a.pk).values().get() == before
    assert not AuditEvent.objects.filter(action__in=["update", "delete"]).exists()


def test_a_person_with_records_is_kept_and_the_refusal_names_them(
    person_a: Person, personas: Personas, county: County
):
    # given: a check-in and a seat in the village's leading group
    checkins_record(
        actor=personas.worker_a, rows=[CheckinInput(person_id=person_a.pk, celsius="36.5")]
    )
    group = LeadingGroup.objects.create(
        unit=county.village_a, name="甲村疫情防控工作领导小组", kind=LeadingGroup.Kind.LEADING_GROUP
    )
    GroupMember.objects.create(group=group, person=person_a, position=GroupMember.Position.MEMBER)
    # when
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        person_delete(actor=personas.worker_a, person=person_a)
    # then: nothing deleted, and the user is told why
    assert "health check-ins" in refused.value.messages[0]
    assert "leading group memberships" in refused.value.messages[0]
    assert Person.objects.filter(pk=person_a.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_a_file_entered_by_mistake_is_deleted_with_its_travel(person_a: Person, personas: Personas):
    travel_add(
        actor=personas.worker_a,
        person=person_a,
        data=TravelInput(
            start_date=dt.date(2022, 1, 1), end_date=dt.date(2022, 1, 5), region_code="110105"
        ),
    )
    person_id = person_a.pk
    person_delete(actor=personas.worker_a, person=person_a)
    assert not Person.objects.filter(pk=person_id).exists()
    assert not TravelRecord.objects.filter(person_id=person_id).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=person_id).exists()


def test_update_records_what_changed(person_a: Person, personas: Personas, county: County):
    person_update(
        actor=personas.worker_a,
        person=person_a,
        data=PersonInput(
            name="张三",
            id_type="resident",
            id_number=make_resident_id(sequence="011"),
            unit=county.grid_a,
            phone="13700137000",
            household_code="H1",
            categories=["resident"],
        ),
    )
    event = AuditEvent.objects.get(action="update")
    assert event.changes == {"phone": ["13800138000", "13700137000"]}


def test_reveal_is_for_roles_that_may_see_ids_and_is_audited(person_a: Person, personas: Personas):
    with pytest.raises(PermissionDenied):
        person_reveal_id(actor=personas.worker_a, person=person_a)
    assert not AuditEvent.objects.filter(action="view_full").exists()
    assert person_reveal_id(actor=personas.epidemiologist, person=person_a) == make_resident_id(
        sequence="011"
    )
    event = AuditEvent.objects.get(action="view_full")
    assert (event.actor_id, event.object_id) == (personas.epidemiologist.pk, str(person_a.pk))


def test_b14_travel_history_needs_a_known_place_and_dates_in_order(
    person_a: Person, personas: Personas
):
    with pytest.raises(ValidationError) as error:
        travel_add(
            actor=personas.worker_a,
            person=person_a,
            data=TravelInput(
                start_date=dt.date(2022, 1, 20), end_date=dt.date(2022, 1, 10), region_code="999999"
            ),
        )
    assert set(error.value.message_dict) == {"region", "end_date"}
    record = travel_add(
        actor=personas.worker_a,
        person=person_a,
        data=TravelInput(
            start_date=dt.date(2022, 1, 10), end_date=dt.date(2022, 1, 20), region_code="371202"
        ),
    )
    assert record.region_id == "370116"  # the old code lands on today's district
    assert TravelRecord.objects.count() == 1
