"""G-08 on PostgreSQL: two placements at once, each on its own connection, never put two people in
a single room nor one person in two rooms (SQLite has one writer: these run on PostgreSQL only)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.models import Count
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import TODAY, Personas
from fangkong.core import clock
from fangkong.org.models import Unit
from fangkong.quarantine.models import Placement, Room
from fangkong.quarantine.services import rooms_create
from fangkong.quarantine.tests.test_quarantine import site_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two writers at once need PostgreSQL"
    ),
]


def _place_at_once(personas: Personas, bodies: list[dict[str, object]]) -> list[int]:
    token = Token.objects.create(user=personas.commander).key
    start = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def place(body: dict[str, object]) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        client.raise_request_exception = False  # a crash is a 500 to count, as a user sees it
        try:
            with clock.frozen(TODAY):
                start.wait(timeout=30)
                statuses.append(
                    client.post("/api/quarantine/placements/", body, "json").status_code
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def _single_rooms(personas: Personas, site: Unit, count: int) -> None:
    rooms_create(actor=personas.commander, site=site, floors=(1, 1), rooms=(1, count), capacity=1)


def _no_room_over_capacity() -> None:
    held = Counter(
        dict(
            Placement.objects.filter(released_at__isnull=True)
            .values_list("room_id")
            .annotate(Count("id"))
            .order_by()
        )
    )
    capacity = dict(Room.objects.values_list("pk", "capacity"))
    assert all(people <= capacity[room] for room, people in held.items()), held


def test_g08_two_placements_at_once_into_two_single_rooms_fill_each_once(
    county, personas, quarantined
):
    # given two single rooms; 张三 and 王五 (one household) and 李四 waiting
    zhang, wang, li = quarantined
    site = site_create(personas, county, "QS1", "隔离点一")
    _single_rooms(personas, site, 2)
    # when two sessions place them at the same moment
    statuses = _place_at_once(
        personas,
        [{"site": site.pk, "people": [zhang.pk, wang.pk]}, {"site": site.pk, "people": [li.pk]}],
    )
    # then: one placement took its rooms, the other was refused whole (two rooms, three people)
    assert statuses == [201, 400]
    _no_room_over_capacity()
    assert Placement.objects.count() in (1, 2)
    assert Room.objects.filter(state="occupied").count() == Placement.objects.count()


def test_g08_the_same_people_placed_at_two_sites_at_once_are_placed_once(
    county, personas, quarantined
):
    # given two sites of three single rooms each
    sites = [site_create(personas, county, f"QS{n}", f"隔离点{n}") for n in (1, 2)]
    for site in sites:
        _single_rooms(personas, site, 3)
    # when two sessions place everyone waiting, one at each site, at the same moment
    statuses = _place_at_once(personas, [{"site": site.pk, "all": True} for site in sites])
    # then: everyone is in one room of one site; the other placement found nobody waiting
    assert statuses == [201, 400]
    assert Placement.objects.count() == 3
    assert Placement.objects.values("room__site").distinct().count() == 1
    _no_room_over_capacity()
