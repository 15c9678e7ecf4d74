"""Supplies (issue 17, item 2): a unit's stock by batch and expiry, receipts and consumption, the
cover in days against the plan's targets (P14 L-07: masks for a week for every teacher and
student, disinfectant for a month), requests up the tree and issues down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.org.roles import Role
from fangkong.people.models import Person, PersonUnit
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.services import plan_assign
from fangkong.readiness.models import RequestStatus, StockBatch, StockMove, SupplyRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(county, personas):
    """P14 in force, the school's principal, and three students registered in its class."""
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P14-school-spring-festival",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    for sequence in ("101", "102", "103"):
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=f"学生{sequence}", id_type="resident",
                id_number=make_resident_id(sequence=sequence), unit=county.class_1,
                categories=["student"],
            ),
        )  # fmt: skip
    return make_user("principal", Role.PRINCIPAL, county.school)


def _receive(page, unit, item, quantity, expires_on=""):
    return page.post(
        reverse("supplies-unit", args=[unit.pk]),
        {
            "action": "receive",
            "receive-item": item,
            "receive-quantity": quantity,
            "receive-expires_on": expires_on,
        },
    )


def _item(cover, item):
    return next(row for row in cover["items"] if row["item"] == item)


def test_l07_p14_masks_for_a_week_of_everyone_and_disinfectant_for_a_month(
    county, personas, principal
):
    page = login(principal)
    # given nothing in stock, the school is short of masks on the overview, first
    shown = page.get(reverse("supplies")).content.decode()
    assert "第一高级中学" in shown
    assert (
        "口罩按学校师生总数一周的量"
        in page.get(reverse("supplies-unit", args=[county.school.pk])).content.decode()
    )
    # when 14 masks come in (3 people × 1 a day: 4.7 days) the school is still short
    assert _receive(page, county.school, "mask", 14, "2022-12-31").status_code == 302
    api = login(principal)
    cover = api.get(reverse("supply-cover"), {"unit": county.school.pk}).json()[0]
    masks = _item(cover, "mask")
    assert masks["days"] == 4.7
    assert masks["target_days"] == 7
    assert masks["short"] is True
    assert masks["needed"] == 7
    # when 7 more come in, a week is covered
    _receive(page, county.school, "mask", 7, "2022-12-31")
    cover = api.get(reverse("supply-cover"), {"unit": county.school.pk}).json()[0]
    assert _item(cover, "mask")["short"] is False
    # a pupil registered in the home village and tied to a class counts too, once: short again
    pupil = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="走读生", id_type="resident", id_number=make_resident_id(sequence="104"),
            unit=county.village_a,
        ),
    )  # fmt: skip
    PersonUnit.objects.create(person=pupil, unit=county.class_1, relation="student")
    registered = Person.objects.filter(unit=county.class_1).earliest("pk")
    PersonUnit.objects.create(person=registered, unit=county.class_1, relation="student")
    cover = api.get(reverse("supply-cover"), {"unit": county.school.pk}).json()[0]
    assert (_item(cover, "mask")["needed"], _item(cover, "mask")["short"]) == (7, True)
    # disinfectant: 100 L in, 30 L used this month through the API: 1 L a day, 70 days of cover
    _receive(page, county.school, "disinfectant", 100)
    used = api.post(
        reverse("supply-consume"),
        {"unit": county.school.pk, "item": "disinfectant", "quantity": 30},
        content_type="application/json",
    )
    assert used.status_code == 200
    disinfectant = _item(used.json()[0], "disinfectant")
    assert (disinfectant["held"], disinfectant["days"], disinfectant["short"]) == (70, 70.0, False)
    assert disinfectant["clause"] == "L-07: 消毒液按一个月的量"
    assert AuditEvent.objects.filter(object_type="stock").count() == 4


def test_l07_stock_expiring_within_30_days_is_flagged_and_expired_stock_does_not_count(
    county, principal
):
    page = login(principal)
    _receive(page, county.school, "mask", 50, "2022-02-20")  # expires in 19 days
    _receive(page, county.school, "mask", 10, "2022-01-31")  # expired yesterday
    cover = login(principal).get(reverse("supply-cover"), {"unit": county.school.pk}).json()[0]
    masks = _item(cover, "mask")
    assert (masks["held"], masks["expiring"], masks["expiring_on"]) == (50, 50, "2022-02-20")
    shown = page.get(reverse("supplies")).content.decode()
    assert "口罩 50只" in shown
    # a draw takes the batch that expires first, never the expired one
    page.post(
        reverse("supplies-unit", args=[county.school.pk]),
        {"action": "consume", "consume-item": "mask", "consume-quantity": 5},
    )
    assert sorted(StockBatch.objects.values_list("quantity", flat=True)) == [10, 45]


