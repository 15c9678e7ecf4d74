"""A stay in hospital suspends the quarantine's daily check-ins and test days (D-06, F-11): the
tick opens none for the person while their case is in course, those due during the stay are
cancelled as 住院期间暂停 (not overdue), and the discharge back to quarantine resumes them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from conftest import login
from fangkong.core import clock
from fangkong.obligations.models import CancelReason, Obligation, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.people.models import Person
from fangkong.policy.tests.test_measures import at
from fangkong.quarantine.tests.test_quarantine import managers, other_site, quarantined, site
from fangkong.quarantine.tests.test_site_work import TRIP, place, rooms_add
from fangkong.tracing.models import Case

__all__ = ["managers", "other_site", "quarantined", "site"]


def owed_on(person: Person, day: str) -> list[tuple[str, str]]:
    """(kind, status) of the person's check-ins and tests due within the local day (a test of
    the day is due at the midnight that ends it)."""
    start = clock.local_midnight(dt.date.fromisoformat(day))
    return sorted(
        Obligation.objects.filter(
            person=person,
            kind__in=["checkin", "test"],
            due_at__gt=start,
            due_at__lte=start + dt.timedelta(days=1),
        ).values_list("kind", "status")
    )


def overdue(client) -> set[tuple[int, str]]:
    """(person, kind) of the overdue list, by API."""
    listed = client.get("/api/obligations/", {"state": "overdue"})
    assert listed.status_code == 200
    return {(row["person"], row["kind"]) for row in listed.json()["results"]}


def test_d06_f11_in_hospital_no_check_in_slot_nor_test_day_is_owed_and_the_discharge_resumes(
    personas, site, managers, quarantined
):
    # given 张三 and 李四 placed at the site (P14: central quarantine 02-01–02-15, check-ins
    # and test days), the tick of 02-02 opening their day
    zhang, wang, li = quarantined
    commander = login(personas.commander)
    rooms_add(commander, site, 2, 2)
    place(commander, site, [zhang, li])
    manager = login(managers[0])
    with clock.frozen(at("2022-02-02T08:30")):
        obligations_tick()
        before = owed_on(li, "2022-02-02")
        assert ("checkin", "open") in before
        # when a fever sends 李四 to hospital from the site page
        sent = manager.post(
            reverse("quarantine-site", args=[site.pk]),
            {"action": "hospital", "person": li.pk, "reason": "fever", **TRIP},
        )
        assert sent.status_code == 302
    with clock.frozen(at("2022-02-02T08:31")):
        obligations_tick()
    # then what he owed from then on that day is suspended, with the reason on his page
    assert {status for _kind, status in owed_on(li, "2022-02-02")} == {"cancelled"}
    assert set(
        Obligation.objects.filter(person=li, status="cancelled").values_list(
            "cancel_reason", flat=True
        )
    ) == {CancelReason.IN_HOSPITAL}
    page = commander.get(reverse("person-detail", args=[li.pk])).content.decode()
    assert "已取消 · 住院期间暂停" in page
    # the next day's tick opens him no check-in slot and his test day waits; the overdue list
    # shows 张三, who skipped his check-ins and test, and none of his
    with clock.frozen(at("2022-02-03T22:00")):
        obligations_tick()
        assert ("checkin", "missed") in owed_on(zhang, "2022-02-03")
        assert not Obligation.objects.filter(
            person=li, kind="checkin", status__in=["open", "missed"]
        ).exists()
        assert ("checkin", "open") not in owed_on(li, "2022-02-03")
        listed = overdue(commander)
        assert {(zhang.pk, "checkin"), (zhang.pk, "test")} <= listed
        # only his case's own deadline runs on: its report (G-01), not suspended
        assert {kind for person, kind in listed if person == li.pk} == {"report"}
    # when the case is ruled out on 02-04 at 11:00, on the case page
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
    case = Case.objects.get(person=li)
    with clock.frozen(at("2022-02-04T11:00")):
        ruled_out = commander.post(
            reverse("case-detail", args=[case.pk]), {"action": "status", "status": "excluded"}
        )
        assert ruled_out.status_code == 302
        obligations_tick()
    # then his schedule resumes from then: the slot of 02-04 due before 11:00 stays suspended,
    # the later ones and the test of the day are owed, and the next day opens as usual
    day4 = Obligation.objects.filter(person=li, kind="checkin").due_on(dt.date(2022, 2, 4))
    assert [
        (o.due_at.astimezone(clock.tz()).hour, o.status, o.cancel_reason)
        for o in day4.order_by("due_at")
    ] == [(10, "cancelled", "in_hospital"), (14, "open", ""), (21, "open", "")]
    assert ("test", "open") in owed_on(li, "2022-02-04")
    with clock.frozen(at("2022-02-05T08:00")):
        obligations_tick()
    assert ("checkin", ObligationStatus.OPEN) in owed_on(li, "2022-02-05")


def test_d06_a_case_reported_late_suspends_the_check_ins_missed_since_and_recovery_resumes(
    personas, quarantined
):
    # given 王五 under central quarantine, waiting for a room, who skipped his check-ins of 02-02
    zhang, wang, li = quarantined
    day5 = dt.date(2022, 2, 5)
    commander = login(personas.commander)
    with clock.frozen(at("2022-02-02T22:00")):
        obligations_tick()
        assert (wang.pk, "checkin") in overdue(commander)
    # when the county reports him a suspected case since 02-02 09:00 (by API), and the tick runs
    with clock.frozen(at("2022-02-02T22:30")):
        reported = commander.post(
            "/api/cases/",
            {"person": wang.pk, "kind": "suspected", "reported_at": "2022-02-02T09:00:00+08:00"},
            content_type="application/json",
        )
        assert reported.status_code == 201, reported.content
        obligations_tick()
        # then the slots and the test of the day he missed in hospital are suspended, off the
        # overdue list
        assert set(owed_on(wang, "2022-02-02")) == {("checkin", "cancelled"), ("test", "cancelled")}
        assert (wang.pk, "checkin") not in overdue(commander)
    # the case is treated and he recovers on 02-05 at 12:00 (on the case page)
    case = Case.objects.get(person=wang)
    page = reverse("case-detail", args=[case.pk])
    for status in ("transferred", "treated"):
        assert commander.post(page, {"action": "status", "status": status}).status_code == 302
    with clock.frozen(at("2022-02-05T08:00")):
        obligations_tick()
        # in hospital still: the day opens him no slot
        assert not Obligation.objects.filter(person=wang, kind="checkin").due_on(day5).exists()
    with clock.frozen(at("2022-02-05T12:00")):
        recovered = commander.post(page, {"action": "status", "status": "recovered"})
        assert recovered.status_code == 302
        obligations_tick()
        shown = commander.get(f"/api/cases/{case.pk}/").json()
    assert shown["closed_at"].startswith("2022-02-05T12:00")
    # then the slots still ahead that day are owed again, the morning one stays suspended
    slots = Obligation.objects.filter(person=wang, kind="checkin").due_on(day5)
    assert [(o.due_at.astimezone(clock.tz()).hour, o.status) for o in slots.order_by("due_at")] == [
        (10, "cancelled"),
        (14, "open"),
        (21, "open"),
    ]
