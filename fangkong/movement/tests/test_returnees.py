"""Returnee reports (issue 16, item 2): a unit's self-registration link (G-19: 3 days ahead in
P13) and the guest reports a hotel enters (P04, B-16), each landing in the unit's register with
its travel history, deduplicated by ID number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.movement import views
from fangkong.movement.models import ReturneeReport
from fangkong.movement.services import returnee_link_token
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import Person, TravelRecord

pytestmark = pytest.mark.django_db

NEWCOMER_ID = make_resident_id(sequence="077")


def _report(**changes) -> dict:
    return {
        "name": "赵六",
        "id_number": NEWCOMER_ID,
        "phone": "13700137000",
        "from_region": "310115",
        "arrival_on": "2022-02-04",  # 3 days ahead (G-19)
        "destination": "甲村3组",
        **changes,
    }


def _link(unit) -> str:
    return reverse("returnee-self", args=[returnee_link_token(unit)])


def test_g19_self_report_of_a_newcomer_lands_in_the_unit_register(county, personas):
    # when a returnee reports through the village's link, with no account
    response = Client().post(_link(county.village_a), _report())
    # then they are a returnee of the village, with the stay in their travel history
    assert response.status_code == 200
    assert 'data-testid="done"' in response.content.decode()
    person = Person.objects.get(name="赵六")
    assert person.unit == county.village_a
    assert list(person.categories.values_list("code", flat=True)) == ["returnee"]
    stay = TravelRecord.objects.get(person=person)
    assert (stay.region_id, stay.end_date) == ("310115", dt.date(2022, 2, 4))
    report = ReturneeReport.objects.get()
    assert (report.via, report.new_person, report.unit) == ("self", True, county.village_a)
    # the village lists it; the full ID number is nowhere in the page or the audit
    page = login(personas.worker_a).get(reverse("returnee-list")).content.decode()
    assert "赵六" in page
    assert NEWCOMER_ID not in page
    assert not any(
        NEWCOMER_ID in f"{event.summary}{event.changes}" for event in AuditEvent.objects.all()
    )


def test_g19_self_report_is_deduplicated_against_the_register(county, personas, person_a):
    known = make_resident_id(sequence="011")  # person_a's
    response = Client().post(_link(county.village_a), _report(id_number=known, name="张三"))
    assert response.status_code == 200
    assert Person.objects.count() == 1
    report = ReturneeReport.objects.get()
    assert (report.person, report.new_person) == (person_a, False)
    assert TravelRecord.objects.filter(person=person_a).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "110101199001011234"}, "id_number"),
        ({"from_region": "99"}, "from_region"),
        ({"from_region": "", "from_country": ""}, "from_region"),
        ({"arrival_on": "2023-02-04"}, "arrival_on"),
        ({"arrival_on": "not a day"}, "arrival_on"),
        ({"destination": ""}, "destination"),
    ],
)
def test_g19_tampered_report_is_refused_naming_the_field(county, changes, field):
    response = Client().post(_link(county.village_a), _report(**changes))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert NEWCOMER_ID not in response.content.decode()
    assert not ReturneeReport.objects.exists()
    assert not Person.objects.exists()


def test_g19_a_forged_link_opens_nothing(county):
    token = returnee_link_token(county.village_a)
    assert Client().get(reverse("returnee-self", args=[token[:-2] + "xx"])).status_code == 404


def test_g19_the_link_is_rate_limited(county, monkeypatch):
    monkeypatch.setattr(views, "LINK_RATE", 1)
    client = Client()
    assert client.post(_link(county.village_a), _report()).status_code == 200
    assert client.post(_link(county.village_a), _report()).status_code == 429


def test_p04_a_hotel_enters_a_guest_report_and_a_neighbour_sees_nothing(county, personas):
    # given a hotel (a venue) with its desk clerk keeping its register
    hotel = unit_create(
        code="HOTEL", name="泉湖宾馆", kind="venue", region=county.township.region,
        parent=county.village_a,
    )  # fmt: skip
    clerk = login(make_user("clerk", Role.GRID_WORKER, hotel))
    # when the clerk enters a guest from abroad on the page
    response = clerk.post(
        reverse("returnee-list"),
        _report(unit=hotel.pk, from_region="", from_country="JPN", destination="泉湖宾馆"),
    )
    # then the guest is in the hotel's register with the stay abroad
    assert response.status_code == 302
    report = ReturneeReport.objects.get()
    assert (report.via, report.unit, report.from_country) == ("unit", hotel, "JPN")
    assert "日本" in clerk.get(reverse("returnee-list")).content.decode()
    # the other village sees no report, and may not enter one for the hotel
    neighbour = login(personas.worker_b)
    assert "赵六" not in neighbour.get(reverse("returnee-list")).content.decode()
    response = neighbour.post(reverse("returnee-list"), _report(unit=hotel.pk))
    assert response.status_code == 404
    assert ReturneeReport.objects.count() == 1
