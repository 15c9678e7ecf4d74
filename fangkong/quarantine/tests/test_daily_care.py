"""A site's daily care (item 3 of the quarantine issue): temperatures and symptoms on a floor
screen through monitoring's check-ins (D-06), who is not checked in the slot due now, meals and
needs noted, a fever going to hospital (D-06), the tests the plan owes at the site met by samples
(D-12), a secondary contact upgraded at the site at once (D-12, H-04), an enterprise's close
contact observed at the site for 14 days and released on the headquarters' consent (B-19, D-06)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError
from django.urls import reverse

from conftest import login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.labs.services import result_record
from fangkong.monitoring.models import Checkin, FeverEvent
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.policy.models import Measure, MeasureStatus
from fangkong.policy.services import ReleaseFactInput, plan_assign, release_fact_record
from fangkong.policy.tests.test_measures import active, at, p14
from fangkong.quarantine.models import CareNote, Placement, Room, RoomState
from fangkong.quarantine.tests.test_quarantine import (
    SHANGHAI,
    managers,
    other_site,
    quarantined,
    site,
)
from fangkong.quarantine.tests.test_site_work import TRIP, place, rooms_add
from fangkong.tracing.models import Case
from fangkong.tracing.services import exposure_record

__all__ = ["managers", "other_site", "p14", "quarantined", "site"]


def test_d06_the_floor_screen_takes_temperatures_and_lists_who_is_not_checked_this_slot(
    personas, site, managers, quarantined
):
    # given 张三, 王五 and 李四 placed at the site; P14 asks for three checks a day
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 2)
    rooms_add(commander, site, 3, 1)
    place(commander, site, [zhang, wang, li])
    floor = Placement.objects.get(person=zhang).room.floor
    assert Placement.objects.get(person=wang).room.floor == floor
    manager, neighbour = (login(user) for user in managers)
    page = reverse("quarantine-care", args=[site.pk])
    with clock.frozen(at("2022-02-02T08:30")):
        obligations_tick()
        # the morning slot (due 10:00) is owed by all three
        shown = manager.get(page).content.decode()
        assert "本时段未测" in shown
        assert all(name in shown for name in ("张三", "王五", "李四"))
        care = manager.get(f"/api/quarantine/sites/{site.pk}/care/").json()
        assert sorted(p["name"] for p in care["unchecked"]) == ["张三", "李四", "王五"]
        # a tampered note kind is refused, naming the field, and nothing is written
        tampered = manager.post(
            f"{page}?floor={floor}",
            {f"t{zhang.pk}": "36.5", f"n{zhang.pk}": "早餐已送", f"k{zhang.pk}": "party"},
        )
        assert tampered.status_code == 400
        assert f"k{zhang.pk}" in tampered.content.decode()
        assert not Checkin.objects.exists()
        assert not CareNote.objects.exists()
        # when the floor is saved: 张三 36.5 with breakfast noted, 王五 a typing slip
        saved = manager.post(
            f"{page}?floor={floor}",
            {
                f"t{zhang.pk}": "36.5",
                f"n{zhang.pk}": "早餐已送",
                f"k{zhang.pk}": "meal",
                f"t{wang.pk}": "365",
            },
        )
        # then 张三's check and meal are saved, 王五's row is refused with the reason
        assert saved.status_code == 400
        assert "365℃ 不是人体体温" in saved.content.decode()
        assert Checkin.objects.get().person_id == zhang.pk
        note = CareNote.objects.get()
        assert (note.kind, note.text, note.placement.person_id) == ("meal", "早餐已送", zhang.pk)
        care = manager.get(f"/api/quarantine/sites/{site.pk}/care/").json()
        assert sorted(p["name"] for p in care["unchecked"]) == ["李四", "王五"]
        slot = Obligation.objects.get(person=zhang, kind="checkin", due_at=at("2022-02-02T10:00"))
        assert slot.status == ObligationStatus.MET
        shown = manager.get(f"{page}?floor={floor}").content.decode()
        assert "早餐已送" in shown
        # a need by API; a wrong one is refused whole with the reason naming the field
        url = f"/api/quarantine/sites/{site.pk}/care/"
        empty = manager.post(
            url,
            {"notes": [{"person": li.pk, "kind": "need", "text": "降压药"},
                       {"person": li.pk, "kind": "need", "text": "  "}]},
            content_type="application/json",
        )  # fmt: skip
        assert empty.status_code == 400
        assert empty.json() == {"notes": {"1": {"text": ["该字段不能为空。"]}}}
        assert CareNote.objects.count() == 1
        noted = manager.post(
            url,
            {"notes": [{"person": li.pk, "kind": "need", "text": "需要降压药"}]},
            content_type="application/json",
        )
        assert noted.status_code == 201
        assert AuditEvent.objects.filter(object_type="care_note").count() == 2
        # the neighbouring site's manager sees nothing of it
        assert neighbour.get(page).status_code == 404
        assert neighbour.get(url).status_code == 404
        assert neighbour.post(url, {"notes": []}, "application/json").status_code == 404


def test_d06_a_fever_on_the_floor_screen_goes_to_hospital_and_the_site_stops_counting_the_bed(
    personas, site, managers, quarantined
):
    # given 李四 placed alone on a floor
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 1)
    place(commander, site, [li])
    manager = login(managers[0])
    page = reverse("quarantine-care", args=[site.pk])
    # when the floor screen takes 38.6 °C with a cough
    with clock.frozen(at("2022-02-02T08:30")):
        saved = manager.post(page, {f"t{li.pk}": "38.6", f"s{li.pk}": "cough"})
        assert saved.status_code == 302
        # then the fever path opens and the page offers the transfer to hospital
        assert FeverEvent.objects.get().person_id == li.pk
        shown = manager.get(page).content.decode()
        assert "今日发热或有症状" in shown
        sent = manager.post(
            reverse("quarantine-site", args=[site.pk]),
            {"action": "hospital", "person": li.pk, "reason": "fever", **TRIP},
        )
    assert sent.status_code == 302
    assert Case.objects.get().person_id == li.pk
    # the fever leaves the observation room with him
    assert FeverEvent.objects.get().disposition == "fever_clinic"
    # The room is left to be disinfected; the quarantine is suspended: it names no site, so the
    # site's board and beds ahead count neither the person nor a release of the bed.
    assert Room.objects.get(site=site).state == RoomState.TO_DISINFECT
    assert active(li)[0][0] == "central_quarantine"
    assert not Measure.objects.filter(person=li, status=MeasureStatus.ACTIVE, site=site).exists()
    forecast = commander.get("/api/quarantine/forecast/").json()
    assert forecast["county"]["arriving"] == 2  # 张三 and 王五 wait; 李四 is in hospital
    board = commander.get(f"/api/quarantine/sites/{site.pk}/").json()
    assert board["total"]["people"] == 0
    assert sum(day["people"] for day in board["releases"]) == 0


def test_d12_the_site_page_shows_the_tests_due_and_a_sample_meets_them(
    personas, person_a, person_b, site, managers, p14
):
    # given 张三, a secondary contact of 李四 from 02-01 (P14: tests on days 1, 4 and 7), placed
    exposure_record(
        actor=personas.commander,
        person=person_a,
        kind="secondary_contact",
        last_exposed_at=at("2022-02-01T08:00"),
        via=person_b,
    )
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 1)
    place(commander, site, [person_a])
    manager = login(managers[0])
    page = reverse("quarantine-site", args=[site.pk])
    with clock.frozen(at("2022-02-02T12:00")):
        shown = manager.get(page).content.decode()
        tests = manager.get(f"/api/quarantine/sites/{site.pk}/tests/").json()
        assert [(t["name"], t["day"], t["overdue"]) for t in tests] == [
            ("张三", "2022-02-02", False)
        ]
        assert "待检测" in shown
        # the neighbouring site's manager sees none of it
        neighbour = login(managers[1])
        assert neighbour.get(f"/api/quarantine/sites/{site.pk}/tests/").status_code == 404
        # when his sample of the day is taken
        result_record(
            actor=personas.commander,
            person=person_a,
            sampled_at=at("2022-02-02T09:00"),
            positive=False,
        )
        # then the test is met and leaves the list
        assert manager.get(f"/api/quarantine/sites/{site.pk}/tests/").json() == []
        assert "暂无待检测" in manager.get(page).content.decode()


def test_d12_h04_a_secondary_contact_upgraded_at_the_site_changes_the_site_rules_at_once(
    personas, person_a, person_b, site, managers, p14
):
    # given 张三 a secondary contact of 李四 (7 days, tests 1, 4, 7), placed at the site
    exposure_record(
        actor=personas.commander,
        person=person_b,
        kind="close_contact",
        last_exposed_at=at("2022-01-31T20:00"),
    )
    exposure_record(
        actor=personas.commander,
        person=person_a,
        kind="secondary_contact",
        last_exposed_at=at("2022-02-01T08:00"),
        via=person_b,
    )
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 2)
    place(commander, site, [person_a])
    manager = login(managers[0])
    assert active(person_a) == [("central_quarantine", "2022-02-01", "2022-02-08")]
    releases = f"/api/quarantine/sites/{site.pk}/releases/"
    tests = f"/api/quarantine/sites/{site.pk}/tests/"
    with clock.frozen(at("2022-02-06T12:00")):
        assert [d["end_date"] for d in manager.get(releases).json()] == ["2022-02-08"]
        # the secondary contact's test days 1 and 4 so far
        assert [t["day"] for t in manager.get(tests).json()] == ["2022-02-02", "2022-02-05"]
        # when 李四's second test is positive
        result_record(
            actor=personas.commander, person=person_b, sampled_at=at("2022-02-02T09:00"),
            positive=False,
        )  # fmt: skip
        result_record(
            actor=personas.commander, person=person_b, sampled_at=at("2022-02-03T09:00"),
            positive=True,
        )  # fmt: skip
        # then 张三 is a close contact at the site at once: 14 days, the close contact's tests
        assert active(person_a)[0] == ("central_quarantine", "2022-02-01", "2022-02-15")
        assert manager.get(releases).json() == []
        board = manager.get(f"/api/quarantine/sites/{site.pk}/").json()
        assert [d["date"] for d in board["releases"] if d["people"]] == ["2022-02-15"]
        assert [t["day"] for t in manager.get(tests).json()] == [
            "2022-02-02", "2022-02-03", "2022-02-04", "2022-02-05", "2022-02-06",
        ]  # fmt: skip
        shown = manager.get(reverse("quarantine-site", args=[site.pk])).content.decode()
    assert "2022-02-03" in shown


def test_b19_d06_an_enterprise_close_contact_is_placed_checked_twice_a_day_and_released_on_consent(
    county, personas, person_a, site, managers
):
    # given the enterprise's plan (P12) and 张三, a close contact registered on 02-01, placed
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P12-enterprise-response-team",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    exposure_record(
        actor=personas.commander,
        person=person_a,
        kind="close_contact",
        last_exposed_at=at("2022-02-01T08:00"),
    )
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 1)
    place(commander, site, [person_a])
    manager = login(managers[0])
    care = reverse("quarantine-care", args=[site.pk])
    with clock.frozen(at("2022-02-02T08:00")):
        obligations_tick()
        # D-06: his temperature is owed morning and evening
        slots = Obligation.objects.filter(person=person_a, kind="checkin")
        assert sorted(f"{o.due_at.astimezone(SHANGHAI):%H:%M}" for o in slots) == ["10:00", "21:00"]
        assert manager.post(care, {f"t{person_a.pk}": "36.4"}).status_code == 302
        assert slots.get(status=ObligationStatus.MET).due_at == at("2022-02-02T10:00")
    page = reverse("quarantine-site", args=[site.pk])
    release = {"action": "release", "person": person_a.pk, "on": "2022-02-15", **TRIP}
    with clock.frozen(at("2022-02-15T12:00")):
        # after 14 days the release waits for the district headquarters' consent
        due = manager.get(f"/api/quarantine/sites/{site.pk}/releases/").json()
        assert [(d["allowed"], d["missing"]) for d in due] == [(False, ["headquarters_consent"])]
        refused = manager.post(page, release)
        assert refused.status_code == 400
        assert Placement.objects.get(person=person_a).released_at is None
        release_fact_record(
            actor=personas.commander,
            person=person_a,
            data=ReleaseFactInput("consent", dt.date(2022, 2, 15), given_by="区指挥部王主任"),
        )
        released = manager.post(page, release)
    assert released.status_code == 302
    assert active(person_a) == []
    assert Room.objects.get(site=site).state == RoomState.TO_DISINFECT


def test_care_notes_commit_with_their_audit_row_or_not_at_all(
    personas, site, managers, quarantined, monkeypatch
):
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 1)
    place(commander, site, [li])
    manager = login(managers[0])

    def refuse(**_fields: object) -> AuditEvent:
        raise DatabaseError("the audit table refuses writes")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    with pytest.raises(DatabaseError):
        manager.post(
            f"/api/quarantine/sites/{site.pk}/care/",
            {"notes": [{"person": li.pk, "kind": "meal", "text": "午餐已送"}]},
            content_type="application/json",
        )
    assert not CareNote.objects.exists()