def test_l03_a_village_requests_up_and_the_township_issues_down_in_one_audited_move(
    county, personas
):
    township = make_user("township", Role.GRID_WORKER, county.township)
    village = login(personas.worker_a)
    # the village asks the township for 100 masks
    asked = village.post(
        reverse("supplies-unit", args=[county.village_a.pk]),
        {"action": "request", "request-item": "mask", "request-quantity": 100},
    )
    assert asked.status_code == 302
    request = SupplyRequest.objects.get()
    assert request.to_unit == county.township
    # the township holds 150 and answers the request from its page
    page = login(township)
    _receive(page, county.township, "mask", 150, "2022-09-30")
    shown = page.get(reverse("supplies-unit", args=[county.township.pk])).content.decode()
    assert "甲村" in shown
    assert "下级单位的申领" in shown
    issued = page.post(
        reverse("supplies-unit", args=[county.township.pk]),
        {
            "action": "issue",
            "request": request.pk,
            "issue-to_unit": county.village_a.pk,
            "issue-item": "mask",
            "issue-quantity": 100,
        },
    )
    assert issued.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    held = {
        unit: sum(StockBatch.objects.filter(unit=unit).values_list("quantity", flat=True))
        for unit in (county.township, county.village_a)
    }
    assert held == {county.township: 50, county.village_a: 100}
    assert StockBatch.objects.get(unit=county.village_a).expires_on == dt.date(2022, 9, 30)
    assert list(StockMove.objects.filter(kind__in=["issued", "received"]).values_list(
        "unit", "change")) == [(county.village_a.pk, 100), (county.township.pk, -100)]  # fmt: skip
    assert AuditEvent.objects.filter(object_type="supply_request").count() == 1
    # the village sees its stock on its page
    assert (
        "100只"
        in village.get(reverse("supplies-unit", args=[county.village_a.pk])).content.decode()
    )


def test_l03_bad_supplies_are_refused_naming_the_field_and_nothing_is_written(county, personas):
    api = login(personas.worker_a)
    unit = county.village_a.pk

    def post(name, data):
        return api.post(reverse(name), data, content_type="application/json")

    negative = post("supply-receive", {"unit": unit, "item": "mask", "quantity": -5})
    assert negative.status_code == 400
    assert "1" in negative.json()["quantity"][0]
    assert "确保" in negative.json()["quantity"][0]
    ancient = post(
        "supply-receive", {"unit": unit, "item": "mask", "quantity": 5, "expires_on": "0001-01-01"}
    )
    assert ancient.status_code == 400
    assert "0001-01-01" in ancient.json()["expires_on"][0]
    unknown = post("supply-receive", {"unit": unit, "item": "口罩", "quantity": 5})
    assert list(unknown.json()) == ["item"]
    post("supply-receive", {"unit": unit, "item": "mask", "quantity": 5})
    too_many = post(
        "supply-issue", {"unit": unit, "to_unit": county.grid_a.pk, "item": "mask", "quantity": 6}
    )
    assert too_many.status_code == 400
    assert too_many.json()["quantity"] == ["库存仅有5只。"]
    consumed = post("supply-consume", {"unit": unit, "item": "mask", "quantity": 6})
    assert consumed.json()["quantity"] == ["库存仅有5只。"]
    # the page keeps the form and says why
    page = login(personas.worker_a).post(
        reverse("supplies-unit", args=[unit]),
        {"action": "consume", "consume-item": "mask", "consume-quantity": "abc"},
    )
    assert page.status_code == 400
    assert "请输入整数" in page.content.decode() or "整数" in page.content.decode()
    assert list(StockBatch.objects.values_list("unit", "quantity")) == [(unit, 5)]
    assert StockMove.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="stock").count() == 1


def test_l03_a_neighbour_sees_nothing_of_a_villages_supplies(county, personas):
    login(personas.worker_a).post(
        reverse("supply-receive"),
        {"unit": county.village_a.pk, "item": "mask", "quantity": 5},
        content_type="application/json",
    )
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("supplies-unit", args=[county.village_a.pk])).status_code == 404
    assert neighbour.get(reverse("supply-cover"), {"unit": county.village_a.pk}).status_code == 404
    batches = neighbour.get(reverse("supply-list"), {"unit": county.village_a.pk}).json()
    assert batches["results"] == []
    assert "甲村" not in neighbour.get(reverse("supplies")).content.decode()
    taken = neighbour.post(
        reverse("supply-consume"),
        {"unit": county.village_a.pk, "item": "mask", "quantity": 5},
        content_type="application/json",
    )
    assert taken.status_code == 404
    assert StockBatch.objects.get().quantity == 5
