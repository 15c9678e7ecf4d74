"""Booking a time slot without an account (issue 16, item 5; O-04: 需到大厅的业务预约办理, I-20
不见面; I-16 museums by reservation): the venue's link or QR code, its page and its API, the
booking code that cancels, refusals that name the field; and what the venue's keeper reads of
the bookers (masked unless the keeper may see them)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.movement import reservations
from fangkong.movement.models import Reservation, VenueSlot
from fangkong.movement.reservations import (
    reservation_book,
    venue_link_token,
    venue_slot_create,
)
from fangkong.movement.services import returnee_link_token
from fangkong.policy import packs
from fangkong.policy.services import plan_assign
from fangkong.tracing.venues import venue_create

pytestmark = pytest.mark.django_db

TOMORROW = dt.date(2022, 2, 2)
BOOKER = {"name": "王五", "phone": "13600136000"}


@pytest.fixture
def hall(county, personas):
    """The township's social-security hall under P07, by appointment (O-04)."""
    plan_assign(actor=personas.commander, unit=county.hq, pack_id="P07-social-security",
                start_date=dt.date(2022, 1, 1), end_date=None)  # fmt: skip
    return venue_create(actor=personas.commander, unit=county.township, kind="service_hall",
                        name="社保服务大厅")  # fmt: skip


def _slot(venue, user, capacity=2, day=TOMORROW, starts=dt.time(9), ends=dt.time(10)):
    return venue_slot_create(actor=user, venue=venue, day=day, starts_at=starts, ends_at=ends,
                             capacity=capacity)  # fmt: skip


def _page(venue) -> str:
    return reverse("venue-booking", args=[venue_link_token(venue)])


def _api(venue) -> str:
    return f"/api/bookings/{venue_link_token(venue)}/"


def test_o04_i20_p07_the_public_books_a_hall_slot_by_its_link_and_cancels_it_by_the_code(
    hall, personas
):
    # given a slot of the hall tomorrow morning, with two places
    slot = _slot(hall, personas.commander)
    visitor = Client()
    # when a member of the public opens the hall's link on their phone
    page = visitor.get(_page(hall))
    # then the hall and its free slot show, in Chinese
    text = page.content.decode()
    assert page.status_code == 200
    assert "预约到访 · 社保服务大厅" in text
    assert "09:00–10:00" in text
    assert "余2个名额" in text
    # when they book it with their name and phone
    page = visitor.post(_page(hall), {"action": "book", "slot": slot.pk, **BOOKER})
    # then the answer is the booking with its code, and the place is taken
    assert page.status_code == 200
    booked = Reservation.objects.get()
    assert (booked.name, booked.phone, booked.person) == ("王五", "13600136000", None)
    assert booked.code in page.content.decode()
    assert "2022-02-02 09:00–10:00" in page.content.decode()
    assert VenueSlot.objects.get().booked == 1
    # and the booking is audited without the booker's name or phone
    event = AuditEvent.objects.get(object_type="reservation")
    assert event.actor is None
    assert event.unit_id == hall.unit_id
    assert "王五" not in event.summary
    assert "13600136000" not in str(event.summary) + str(event.changes)
    # when they cancel it with the code, typed in lower case
    page = visitor.post(_page(hall), {"action": "cancel", "code": booked.code.lower()})
    # then the place is free again and the cancellation audited
    assert page.status_code == 200
    assert "预约已取消" in page.content.decode()
    assert Reservation.objects.get().cancelled_at is not None
    assert VenueSlot.objects.get().booked == 0
    assert AuditEvent.objects.filter(object_type="reservation").count() == 2
    # and the code cancels it only once
    again = visitor.post(_page(hall), {"action": "cancel", "code": booked.code})
    assert again.status_code == 400
    assert "该预约已取消" in again.content.decode()


def test_o04_i20_p07_the_public_books_and_cancels_through_the_api(hall, personas):
    slot = _slot(hall, personas.commander, capacity=1)
    later = _slot(hall, personas.commander, starts=dt.time(10), ends=dt.time(11))
    public = APIClient()
    # the venue and its free slots, without an account
    shown = public.get(_api(hall)).json()
    assert shown["venue"] == "社保服务大厅"
    assert [(s["id"], s["places_left"]) for s in shown["slots"]] == [(slot.pk, 1), (later.pk, 2)]
    # a booking answers with its code
    response = public.post(_api(hall), {"slot": slot.pk, **BOOKER}, format="json")
    assert response.status_code == 201
    code = response.json()["code"]
    assert response.json()["starts_at"] == "09:00:00"
    assert Reservation.objects.get().code == code
    # the full slot leaves the list and refuses the next booking
    assert [s["id"] for s in public.get(_api(hall)).json()["slots"]] == [later.pk]
    full = public.post(_api(hall), {"slot": slot.pk, "name": "赵六", "phone": "13700137000"})
    assert full.status_code == 400
    assert full.json()["slot"] == ["该时段已约满。"]
    # the same phone books a slot once
    twice = public.post(_api(hall), {"slot": later.pk, **BOOKER})
    assert twice.status_code == 201
    again = public.post(_api(hall), {"slot": later.pk, **BOOKER})
    assert again.status_code == 400
    assert again.json()["phone"] == ["该手机号已预约本时段。"]
    # a wrong code cancels nothing; the right one frees the place
    wrong = public.post(_api(hall) + "cancel/", {"code": "AAAAAAAA"})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == ["本场所没有这个预约码的预约。"]
    cancelled = public.post(_api(hall) + "cancel/", {"code": code})
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_at"] is not None
    assert VenueSlot.objects.get(pk=slot.pk).booked == 0
    assert VenueSlot.objects.get(pk=later.pk).booked == 1


