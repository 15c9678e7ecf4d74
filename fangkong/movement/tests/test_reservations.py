"""Venue capacity and reservations (issue 16, item 5): the plan's share of the rated seats
(I-15), time slots by reservation (I-07, I-16, I-18, O-04), booking and cancelling, the live count
of a venue, through the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.movement.models import Reservation, VenueSlot
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Scan
from fangkong.tracing.venues import venue_create

pytestmark = pytest.mark.django_db

TOMORROW = "2022-02-02"


def _plan(county, personas, pack_id: str) -> None:
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id=pack_id,
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _slot(venue, capacity: int, day: str = TOMORROW, starts: str = "09:00", ends: str = "10:00"):
    return {"venue": venue, "day": day, "starts_at": starts, "ends_at": ends, "capacity": capacity}


def test_i15_p13_restaurant_slots_stay_within_half_the_rated_seats(county, personas):
    # given P13 in force and a restaurant of 80 rated seats set up through the API
    _plan(county, personas, "P13-may-day-county")
    worker = _api(personas.worker_a)
    venue = worker.post(
        "/api/venues/",
        {"unit": county.village_a.pk, "kind": "restaurant", "name": "农家饭庄", "seats": 80},
    ).json()
    assert venue["seats"] == 80
    # when a slot of 41 is asked for
    response = worker.post("/api/venue-slots/", _slot(venue["id"], 41), format="json")
    # then it is refused with the plan's limit and clause; nothing is written
    assert response.status_code == 400
    reason = response.json()["capacity"][0]
    assert "至多 40 人" in reason
    assert "I-15: 餐馆酒店堂食人数不超过核定人数的50%" in reason
    assert not VenueSlot.objects.exists()
    # and 40, half the seats, is taken
    response = worker.post("/api/venue-slots/", _slot(venue["id"], 40), format="json")
    assert response.status_code == 201
    assert response.json()["capacity"] == 40
    # and the live count shows the limit
    live = worker.get("/api/venue-slots/live/").json()["results"]
    assert [(row["name"], row["limit"]) for row in live] == [("农家饭庄", 40)]


def test_i15_p13_restaurant_without_rated_seats_is_asked_for_them(county, personas):
    _plan(county, personas, "P13-may-day-county")
    venue = venue_create(actor=personas.worker_a, unit=county.village_a, kind="restaurant",
                         name="无座数饭店")  # fmt: skip
    response = _api(personas.worker_a).post("/api/venue-slots/", _slot(venue.pk, 10), format="json")
    assert response.status_code == 400
    assert "先填写场所的核定人数" in response.json()["capacity"][0]


def test_i16_p13_museum_slot_booked_and_cancelled_on_the_page_with_the_live_count(
    county, personas, person_a
):
    # given P13 in force and a museum kept by village A
    _plan(county, personas, "P13-may-day-county")
    museum = venue_create(actor=personas.worker_a, unit=county.village_a, kind="culture",
                          name="县博物馆")  # fmt: skip
    worker = login(personas.worker_a)
    page = reverse("venue-slots", args=[museum.pk])
    # when the worker adds a slot of today's evening and books 张三 by name
    response = worker.post(
        page,
        {"action": "slot", "day": "2022-02-01", "starts_at": "19:00", "ends_at": "20:00",
         "capacity": 30},
    )  # fmt: skip
    assert response.status_code == 302
    slot = VenueSlot.objects.get()
    response = worker.post(page, {"action": "book", "slot": slot.pk, "person": "张三"})
    assert response.status_code == 302
    # and 张三 scans the museum's code at the door
    Scan.objects.create(venue=museum, person=person_a, scanned_at=clock.now())
    # then the page shows the reservation and the plan's words, the list the live count
    text = worker.get(page + "?day=2022-02-01").content.decode()
    assert "张三" in text
    assert "方案要求预约进入" in text
    assert "I-16: 博物馆、图书馆" in text
    assert "2022-02-01：30 个名额，已预约 1，入场 1。" in text
    listing = worker.get(reverse("reservation-venues")).content.decode()
    assert "县博物馆" in listing
    assert '<td data-label="已预约">1</td>' in listing
    # when the reservation is cancelled
    reservation = Reservation.objects.get()
    response = worker.post(reverse("reservation-cancel", args=[reservation.pk]))
    assert response.status_code == 302
    # then the place is free again, and each step was audited
    slot.refresh_from_db()
    assert slot.booked == 0
    assert Reservation.objects.get().cancelled_at is not None
    assert AuditEvent.objects.filter(object_type="reservation").count() == 2
    assert AuditEvent.objects.filter(object_type="venue_slot").count() == 1


def test_o04_p07_service_hall_full_slot_refuses_the_next_booking(
    county, personas, person_a, person_b
):
    # given P07 in force and a service hall slot with one place
    _plan(county, personas, "P07-social-security")
    hall = venue_create(actor=personas.commander, unit=county.township, kind="service_hall",
                        name="社保服务大厅")  # fmt: skip
    commander = _api(personas.commander)
    slot = commander.post("/api/venue-slots/", _slot(hall.pk, 1), format="json").json()
    # when 张三 books it, then 李四, then 张三 again
    first = commander.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_a.pk})
    full = commander.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_b.pk})
    # then the first has the place, the second is told the slot is full
    assert first.status_code == 201
    assert full.status_code == 400
    assert full.json()["slot"] == ["该时段已约满。"]
    assert VenueSlot.objects.get().booked == 1
    # and once cancelled, 张三 may book again, but not twice
    commander.post(f"/api/reservations/{first.json()['id']}/cancel/")
    again = commander.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_a.pk})
    assert again.status_code == 201
    commander.post("/api/venue-slots/", _slot(hall.pk, 5, starts="10:00", ends="11:00"))
    twice = commander.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_a.pk})
    assert twice.status_code == 400
    assert VenueSlot.objects.get(pk=slot["id"]).booked == 1


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"starts_at": "10:00", "ends_at": "09:00"}, "ends_at", "时段的结束时间须晚于开始时间。"),
        ({"capacity": 0}, "capacity", "每个时段可容纳 1 至 5000 人。"),
        ({"capacity": 1_000_000}, "capacity", "每个时段可容纳 1 至 5000 人。"),
        ({"day": "2022-01-20"}, "day", "不能为过去的日期设时段。"),
    ],
)
def test_i07_p04_bad_slots_are_refused_with_the_field_and_nothing_is_written(
    county, personas, changes, field, reason
):
    _plan(county, personas, "P04-national-day-fuyuan")
    venue = venue_create(actor=personas.worker_a, unit=county.village_a, kind="venue",
                         name="影剧院")  # fmt: skip
    # through the API
    response = _api(personas.worker_a).post(
        "/api/venue-slots/", {**_slot(venue.pk, 20), **changes}, format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == [reason]
    # and through the page
    form = {"action": "slot", **_slot(venue.pk, 20), **changes}
    page = login(personas.worker_a).post(reverse("venue-slots", args=[venue.pk]), form)
    assert page.status_code == 400
    assert reason in page.content.decode()
    assert not VenueSlot.objects.exists()


def test_i18_p16_a_neighbour_sees_nothing_and_tampered_ids_are_refused(
    county, personas, person_a, person_b
):
    # given P16 and a museum slot of village A holding 张三
    _plan(county, personas, "P16-may-day-chengdu")
    museum = venue_create(actor=personas.worker_a, unit=county.village_a, kind="culture",
                          name="甲村文化馆")  # fmt: skip
    owner = _api(personas.worker_a)
    slot = owner.post("/api/venue-slots/", _slot(museum.pk, 5), format="json").json()
    booked = owner.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_a.pk}).json()
    # then village B's worker sees none of it, on the pages or the API
    neighbour = _api(personas.worker_b)
    assert neighbour.get("/api/venue-slots/").json()["results"] == []
    assert neighbour.get("/api/reservations/").json()["results"] == []
    assert neighbour.get("/api/venue-slots/live/").json()["results"] == []
    book = neighbour.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_b.pk})
    assert book.status_code == 404
    assert neighbour.post(f"/api/reservations/{booked['id']}/cancel/").status_code == 404
    later = _slot(museum.pk, 5, starts="11:00", ends="12:00")
    assert neighbour.post("/api/venue-slots/", later, format="json").status_code == 404
    page = login(personas.worker_b)
    assert page.get(reverse("venue-slots", args=[museum.pk])).status_code == 404
    assert "甲村文化馆" not in page.get(reverse("reservation-venues")).content.decode()
    assert page.post(reverse("reservation-cancel", args=[booked["id"]])).status_code == 404
    # and the owner cannot book a person outside its units (李四 of village B)
    response = owner.post(f"/api/venue-slots/{slot['id']}/book/", {"person": person_b.pk})
    assert response.status_code == 400
    assert response.json()["person"] == ["您的单位中没有这个编号的人员。"]
    assert VenueSlot.objects.get().booked == 1
    assert Reservation.objects.filter(cancelled_at__isnull=True).count() == 1


def test_i05_p03_a_bus_trip_takes_at_most_half_its_seats(county, personas):
    # given P03 in force and a school bus of 45 seats
    _plan(county, personas, "P03-school-opening-guyuan")
    bus = venue_create(actor=personas.commander, unit=county.school, kind="bus",
                       name="校车1号", seats=45)  # fmt: skip
    commander = _api(personas.commander)
    # then a trip of 23 is refused, one of 22 (half of 45, rounded down) is taken
    over = commander.post("/api/venue-slots/", _slot(bus.pk, 23, starts="07:00", ends="07:40"))
    assert over.status_code == 400
    assert "至多 22 人（I-05: 确保每趟公交车乘客率不超过50%）" in over.json()["capacity"][0]
    half = commander.post("/api/venue-slots/", _slot(bus.pk, 22, starts="07:00", ends="07:40"))
    assert half.status_code == 201
