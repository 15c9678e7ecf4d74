"""A site's daily work on its page and API: the transfers to it (G-08), releases by conditions
(D-05, F-12), transfers to hospital, a cross-infection (D-04, H-11), the site manager's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.labs.services import result_record
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.org.models import Unit
from fangkong.people.models import Person
from fangkong.people.services import TravelInput, travel_add
from fangkong.policy.services import ReleaseFactInput, plan_assign, release_fact_record
from fangkong.policy.tests.test_measures import active, at
from fangkong.quarantine.models import Placement, Room, RoomState, Transfer, TransferKind
from fangkong.quarantine.tests.test_quarantine import managers, other_site, quarantined, site
from fangkong.tracing.models import Case
from fangkong.tracing.services import exposure_record

__all__ = ["managers", "other_site", "quarantined", "site"]

TRIP = {"vehicle": "贵A12345", "escort_name": "王医生", "escort_phone": "13800138001"}


def rooms_add(client, site: Unit, floor: int, count: int) -> None:
    made = client.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": floor, "floor_to": floor, "room_from": 1, "room_to": count},
        content_type="application/json",
    )
    assert made.status_code == 201


def place(client, site: Unit, people: list[Person]) -> None:
    placed = client.post(
        "/api/quarantine/placements/",
        {"site": site.pk, "people": [p.pk for p in people]},
        content_type="application/json",
    )
    assert placed.status_code == 201, placed.content


def test_g08_arrival_meets_the_12_hour_transfer_one_on_time_one_late(
    county: County, personas: Personas, person_a, person_b, site, managers
):
    # given two close contacts of 李四 under P01 (central quarantine, transfer within 12 h)
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    third = Person.objects.get(pk=person_b.pk)
    for person in (person_a, third):
        exposure_record(
            actor=personas.commander,
            person=person,
            kind="close_contact",
            last_exposed_at=clock.now() - dt.timedelta(hours=1),
            via=person_b if person != third else person_a,
        )
    owed = Obligation.objects.filter(kind="transfer", person__in=[person_a, third])
    assert owed.count() == 2
    due = owed.earliest("due_at").due_at
    assert due == clock.now() + dt.timedelta(hours=12)
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 3)
    place(commander, site, [person_a, third])
    manager = login(managers[0])
    page = reverse("quarantine-site", args=[site.pk])
    shown = manager.get(page).content.decode()
    assert ("待转运", "张三", "李四") == tuple(w for w in ("待转运", "张三", "李四") if w in shown)
    # when: 张三's vehicle leaves at once and arrives after 2 hours (on the page) …
    left = manager.post(page, {"action": "depart", "person": [person_a.pk], **TRIP})
    assert left.status_code == 302
    trip = Transfer.objects.get(placement__person=person_a)
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        arrived = manager.post(page, {"action": "arrive", "transfer": [trip.pk]}, follow=True)
    assert "1 人已到达，其中 0 人超过转运时限（12小时）" in arrived.content.decode()
    # … 李四's leaves after 11 hours and arrives after 13 (by API): met late
    api = f"/api/quarantine/sites/{site.pk}/"
    left_at = (due - dt.timedelta(hours=1)).isoformat()
    with clock.frozen(clock.now() + dt.timedelta(hours=13)):
        on_road = manager.post(
            api + "transfers/",
            {"people": [third.pk], **TRIP, "departed_at": left_at},
            content_type="application/json",
        )
        assert on_road.status_code == 201
        listed = manager.get(api + "transfers/").json()
        assert listed["waiting"] == []
        assert [t["name"] for t in listed["on_the_road"]] == ["李四"]
        late = manager.post(
            api + "arrivals/",
            {"transfers": [listed["on_the_road"][0]["id"]]},
            content_type="application/json",
        )
    # then
    assert late.json() == {"arrived": 1, "late": 1}
    on_time, missed = owed.get(person=person_a), owed.get(person=third)
    assert (on_time.status, missed.status) == (ObligationStatus.MET, ObligationStatus.MET)
    assert on_time.met_at is not None
    assert missed.met_at is not None
    assert on_time.met_at <= on_time.due_at < missed.met_at
    assert Transfer.objects.filter(arrived_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(object_type="transfer").count() == 4
    # A second arrival of the same trip is refused; nothing changes.
    again = manager.post(
        api + "arrivals/", {"transfers": [trip.pk]}, content_type="application/json"
    )
    assert again.status_code == 400
    assert "转运" in again.json()["transfer"][0]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"vehicle": ""}, "vehicle", "车牌"),
        ({"escort_phone": "12345"}, "escort_phone", "电话"),
        ({"escort_name": " "}, "escort_name", "陪同"),
    ],
)
def test_g08_a_trip_with_bad_input_is_refused_with_the_reason_and_writes_nothing(
    personas, site, managers, quarantined, changes, field, reason
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 3)
    place(commander, site, [li])
    manager = login(managers[0])
    refused = manager.post(
        f"/api/quarantine/sites/{site.pk}/transfers/",
        {"people": [li.pk], **TRIP, **changes},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert reason in refused.json()[field][0]
    on_page = manager.post(
        reverse("quarantine-site", args=[site.pk]),
        {"action": "depart", "person": [li.pk], **TRIP, **changes},
    )
    assert on_page.status_code == 400
    assert reason in on_page.content.decode()
    # A person not placed here, and a tampered id, are refused too.
    assert manager.post(
        f"/api/quarantine/sites/{site.pk}/transfers/",
        {"people": [li.pk, zhang.pk], **TRIP}, content_type="application/json",
    ).status_code == 400  # fmt: skip
    assert manager.post(
        reverse("quarantine-site", args=[site.pk]),
        {"action": "depart", "person": ["1 OR 1=1"], **TRIP},
    ).status_code == 400  # fmt: skip
    assert not Transfer.objects.exists()
    # The neighbouring site's manager reaches nothing of it.
    neighbour = login(managers[1])
    assert neighbour.get(f"/api/quarantine/sites/{site.pk}/transfers/").status_code == 404


def inbound(personas: Personas, county: County, person: Person) -> None:
    """P02: back from abroad — central quarantine until the three samples are negative."""
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P02-two-festivals",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    travel_add(
        actor=personas.worker_a,
        person=person,
        data=TravelInput(
            region_code="", country="KOR", place="首尔",
            start_date=dt.date(2022, 1, 20), end_date=dt.date(2022, 2, 1),
        ),
    )  # fmt: skip


def test_d05_f12_a_positive_environment_sample_blocks_the_release_on_the_site_page(
    county, personas, person_a, site, managers
):
    # given 张三 placed at the site under P02, his sample and the object's negative, the room's
    # environment sample positive
    inbound(personas, county, person_a)
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 1)
    place(commander, site, [person_a])
    room = Room.objects.get(site=site)
    manager = login(managers[0])
    page = reverse("quarantine-site", args=[site.pk])
    release = {"action": "release", "person": person_a.pk, "on": "2022-02-15", **TRIP}
    with clock.frozen(at("2022-02-15T10:00")):
        result_record(
            actor=personas.commander, person=person_a, sampled_at=at("2022-02-14T09:00"),
            positive=False,
        )  # fmt: skip
        for kind, positive in (("object", False), ("environment", True)):
            release_fact_record(
                actor=personas.commander,
                person=person_a,
                data=ReleaseFactInput(kind, dt.date(2022, 2, 14), positive),
            )
        shown = manager.get(page).content.decode()
        assert "可以解除：否，缺少：环境样本阴性" in shown
        due = manager.get(f"/api/quarantine/sites/{site.pk}/releases/").json()
        assert [(d["name"], d["allowed"], d["missing"]) for d in due] == [
            ("张三", False, ["environment_sample_negative"])
        ]
        # A release dated before the last sample is refused with it.
        early = manager.post(page, {**release, "on": "2022-02-13"})
        assert early.status_code == 400
        assert "解除日期早于最后一次检测（2022-02-14）" in early.content.decode()
        # when the site releases him
        refused = manager.post(page, release)
        refused_api = manager.post(
            f"/api/quarantine/sites/{site.pk}/releases/",
            {**release, "on": "2022-02-15"},
            content_type="application/json",
        )
    # then it is refused with what is missing, and nothing is written
    assert refused.status_code == 400
    assert "环境样本阴性" in refused.content.decode()
    assert refused_api.status_code == 400
    assert active(person_a) == [("central_quarantine", "2022-02-01", "")]
    assert Placement.objects.get(person=person_a).released_at is None
    assert not Transfer.objects.filter(kind=TransferKind.HOME).exists()
    # A new environment sample negative: released, transferred home, 7 days' home monitoring.
    with clock.frozen(at("2022-02-16T10:00")):
        release_fact_record(
            actor=personas.commander,
            person=person_a,
            data=ReleaseFactInput("environment", dt.date(2022, 2, 16), False),
        )
        assert "可以解除：是" in manager.get(page).content.decode()
        done = manager.post(page, {**release, "on": "2022-02-16"})
    assert done.status_code == 302
    assert active(person_a) == [("home_health_monitoring", "2022-02-16", "2022-02-23")]
    home = Transfer.objects.get(kind=TransferKind.HOME)
    assert (home.placement.person_id, home.vehicle) == (person_a.pk, "贵A12345")
    room.refresh_from_db()
    assert room.state == RoomState.TO_DISINFECT
    # Out of the site, out of the site manager's sight.
    assert manager.get(reverse("person-detail", args=[person_a.pk])).status_code == 404


def test_a_fever_at_the_site_sends_the_person_to_hospital_and_reports_a_case(
    personas, site, managers, quarantined
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 2)
    place(commander, site, [li])
    manager = login(managers[0])
    bad = manager.post(
        f"/api/quarantine/sites/{site.pk}/hospital/",
        {"person": li.pk, "reason": "boredom", **TRIP},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert not Case.objects.exists()
    sent = manager.post(
        reverse("quarantine-site", args=[site.pk]),
        {"action": "hospital", "person": li.pk, "reason": "fever", **TRIP},
    )
    assert sent.status_code == 302
    case = Case.objects.get()
    assert (case.person_id, case.kind) == (li.pk, "suspected")
    assert Placement.objects.get(person=li).released_at is not None
    assert Room.objects.get(site=site, number="201").state == RoomState.TO_DISINFECT
    assert Transfer.objects.get().kind == TransferKind.TO_HOSPITAL
    # The case decides what follows: he waits for no room again.
    assert li.pk not in [p["id"] for p in commander.get("/api/quarantine/unplaced/").json()]


def test_d04_h11_cross_infection_on_a_floor_restarts_the_count_of_the_people_there(
    personas, site, managers, quarantined
):
    # given 张三 and 王五 (a household) on floor 3, 李四 on floor 2; P14: 14 days from 02-01
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 3, "floor_to": 3, "room_from": 1, "room_to": 1, "capacity": 2},
        content_type="application/json",
    )
    rooms_add(commander, site, 2, 1)
    place(commander, site, [zhang, wang, li])
    assert Placement.objects.get(person=li).room.floor == 2
    manager = login(managers[0])
    page = reverse("quarantine-site", args=[site.pk])
    before = active(zhang)
    with clock.frozen(at("2022-02-05T12:00")):
        # Bad input is refused with the reason, nothing restarted.
        future = manager.post(page, {"action": "cross_infection", "on": "2022-02-07"})
        nobody = manager.post(page, {"action": "cross_infection", "on": "2022-02-05", "floor": 9})
        assert (future.status_code, nobody.status_code) == (400, 400)
        assert "2022-02-07" in future.content.decode()
        assert "9 层" in nobody.content.decode()
        assert active(zhang) == before
        # when the manager marks floor 2 from 02-05
        marked = manager.post(
            page, {"action": "cross_infection", "on": "2022-02-05", "floor": 2}, follow=True
        )
    # then only 李四's count restarts, from that day
    assert "已为该隔离点1人重新计算隔离期" in marked.content.decode()
    assert active(li)[0] == ("central_quarantine", "2022-02-05", "2022-02-19")
    assert active(zhang) == before
    assert AuditEvent.objects.filter(object_type="quarantine_site").count() == 1
    # The whole site by API; the neighbouring manager may not.
    neighbour = login(managers[1])
    url = f"/api/quarantine/sites/{site.pk}/cross-infection/"
    with clock.frozen(at("2022-02-06T12:00")):
        assert neighbour.post(url, {"on": "2022-02-06"}, "application/json").status_code == 404
        whole = manager.post(url, {"on": "2022-02-06"}, "application/json")
    assert whole.json() == {"count": 3}
    assert active(zhang)[0] == ("central_quarantine", "2022-02-06", "2022-02-20")


def test_a_site_manager_sees_the_people_placed_at_the_site_and_nothing_else(
    county, personas, site, other_site, managers, quarantined
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 1)
    place(commander, site, [li])
    manager, neighbour = (login(user) for user in managers)
    # The person placed here: the page with a masked ID and the measures.
    shown = manager.get(reverse("person-detail", args=[li.pk]))
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "李四" in text
    assert "集中隔离" in text
    assert make_resident_id(sequence="022") not in text
    register = manager.get("/api/people/").json()
    assert [p["name"] for p in register["results"]] == ["李四"]
    # Nobody else of the register, and the neighbouring site's manager not even him.
    assert manager.get(reverse("person-detail", args=[zhang.pk])).status_code == 404
    assert manager.get(f"/api/people/{zhang.pk}/").status_code == 404
    assert neighbour.get(reverse("person-detail", args=[li.pk])).status_code == 404
    assert neighbour.get("/api/people/").json()["results"] == []
