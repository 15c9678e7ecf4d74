"""Beds ahead (床位预测): the free beds of the sites and the county over the next 14 days, from the
people placed, the people waiting for a room and the measures' end dates."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from conftest import login
from fangkong.core import clock
from fangkong.quarantine.models import Placement
from fangkong.quarantine.tests.test_quarantine import SHANGHAI


def test_d01_beds_ahead_shows_the_shortfall_on_the_board_and_by_api(
    county, personas, site, managers, quarantined
):
    # given two single rooms; 李四 placed, 张三 and 王五 (central quarantine 02-01–02-15) waiting
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 2},
        content_type="application/json",
    )
    commander.post("/api/quarantine/placements/", {"site": site.pk, "people": [li.pk]},
                   content_type="application/json")  # fmt: skip
    # when: the forecast on 02-10, five days before the three are released
    with clock.frozen(dt.datetime(2022, 2, 10, 9, tzinfo=SHANGHAI)):
        forecast = commander.get("/api/quarantine/forecast/").json()
        page = commander.get(reverse("quarantine-board")).content.decode()
    # then: one bed free now, two people arriving today: short by one until 02-15
    county = forecast["county"]
    assert (county["beds"], county["occupied"], county["free_beds"], county["arriving"]) == (
        2, 1, 1, 2,
    )  # fmt: skip
    assert county["shortfall"] == "2022-02-10"
    days = {day["date"]: day for day in county["days"]}
    assert len(days) == 14
    assert days["2022-02-10"] == {
        "date": "2022-02-10", "arriving": 2, "releases": 0, "free_beds": -1,
    }  # fmt: skip
    assert days["2022-02-14"]["free_beds"] == -1
    assert days["2022-02-15"] == {
        "date": "2022-02-15", "arriving": 0, "releases": 3, "free_beds": 2,
    }  # fmt: skip
    [line, _other] = sorted(forecast["sites"], key=lambda line: line["site"] != site.pk)
    assert (line["site"], line["beds"], line["occupied"], line["arriving"]) == (site.pk, 2, 1, 0)
    assert [d["releases"] for d in line["days"] if d["releases"]] == [1]
    assert line["days"][-1]["free_beds"] == 2
    assert line["shortfall"] is None
    assert "02-10 起空余床位不足，需新开隔离点" in page
    assert "床位预测" in page
    # Before anyone waits, there is no shortfall and no message.
    commander.post(f"/api/quarantine/sites/{site.pk}/rooms/",
                   {"floor_from": 3, "floor_to": 3, "room_from": 1, "room_to": 1, "capacity": 2},
                   content_type="application/json")  # fmt: skip
    with clock.frozen(dt.datetime(2022, 2, 10, 9, tzinfo=SHANGHAI)):
        enough = commander.get("/api/quarantine/forecast/").json()["county"]
        calm = commander.get(reverse("quarantine-board")).content.decode()
    assert (enough["free_beds"], enough["shortfall"]) == (3, None)
    assert "需新开隔离点" not in calm


def test_d01_the_site_manager_sees_their_site_and_no_arrivals_the_neighbour_nothing(
    county, personas, site, managers, quarantined
):
    manager, neighbour = managers
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 1},
        content_type="application/json",
    )
    mine = login(manager).get("/api/quarantine/forecast/").json()
    assert [line["site"] for line in mine["sites"]] == [site.pk]
    assert (mine["county"]["beds"], mine["county"]["arriving"]) == (1, 0)
    theirs = login(neighbour).get("/api/quarantine/forecast/").json()
    assert site.pk not in [line["site"] for line in theirs["sites"]]
    assert theirs["county"]["beds"] == 0
    # A village's worker counts only their own people waiting (张三, 王五 of 甲村), no site.
    for user, waiting in ((personas.worker_a, 2), (personas.worker_b, 1), (personas.viewer, 0)):
        outsider = login(user).get("/api/quarantine/forecast/").json()
        assert outsider["sites"] == []
        assert outsider["county"]["arriving"] == waiting


def test_d01_the_what_if_shows_the_free_beds_and_the_shortfall_of_a_changed_plan(
    county, personas, site, quarantined
):
    # given two beds in the county and three people under central quarantine 02-01–02-15 (P14)
    commander = login(personas.commander)
    made = commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 2},
        content_type="application/json",
    )
    assert made.status_code == 201
    # when the county tries P01 (home health monitoring for them, no bed)
    page = commander.get(
        reverse("what-if"), {"unit": county.hq.pk, "pack_id": "P01-rural-winter"}
    ).content.decode()
    # then the page shows the beds, one short every day now, two free under P01
    assert "本单位各隔离点在用床位：2张。" in page
    assert "按现行方案，床位将于2022-02-01用尽。" in page
    assert "按试行方案，床位14天内够用。" in page
    # and a changed P14 (7 days) keeps the shortfall of its first week
    shorter = commander.get(
        reverse("what-if"),
        {
            "unit": county.hq.pk,
            "pack_id": "P14-school-spring-festival",
            "changes": "arrival_rules:\n  - id: risk-area\n    measures:\n"
            "      - {kind: central_quarantine, days: 7}\n",
        },
    ).content.decode()
    assert "按试行方案，床位将于2022-02-01用尽：请在此之前开设新的隔离点。" in shorter


def test_d01_the_site_managers_home_shows_their_site_the_neighbours_nothing(
    county, personas, site, managers, quarantined
):
    # given the site with four single rooms and the three quarantined placed there
    manager, neighbour = managers
    commander = login(personas.commander)
    commander.post(
        f"/api/quarantine/sites/{site.pk}/rooms/",
        {"floor_from": 2, "floor_to": 2, "room_from": 1, "room_to": 4},
        content_type="application/json",
    )
    commander.post(reverse("quarantine-placement"), {"site": site.pk, "all": "1"})
    placed = Placement.objects.filter(room__site=site, released_at__isnull=True).count()
    assert placed == 3
    # when the site manager opens the home page
    home = login(manager).get("/")
    # then their site is there with its people placed and its free bed, linked to the site page
    panel = home.content.decode().split('data-panel="sites"')[1].split("data-panel=")[0]
    assert site.name in panel
    assert reverse("quarantine-site", args=[site.pk]) in panel
    assert 'data-label="在住人数">3<' in panel
    assert 'data-label="空床">1<' in panel
    # and the other site's manager and a village worker see no panel of it
    assert site.name not in login(neighbour).get("/").content.decode()
    assert 'data-panel="sites"' not in login(personas.worker_a).get("/").content.decode()
