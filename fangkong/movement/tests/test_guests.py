"""A gathering's guest list (issue 16, item 6): each guest checked for measures and the proofs the
plan asks of guests (I-15, D-17), and the village sees what is planned in its area (I-01)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import TODAY, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.labs.services import result_record
from fangkong.movement.models import GatheringApplication, GatheringGuest
from fangkong.movement.tests.test_gatherings import _form, _plan
from fangkong.people.models import Person
from fangkong.quarantine.tests.test_quarantine import quarantined  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _banquet(county, personas, **changes) -> GatheringApplication:
    response = login(personas.worker_a).post(
        reverse("gathering-list"),
        _form(county.village_a, type="banquet", organiser="family", people=30, tables=3,
              held_on="2022-02-02", place="甲村张家院", **changes),
    )  # fmt: skip
    assert response.status_code == 302
    return GatheringApplication.objects.get()


def test_i15_d17_p13_a_guest_without_a_24h_negative_test_is_flagged(county, personas, person_a):
    # given P13 in force and a banquet of 3 tables filed with village A for tomorrow
    _plan(county, personas, "P13-may-day-county")
    application = _banquet(county, personas)
    assert application.status == "filed"
    # and 张三 tested negative this morning
    result_record(actor=personas.worker_a, person=person_a, positive=False,
                  sampled_at=TODAY - dt.timedelta(hours=2))  # fmt: skip
    worker = login(personas.worker_a)
    page = reverse("gathering-detail", args=[application.pk])
    # when the worker lists 张三 by name and a new guest by name and ID number
    assert worker.post(page, {"person": "张三"}).status_code == 302
    new_id = make_resident_id(sequence="077")
    assert worker.post(page, {"name": "赵六", "id_number": new_id}).status_code == 302
    # then the new guest is registered in the village, and flagged for the missing proof
    zhao = Person.objects.get(name="赵六")
    assert zhao.unit == county.village_a
    text = worker.get(page).content.decode()
    assert "共 2 人，1 人有问题" in text
    assert (
        "无聚集前24小时内核酸检测阴性证明（I-15, D-17: 所有参加人员需持24小时内核酸检测阴性证明）"
        in text
    )
    # and the API says the same, guest by guest
    rows = _api(personas.worker_a).get(f"/api/gatherings/{application.pk}/guests/").json()
    assert [(row["name"], len(row["reasons"])) for row in rows] == [("张三", 0), ("赵六", 1)]
    assert AuditEvent.objects.filter(object_type="gathering_guest").count() == 2


def test_i17_p14_a_guest_under_quarantine_is_flagged_through_the_api(
    county,
    personas,
    quarantined,  # noqa: F811
):
    # given 张三 in central quarantine under P14, and a family meal of village A the next day
    zhang = quarantined[0]
    application = _api(personas.worker_a).post(
        "/api/gatherings/",
        {**_form(county.village_a, type="family_meal", organiser="family", people=8,
                 held_on="2022-02-02")},
    )  # fmt: skip
    assert application.status_code == 201
    # when the worker lists 张三
    response = _api(personas.worker_a).post(
        f"/api/gatherings/{application.json()['id']}/guests/", {"person": zhang.pk}
    )
    # then 张三 is flagged, by the measure's Chinese name
    assert response.status_code == 201
    [row] = response.json()
    assert row["reasons"][0].startswith("聚集当天处于管控措施中：")
    assert "隔离" in row["reasons"][0]


def test_i01_p13_bad_guests_are_refused_with_reasons_and_a_neighbour_sees_nothing(
    county, personas, person_a, person_b
):
    _plan(county, personas, "P13-may-day-county")
    application = _banquet(county, personas)
    owner = _api(personas.worker_a)
    url = f"/api/gatherings/{application.pk}/guests/"
    # a person outside the worker's units (李四 of village B), by number
    response = owner.post(url, {"person": person_b.pk})
    assert response.status_code == 400
    assert response.json()["person"] == ["您的单位中没有这个编号的人员。"]
    # nobody named, a bad ID number, the same guest twice
    assert owner.post(url, {}).json()["name"] == [
        "请选择登记的人员，或填写参加人员的姓名和身份证号。"
    ]
    bad_id = owner.post(url, {"name": "钱七", "id_number": "123"})
    assert bad_id.status_code == 400
    assert "id_number" in bad_id.json()
    assert owner.post(url, {"person": person_a.pk}).status_code == 201
    twice = owner.post(url, {"person": person_a.pk})
    assert twice.json()["person"] == ["此人已在参加人员名单中。"]
    assert GatheringGuest.objects.count() == 1
    # the neighbour village sees nothing of it, on the page or the API
    neighbour = _api(personas.worker_b)
    assert neighbour.get(url).status_code == 404
    assert neighbour.post(url, {"person": person_b.pk}).status_code == 404
    page = reverse("gathering-detail", args=[application.pk])
    assert login(personas.worker_b).get(page).status_code == 404
    assert login(personas.worker_b).post(page, {"person": "李四"}).status_code == 404
    assert GatheringGuest.objects.count() == 1


def test_i01_p01_the_village_sees_what_is_planned_in_its_area(county, personas):
    # given P01, an event filed with each village, and one of village A long past
    _plan(county, personas, "P01-rural-winter")
    login(personas.worker_a).post(reverse("gathering-list"), _form(county.village_a, people=20))
    login(personas.worker_b).post(
        reverse("gathering-list"), _form(county.village_b, people=20, place="乙村礼堂")
    )
    GatheringApplication.objects.filter(unit=county.village_a).update(held_on=dt.date(2022, 1, 5))
    login(personas.worker_a).post(
        reverse("gathering-list"), _form(county.village_a, people=30, place="甲村祠堂")
    )
    # when village A's worker opens what is planned in its area
    text = login(personas.worker_a).get(reverse("gathering-list") + "?status=planned")
    # then only village A's gathering still to come is listed
    shown = text.content.decode()
    assert "甲村祠堂" in shown
    assert "村委会广场" not in shown
    assert "乙村礼堂" not in shown
    planned = _api(personas.worker_a).get("/api/gatherings/?planned=1").json()["results"]
    assert [row["place"] for row in planned] == ["甲村祠堂"]