@pytest.mark.parametrize(
    ("case", "field", "reason"),
    [
        ("full", "slot", "该时段已约满。"),
        ("past", "slot", "该时段已结束。"),
        ("other venue", "slot", "该场所没有这个时段。"),
        ("not a number", "slot", "该场所没有这个时段。"),
        ("bad phone", "phone", "不是有效的电话号码"),
        ("no name", "name", "请填写姓名，不超过50个字。"),
    ],
)
def test_o04_i16_bad_bookings_are_refused_naming_the_field_and_the_form_keeps_what_was_typed(
    hall, county, personas, person_a, case, field, reason
):
    # given a full slot, one over today, a slot of another venue
    open_slot = _slot(hall, personas.commander)
    full = _slot(hall, personas.commander, capacity=1, starts=dt.time(11), ends=dt.time(12))
    reservation_book(actor=personas.commander, slot=full, person=person_a)
    over = _slot(hall, personas.commander, day=dt.date(2022, 2, 1))  # 09:00, it is 18:00
    museum = venue_create(actor=personas.commander, unit=county.village_a, kind="culture",
                          name="甲村文化馆")  # fmt: skip
    elsewhere = _slot(museum, personas.commander)
    slot = {"full": full.pk, "past": over.pk, "other venue": elsewhere.pk,
            "not a number": "abc"}.get(case, open_slot.pk)  # fmt: skip
    typed = {
        "slot": slot,
        "name": "" if case == "no name" else "王五",
        "phone": "12345" if case == "bad phone" else "13600136000",
    }
    before = list(VenueSlot.objects.order_by("pk").values_list("booked", flat=True))
    # when it is booked on the page
    page = Client().post(_page(hall), {"action": "book", **typed})
    # then the reason names the field, the form keeps what was typed, nothing is written
    assert page.status_code == 400
    text = page.content.decode()
    assert f'data-field="{field}"' in text
    assert reason in text
    if typed["name"]:
        assert 'value="王五"' in text
    assert f'value="{typed["phone"]}"' in text
    assert Reservation.objects.filter(code__gt="").count() == 0
    assert list(VenueSlot.objects.order_by("pk").values_list("booked", flat=True)) == before
    # and the API refuses it alike
    if case != "not a number":
        response = APIClient().post(_api(hall), typed, format="json")
        assert response.status_code == 400
        assert reason in response.json()[field][0]


def test_o04_a_forged_link_opens_nothing_and_the_link_is_rate_limited(hall, personas, monkeypatch):
    slot = _slot(hall, personas.commander)
    forged = venue_link_token(hall)[:-2] + "xx"
    assert Client().get(reverse("venue-booking", args=[forged])).status_code == 404
    assert APIClient().get(f"/api/bookings/{forged}/").status_code == 404
    # nor does the returnee link of the hall's unit
    returnee = returnee_link_token(hall.unit)
    assert Client().get(reverse("venue-booking", args=[returnee])).status_code == 404
    monkeypatch.setattr(reservations, "BOOKING_RATE", 1)
    booking = {"action": "book", "slot": slot.pk, **BOOKER}
    assert Client().post(_page(hall), booking).status_code == 200
    assert Client().post(_page(hall), booking).status_code == 429
    assert APIClient().post(_api(hall), booking).status_code == 429
    assert Reservation.objects.count() == 1


