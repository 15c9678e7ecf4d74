"""Merging a person registered twice, proposed by the line list: through the person page, the
merge page and the API. Tests name the requirements they cover (B-19: one file per contact;
H-03: the investigation's line list)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.people.models import Person, PersonCategory
from fangkong.people.services import PersonInput, person_create
from fangkong.tracing.models import Case, Exposure, Investigation

DUPLICATE_ID = make_resident_id(sequence="044")


@pytest.fixture
def registered(personas: Personas, county: County) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="赵六",
            id_type="resident",
            id_number=make_resident_id(sequence="055"),
            unit=county.grid_a,
            phone="13700137000",
            categories=["resident"],
        ),
    )


@pytest.fixture
def investigation(personas: Personas, person_a: Person) -> Investigation:
    worker = login(personas.worker_a)
    case_id = worker.post("/api/cases/", {"person": person_a.pk, "kind": "confirmed"}).json()["id"]
    worker.post(reverse("case-investigation", args=[case_id]), {"action": "open"})
    return Investigation.objects.get(case_id=case_id)


def line_list_duplicate(
    personas: Personas, investigation: Investigation, registered: Person
) -> Person:
    """The line list records 赵六 under another ID number: a second file, proposed for merge."""
    row = {
        "name": "赵六",
        "id_number": DUPLICATE_ID,
        "phone": "13700137000",
        "last_exposed_at": "2022-01-30T08:00",
    }
    keys = ("name", "id_number", "phone", "unit", "kind", "last_exposed_at", "how")
    response = login(personas.worker_a).post(
        reverse("case-investigation", args=[investigation.case_id]),
        {"action": "contacts"} | {key: row.get(key, "") for key in keys},
    )
    assert response.status_code == 200
    duplicate = Person.objects.exclude(pk=registered.pk).get(name="赵六")
    merge_url = f"{reverse('person-merge', args=[registered.pk])}?other={duplicate.pk}"
    assert merge_url in response.content.decode()
    return duplicate


def test_h03_b19_a_duplicate_from_the_line_list_is_merged_from_the_merge_page_keeping_every_record(
    personas, registered, investigation
):
    # given the line list registered 赵六 a second time, with his exposure
    duplicate = line_list_duplicate(personas, investigation, registered)
    exposure = Exposure.objects.get(person=duplicate)
    worker = login(personas.worker_a)
    # when the worker opens the merge page from the person page and compares the two
    person_page = worker.get(reverse("person-detail", args=[registered.pk])).content.decode()
    assert reverse("person-merge", args=[registered.pk]) in person_page
    url = reverse("person-merge", args=[registered.pk])
    compared = worker.get(url, {"other": duplicate.pk})
    page = compared.content.decode()
    # then both are side by side, their ID numbers masked
    assert compared.status_code == 200
    assert registered.id_masked in page
    assert duplicate.id_masked in page
    assert DUPLICATE_ID not in page
    # when they keep the file registered first and confirm
    merged = worker.post(url, {"other": duplicate.pk, "keep": registered.pk})
    # then every record of the duplicate is the kept person's and the duplicate's file is gone
    assert merged.status_code == 302
    assert merged["Location"] == reverse("person-detail", args=[registered.pk])
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert Exposure.objects.get(pk=exposure.pk).person_id == registered.pk
    kept_audit = AuditEvent.objects.get(
        object_type="person", object_id=str(registered.pk), action="update"
    )
    assert kept_audit.changes["merged_person"] == duplicate.pk
    assert sum(kept_audit.changes["moved"].values()) >= 1
    assert AuditEvent.objects.filter(
        object_type="person", object_id=str(duplicate.pk), action="delete"
    ).exists()


def test_b19_a_merge_folds_the_newer_of_two_equal_rows_into_the_audit_row(
    personas, county, registered
):
    # given a second file of 赵六 under another ID, in the same category and one more
    newer = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="赵六",
            id_type="resident",
            id_number=DUPLICATE_ID,
            unit=county.grid_a,
            categories=["resident", "returnee"],
        ),
    )
    older_row = PersonCategory.objects.get(person=registered, category_id="resident")
    # when the API merges the file registered first into the newer one
    response = login(personas.worker_a).post(
        f"/api/people/{newer.pk}/merge/", {"duplicate": registered.pk}, "application/json"
    )
    # then the older of the two equal rows is kept, the newer one kept in the audit row only
    assert response.status_code == 200, response.content
    assert response.json()["folded"] == 1
    assert response.json()["person"]["id"] == newer.pk
    assert sorted(
        PersonCategory.objects.filter(person=newer).values_list("pk", "category_id")
    ) == sorted(
        [
            (older_row.pk, "resident"),
            *PersonCategory.objects.filter(person=newer, category_id="returnee").values_list(
                "pk", "category_id"
            ),
        ]
    )
    newer.refresh_from_db()
    assert newer.phone == "13700137000"  # filled in from the file merged
    audit = AuditEvent.objects.get(object_type="person", object_id=str(newer.pk), action="update")
    assert audit.changes["folded"][0]["table"] == "people.PersonCategory"


def test_h03_a_merge_that_would_lose_a_record_is_refused_and_changes_nothing(
    personas, county, registered, investigation
):
    # given both files have a case in course, the newer one with its investigation
    duplicate = line_list_duplicate(personas, investigation, registered)
    worker = login(personas.worker_a)
    for someone in (registered, duplicate):
        case_id = worker.post("/api/cases/", {"person": someone.pk, "kind": "suspected"}).json()[
            "id"
        ]
    worker.post(reverse("case-investigation", args=[case_id]), {"action": "open"})
    # when the worker merges them on the merge page
    response = worker.post(
        reverse("person-merge", args=[registered.pk]),
        {"other": duplicate.pk, "keep": registered.pk},
    )
    # then the merge is refused, with the reason, and nothing moved
    assert response.status_code == 400
    assert "其他记录" in response.content.decode()
    assert Person.objects.filter(pk=duplicate.pk).exists()
    assert Case.objects.filter(person=duplicate).count() == 1
    assert Exposure.objects.filter(person=duplicate).count() == 1
    assert not AuditEvent.objects.filter(object_type="person", action="delete").exists()


@pytest.mark.parametrize(
    ("other", "reason"),
    [
        ("abc", "另一人员"),  # not a number
        ("self", "不能与自己合并"),
        ("neighbour", "另一人员"),  # 李四 of the neighbouring village
    ],
)
def test_b19_bad_input_on_the_merge_page_and_api_is_refused_with_a_reason(
    personas, registered, person_b, other, reason
):
    value = {"self": registered.pk, "neighbour": person_b.pk}.get(other, other)
    worker = login(personas.worker_a)
    page = worker.post(
        reverse("person-merge", args=[registered.pk]), {"other": value, "keep": registered.pk}
    )
    api = worker.post(
        f"/api/people/{registered.pk}/merge/", {"duplicate": value}, "application/json"
    )
    assert page.status_code == 400
    assert reason in page.content.decode()
    assert api.status_code == 400
    assert "duplicate" in api.json()
    assert Person.objects.filter(pk__in=[registered.pk, person_b.pk]).count() == 2
    assert not AuditEvent.objects.filter(object_type="person", action="update").exists()


def test_b19_a_neighbour_sees_no_merge_page_and_merges_nothing(personas, registered, person_b):
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("person-merge", args=[registered.pk])).status_code == 404
    api = neighbour.post(
        f"/api/people/{person_b.pk}/merge/", {"duplicate": registered.pk}, "application/json"
    )
    assert api.status_code == 400
    assert (
        neighbour.post(
            f"/api/people/{registered.pk}/merge/", {"duplicate": person_b.pk}, "application/json"
        ).status_code
        == 404
    )
    viewer = login(personas.viewer)  # sees both, may change neither
    refused = viewer.post(
        f"/api/people/{registered.pk}/merge/", {"duplicate": person_b.pk}, "application/json"
    )
    assert refused.status_code == 400
    assert Person.objects.filter(pk__in=[registered.pk, person_b.pk]).count() == 2
