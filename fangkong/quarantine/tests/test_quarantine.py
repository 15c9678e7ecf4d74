"""Quarantine sites: rooms in bulk, placement in rooms, release freeing the room, the board."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import County, Personas, login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.org.models import Unit
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, TravelInput, person_create, travel_add
from fangkong.policy.models import Measure, MeasureStatus
from fangkong.quarantine.models import Placement, Room, RoomState

SHANGHAI = ZoneInfo("Asia/Shanghai")


def site_create(personas: Personas, county: County, code: str, name: str) -> Unit:
    return unit_create(
        actor=personas.commander,
        code=code,
        name=name,
        kind="quarantine_site",
        region=county.hq.region,
        parent=county.hq,
    )


@pytest.fixture
def site(personas: Personas, county: County) -> Unit:
    return site_create(personas, county, "QS1", "白云区集中隔离点（某酒店）")


@pytest.fixture
def other_site(personas: Personas, county: County) -> Unit:
    return site_create(personas, county, "QS2", "另一隔离点")


@pytest.fixture
def managers(site: Unit, other_site: Unit):
    return (
        make_user("site-manager", Role.SITE_MANAGER, site),
        make_user("other-manager", Role.SITE_MANAGER, other_site),
    )


def came_back(person: Person, actor) -> None:
    travel_add(
        actor=actor,
        person=person,
        data=TravelInput(
            region_code="210211",
            country="",
            place="",
            start_date=dt.date(2022, 1, 25),
            end_date=dt.date(2022, 2, 1),
        ),
    )


@pytest.fixture
def quarantined(county, personas, person_a, person_b, django_capture_on_commit_callbacks):
    """张三, 王五 (household H1 of 甲村) and 李四 (乙村): central quarantine 02-01–02-15."""
    commander = login(personas.commander)
    with django_capture_on_commit_callbacks(execute=True):
        commander.post(
            reverse("plan-assign"),
            {
                "unit": county.hq.pk,
                "pack_id": "P14-school-spring-festival",
                "start_date": "2022-01-01",
            },
        )
        commander.post(
            reverse("risk-area-list"),
            {"region": "210211", "level": "high", "start_date": "2022-01-20", "source": "公告"},
        )
    wang = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="王五",
            id_type="resident",
            id_number=make_resident_id(sequence="033"),
            unit=county.grid_a,
            household_code="H1",
            categories=["resident"],
        ),
    )
    for person, worker in ((person_a, personas.worker_a), (wang, personas.worker_a)):
        came_back(person, worker)
    came_back(person_b, personas.worker_b)
    return person_a, wang, person_b


def rooms(site: Unit) -> list[tuple[str, int, str]]:
    return list(
        Room.objects.filter(site=site).order_by("number").values_list("number", "capacity", "state")
    )


def test_rooms_in_bulk_on_the_site_page_and_by_api_the_neighbour_sees_nothing(
    site, other_site, managers
):
    manager, neighbour = managers
    page = login(manager)
    # when: "floors 2–3, rooms 01–02" on the page, and floor 5's rooms 1–3 of two beds by API
    added = page.post(
        reverse("quarantine-site", args=[site.pk]),
        {"action": "rooms", "floor_from": 2, "floor_to": 3, "room_from": 1, "room_to": 2,
         "capacity": 1},
    )  # fmt: skip
    assert added.status_code == 302
    made = page.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 5, "floor_to": 5, "room_from": 1, "room_to": 3, "capacity": 2},
        content_type="application/json",
    )
    # then
    assert made.status_code == 201
    assert made.json() == {"created": 3}
    assert rooms(site) == [
        ("201", 1, "free"), ("202", 1, "free"), ("301", 1, "free"), ("302", 1, "free"),
        ("501", 2, "free"), ("502", 2, "free"), ("503", 2, "free"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(object_type="room", unit_id=site.pk).count() == 2
    shown = page.get(reverse("quarantine-site", args=[site.pk])).content.decode()
    assert shown.count('data-testid="room"') == 7
    # A block overlapping rooms that exist is refused whole.
    again = page.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 3, "floor_to": 4, "room_from": 1, "room_to": 1},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert "301" in again.json()["rooms"][0]
    assert Room.objects.filter(site=site).count() == 7
    # The neighbouring site's manager sees nothing of this site and changes nothing.
    other = login(neighbour)
    assert other.get(reverse("quarantine-site", args=[site.pk])).status_code == 404
    assert other.get(f"/api/quarantine/sites/{site.pk}/").status_code == 404
    denied = other.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 9, "floor_to": 9, "room_from": 1, "room_to": 1},
        content_type="application/json",
    )
    assert denied.status_code == 404
    room = Room.objects.get(site=site, number="201")
    assert (
        other.post(
            f"/api/quarantine/rooms/{room.pk}/state/", {"state": "out_of_service"}
        ).status_code
        == 404
    )
    board = other.get("/api/quarantine/board/").json()
    assert [line["name"] for line in board["sites"]] == ["另一隔离点"]
    assert Room.objects.filter(site=site).count() == 7
    assert rooms(site)[0] == ("201", 1, "free")


@pytest.mark.parametrize(
    "data",
    [
        {"action": "rooms", "floor_from": "x", "floor_to": 2, "room_from": 1, "room_to": 2,
         "capacity": 1},
        {"action": "rooms", "floor_from": 3, "floor_to": 2, "room_from": 1, "room_to": 2,
         "capacity": 1},
        {"action": "rooms", "floor_from": 1, "floor_to": 2, "room_from": 1, "room_to": 2,
         "capacity": 99},
        {"action": "state", "room": "1;DROP", "state": "free"},
        {"action": "explode"},
    ],
)  # fmt: skip
def test_tampered_room_forms_are_refused_and_write_nothing(site, managers, data):
    response = login(managers[0]).post(reverse("quarantine-site", args=[site.pk]), data)
    # a form that cannot be read answers 400; a rule broken comes back with the reason
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        follow = login(managers[0]).get(response["Location"])
        assert follow.status_code == 200
    assert not Room.objects.exists()


def test_g08_placing_all_keeps_households_together_and_names_the_site(
    county, personas, site, quarantined
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 2, "capacity": 1},
        content_type="application/json",
    )
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 3, "floor_to": 3, "room_from": 1, "room_to": 1, "capacity": 2},
        content_type="application/json",
    )
    waiting = commander.get(reverse("quarantine-placement"))
    assert waiting.status_code == 200
    assert "3 人" in waiting.content.decode() or "3" in waiting.content.decode()
    assert [p["name"] for p in commander.get("/api/quarantine/unplaced/").json()] == [
        "张三", "王五", "李四",
    ]  # fmt: skip
    # when
    placed = commander.post(reverse("quarantine-placement"), {"site": site.pk, "all": "1"})
    # then: the household shares the two-bed room, the other person has a single room
    assert placed.status_code == 302
    room_of = dict(Placement.objects.values_list("person_id", "room__number"))
    assert room_of == {zhang.pk: "301", wang.pk: "301", li.pk: "201"}
    assert rooms(site) == [("201", 1, "occupied"), ("202", 1, "free"), ("301", 2, "occupied")]
    assert set(
        Measure.objects.filter(status=MeasureStatus.ACTIVE, kind="central_quarantine").values_list(
            "site_id", flat=True
        )
    ) == {site.pk}
    assert AuditEvent.objects.get(object_type="placement").summary.startswith("3")
    assert commander.get("/api/quarantine/unplaced/").json() == []
    # The board: three people, one free bed, releases on 02-15 (day 15 of the 14 ahead).
    board = commander.get(f"/api/quarantine/sites/{site.pk}/").json()
    assert board["total"]["rooms"] == {
        "free": 1, "occupied": 2, "to_disinfect": 0, "out_of_service": 0,
    }  # fmt: skip
    assert (board["total"]["people"], board["total"]["beds"], board["total"]["free_beds"]) == (
        3,
        4,
        1,
    )
    assert {"date": "2022-02-14", "people": 0} in board["releases"]
    with clock.frozen(dt.datetime(2022, 2, 10, 9, tzinfo=SHANGHAI)):
        ahead = commander.get("/api/quarantine/board/").json()["releases"]
    assert {"date": "2022-02-15", "people": 3} in ahead
    # Placing again: nobody is waiting, nothing is written.
    again = commander.post("/api/quarantine/placements/", {"site": site.pk, "all": True},
                           content_type="application/json")  # fmt: skip
    assert again.status_code == 400
    assert Placement.objects.count() == 3


def test_placement_refused_whole_when_the_rooms_run_out_or_a_person_is_not_mine(
    county, personas, site, quarantined
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 2},
        content_type="application/json",
    )
    short = commander.post(
        "/api/quarantine/placements/", {"site": site.pk, "all": True},
        content_type="application/json",
    )  # fmt: skip
    assert short.status_code == 400
    assert "1" in short.json()["site"][0]
    assert not Placement.objects.exists()
    assert rooms(site) == [("201", 1, "free"), ("202", 1, "free")]
    # 甲村's worker may not place 乙村's person (nor manages the site).
    worker = login(personas.worker_a)
    assert worker.post(
        "/api/quarantine/placements/", {"site": site.pk, "people": [li.pk]},
        content_type="application/json",
    ).status_code == 404  # fmt: skip
    assert worker.get(reverse("quarantine-placement")).status_code == 403
    assert worker.get(reverse("quarantine-board")).status_code == 403
    # A tampered or unknown id is refused.
    assert commander.post(
        "/api/quarantine/placements/", {"site": site.pk, "people": ["x"]},
        content_type="application/json",
    ).status_code == 400  # fmt: skip
    assert commander.post(
        reverse("quarantine-placement"), {"site": site.pk, "person": ["1 OR 1=1"]}
    ).status_code == 400  # fmt: skip
    unknown = commander.post(
        "/api/quarantine/placements/", {"site": site.pk, "people": [li.pk, 999999]},
        content_type="application/json",
    )  # fmt: skip
    assert unknown.status_code == 400
    assert not Placement.objects.exists()
    # The ticked one is placed.
    one = commander.post(reverse("quarantine-placement"), {"site": site.pk, "person": [li.pk]})
    assert one.status_code == 302
    assert list(Placement.objects.values_list("person_id", flat=True)) == [li.pk]


def test_d05_release_leaves_the_room_to_be_disinfected_then_free_from_the_site_page(
    county, personas, site, managers, quarantined
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 3},
        content_type="application/json",
    )
    commander.post("/api/quarantine/placements/", {"site": site.pk, "people": [li.pk]},
                   content_type="application/json")  # fmt: skip
    room = Placement.objects.get(person=li).room
    # when: released once the measures are over (P14: 14 days' home monitoring after the site),
    # through the release page
    with clock.frozen(dt.datetime(2022, 3, 1, 10, tzinfo=SHANGHAI)):
        released = login(personas.worker_b).post(
            reverse("person-release", args=[li.pk]), {"on": "2022-03-01"}
        )
    # then
    assert released.status_code == 302
    room.refresh_from_db()
    assert room.state == RoomState.TO_DISINFECT
    assert Placement.objects.get(person=li).released_at is not None
    manager = login(managers[0])
    page = manager.get(reverse("quarantine-site", args=[site.pk])).content.decode()
    assert "待消杀" in page
    # An occupied or to-be-disinfected room cannot be taken out of service.
    refused = manager.post(f"/api/quarantine/rooms/{room.pk}/state/", {"state": "out_of_service"})
    assert refused.status_code == 400
    done = manager.post(
        reverse("quarantine-site", args=[site.pk]),
        {"action": "state", "room": room.pk, "state": "free"},
    )
    assert done.status_code == 302
    room.refresh_from_db()
    assert room.state == RoomState.FREE
    assert AuditEvent.objects.filter(object_type="room", object_id=str(room.pk)).count() == 1


def test_the_board_pages_open_for_the_site_manager_and_the_county_only(
    county, personas, site, managers
):
    manager, neighbour = managers
    for user in (manager, personas.commander):
        board = login(user).get(reverse("quarantine-board"))
        assert board.status_code == 200
        assert "白云区集中隔离点（某酒店）" in board.content.decode()
        assert "隔离点" in board.content.decode()
    assert (
        "白云区集中隔离点（某酒店）"
        not in login(neighbour).get(reverse("quarantine-board")).content.decode()
    )
    for user in (personas.worker_a, personas.viewer, personas.lab):
        assert login(user).get(reverse("quarantine-board")).status_code == 403
        assert login(user).get("/api/quarantine/board/").json()["sites"] == []