def test_o04_the_keeper_shows_the_link_and_qr_code_and_reads_bookers_it_may_not_see_masked(
    county, personas, person_a
):
    # given village B's museum, where the commander booked 张三 of village A, and a visitor
    # booked through the link
    museum = venue_create(actor=personas.worker_b, unit=county.village_b, kind="culture",
                          name="乙村文化馆")  # fmt: skip
    slot = _slot(museum, personas.worker_b)
    reservation_book(actor=personas.commander, slot=slot, person=person_a)
    Client().post(_page(museum), {"action": "book", "slot": slot.pk, **BOOKER})
    # when village B's worker opens the museum's page
    page = login(personas.worker_b).get(
        reverse("venue-slots", args=[museum.pk]), {"day": "2022-02-02"}
    )
    text = page.content.decode()
    # then the link and its QR code show, and the link opens the museum's booking page
    link = re.search(r'value="http://testserver(/b/[^"/]+/)"', text)
    assert link is not None
    assert "<svg" in text
    assert "预约到访 · 乙村文化馆" in Client().get(link.group(1)).content.decode()
    # and 张三 (village A's, out of the worker's sight) is masked, the visitor is not
    assert "张三" not in text
    assert "13800138000" not in text
    assert "张*" in text
    assert "138****8000" in text
    assert "王五" in text
    assert "13600136000" in text
    # and the API reads the same
    api = APIClient()
    api.force_authenticate(personas.worker_b)
    rows = api.get("/api/reservations/").json()["results"]
    assert sorted(
        (row["name"], row["phone"], row["person"], row["through_link"]) for row in rows
    ) == [("张*", "138****8000", None, False), ("王五", "13600136000", None, True)]
    # while the commander, who may see 张三, reads them in full
    api.force_authenticate(personas.commander)
    names = {row["name"] for row in api.get("/api/reservations/").json()["results"]}
    assert names == {"张三", "王五"}


@pytest.fixture
def real_name_hall(county, personas, tmp_path, monkeypatch):
    """A county's own plan: P07's hall by appointment, booked by real name (实名预约)."""
    shutil.copy(packs.POLICIES_DIR / "P07-social-security.yaml", tmp_path)
    (tmp_path / "X07-real-name.yaml").write_text(
        "id: X07-real-name\nextends: P07-social-security\n"
        "source: {plan: P07, line: 265, title: 县方案}\n"
        "venue_limits:\n  - {id: hall-by-appointment, real_name: true}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(packs, "POLICIES_DIR", tmp_path)
    packs.packs_all.cache_clear()
    plan_assign(actor=personas.commander, unit=county.hq, pack_id="X07-real-name",
                start_date=dt.date(2022, 1, 1), end_date=None)  # fmt: skip
    yield venue_create(actor=personas.commander, unit=county.township, kind="service_hall",
                       name="社保服务大厅")  # fmt: skip
    packs.packs_all.cache_clear()
    packs.symptoms_known.cache_clear()


def test_o04_a_hall_booked_by_real_name_finds_or_registers_the_booker_by_id_number(
    real_name_hall, county, personas, person_a
):
    hall = real_name_hall
    slot = _slot(hall, personas.commander, capacity=5)
    visitor = Client()
    # the page asks for the ID number
    assert "本场所实行实名预约" in visitor.get(_page(hall)).content.decode()
    # without it, or with a wrong one, the booking is refused naming it; nothing is written
    newcomer = make_resident_id(sequence="088")
    for number in ("", newcomer[:-1] + ("0" if newcomer[-1] != "0" else "1")):
        page = visitor.post(
            _page(hall), {"action": "book", "slot": slot.pk, **BOOKER, "id_number": number}
        )
        assert page.status_code == 400
        assert 'data-field="id_number"' in page.content.decode()
        assert 'value="王五"' in page.content.decode()
        if number:
            assert number not in page.content.decode()
    assert not Reservation.objects.exists()
    assert VenueSlot.objects.get().booked == 0
    # with it, the newcomer is registered in the hall's unit and holds the place
    page = visitor.post(
        _page(hall), {"action": "book", "slot": slot.pk, **BOOKER, "id_number": newcomer}
    )
    assert page.status_code == 200
    assert newcomer not in page.content.decode()
    booked = Reservation.objects.get()
    person = booked.person
    assert person is not None
    assert (person.name, person.unit, booked.name) == ("王五", county.township, "")
    # and 张三's ID number (conftest's person_a) books 张三, whose name the answer does not give
    ZHANG_ID = make_resident_id(sequence="011")  # noqa: N806 - a constant of the test
    api = APIClient().post(
        _api(hall),
        {"slot": slot.pk, "name": "某人", "phone": "13500135000", "id_number": ZHANG_ID},
        format="json",
    )
    assert api.status_code == 201
    assert "张三" not in api.content.decode()
    assert Reservation.objects.get(code=api.json()["code"]).person == person_a
    # but not twice
    again = APIClient().post(
        _api(hall),
        {"slot": slot.pk, "name": "某人", "phone": "13500135000", "id_number": ZHANG_ID},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["id_number"] == ["此人已预约该时段。"]
    assert VenueSlot.objects.get().booked == 2
    # no ID number reaches the audit trail
    summaries = " ".join(str(e.summary) + str(e.changes) for e in AuditEvent.objects.all())
    assert newcomer not in summaries
    assert ZHANG_ID not in summaries
