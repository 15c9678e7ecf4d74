"""I-16 on PostgreSQL: 200 bookings fired at once at a slot of N places take exactly N of them,
never one more (SQLite has one writer: these run on PostgreSQL only).

The bookings come from 40 sessions, each on its own connection, released together: a PostgreSQL
server takes 100 connections by default, shared with whatever else runs beside the test."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import TODAY, Personas
from fangkong.core import clock
from fangkong.movement.models import Reservation, VenueSlot
from fangkong.movement.reservations import venue_slot_create
from fangkong.people.models import Person
from fangkong.tracing.venues import venue_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="writers at once need PostgreSQL"),
]

BOOKINGS = 200
SESSIONS = 40
PLACES = 37


def test_i16_200_bookings_at_once_fill_a_slot_of_n_places_exactly(county, personas: Personas):
    # given a museum slot of 37 places and 200 people of village A
    museum = venue_create(
        actor=personas.commander, unit=county.village_a, kind="culture", name="县博物馆"
    )
    slot = venue_slot_create(
        actor=personas.commander,
        venue=museum,
        day=dt.date(2022, 2, 2),
        starts_at=dt.time(9),
        ends_at=dt.time(10),
        capacity=PLACES,
    )
    people = Person.objects.bulk_create(
        Person(name=f"预约{n}", id_type="resident", id_hash=f"concurrent-{n}", id_cipher=b"",
               unit=county.grid_a)
        for n in range(BOOKINGS)
    )  # fmt: skip
    token = Token.objects.create(user=personas.commander).key
    start = threading.Barrier(SESSIONS)
    statuses: list[int] = []

    def book(person_ids: list[int]) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        client.raise_request_exception = False  # a crash is a 500 to count, as a user sees it
        try:
            with clock.frozen(TODAY):
                start.wait(timeout=60)
                for person_id in person_ids:
                    response = client.post(
                        f"/api/venue-slots/{slot.pk}/book/", {"person": person_id}
                    )
                    statuses.append(response.status_code)
        finally:
            connections.close_all()

    # when 40 sessions fire the 200 bookings at the same moment
    ids = [person.pk for person in people]
    threads = [threading.Thread(target=book, args=(ids[n::SESSIONS],)) for n in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly 37 succeed, the others are told the slot is full
    assert sorted(statuses) == [201] * PLACES + [400] * (BOOKINGS - PLACES)
    assert VenueSlot.objects.get().booked == PLACES
    assert Reservation.objects.count() == PLACES
