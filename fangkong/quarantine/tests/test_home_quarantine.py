"""D-02 home quarantine: the notice printed and served, the door sealed or monitored, and the grid
worker's daily visit, through the pages and the API; a neighbouring village sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.quarantine.models import HomeQuarantine, HomeVisit
from fangkong.quarantine.tests.test_quarantine import SHANGHAI, came_back


@pytest.fixture
def at_home(county, personas, person_a, person_b, django_capture_on_commit_callbacks):
    """张三 (甲村) and 李四 (乙村) back from a high-risk area: P05 sends them home for 14 days."""
    commander = login(personas.commander)
    with django_capture_on_commit_callbacks(execute=True):
        commander.post(
            reverse("plan-assign"),
            {"unit": county.hq.pk, "pack_id": "P05-service-company-winter",
             "start_date": "2022-01-01"},
        )  # fmt: skip
        commander.post(
            reverse("risk-area-list"),
            {"region": "210211", "level": "high", "start_date": "2022-01-20", "source": "公告"},
        )
    came_back(person_a, personas.worker_a)
    came_back(person_b, personas.worker_b)
    return person_a, person_b


def test_d02_the_notice_prints_with_dates_and_rules_and_is_served_with_the_door_sealed(
    county, personas, at_home
):
    zhang, li = at_home
    worker = login(personas.worker_a)
    # when the grid worker opens the notice
    notice = worker.get(reverse("home-quarantine-notice", args=[zhang.pk]))
    # then it names the person, the dates, the plan's rule and the unit to call
    assert notice.status_code == 200
    text = notice.content.decode()
    assert "居家隔离告知书" in text
    assert "张三" in text
    assert "2022年2月1日" in text
    assert "居家隔离14天" in text  # P05's clause
    assert "@media print" in text
    # when they record it served and the door sealed
    served = worker.post(
        reverse("home-quarantine-notice", args=[zhang.pk]), {"served": "1", "door": "seal"}
    )
    assert served.status_code == 302
    record = HomeQuarantine.objects.get()
    assert (record.door, record.notice_served_by) == ("seal", personas.worker_a)
    assert record.notice_served_at == clock.now()
    # and change the seal for a monitor by API, serving again keeps the first serving
    with clock.frozen(dt.datetime(2022, 2, 2, 9, tzinfo=SHANGHAI)):
        changed = worker.post(
            f"/api/quarantine/home/{zhang.pk}/", {"notice_served": True, "door": "monitor"},
            content_type="application/json",
        )  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["door"] == "monitor"
    record.refresh_from_db()
    assert record.notice_served_at == clock.now()
    assert AuditEvent.objects.filter(object_type="home_quarantine").count() == 2
    # Bad input is refused with its reason; nothing changes.
    bad = worker.post(f"/api/quarantine/home/{zhang.pk}/", {"door": "lock"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert "door" in bad.json()
    empty = worker.post(f"/api/quarantine/home/{zhang.pk}/", {}, content_type="application/json")
    assert empty.status_code == 400
    assert "告知书" in empty.json()["notice"][0]
    record.refresh_from_db()
    assert record.door == "monitor"
    # The neighbour (乙村) neither reads nor serves 张三's notice.
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("home-quarantine-notice", args=[zhang.pk])).status_code == 404
    assert neighbour.post(f"/api/quarantine/home/{zhang.pk}/", {"notice_served": True},
                          content_type="application/json").status_code == 404  # fmt: skip
    assert AuditEvent.objects.filter(object_type="home_quarantine").count() == 2


def test_d02_daily_visits_one_tap_a_day_per_person_on_the_village_list(county, personas, at_home):
    zhang, li = at_home
    worker = login(personas.worker_a)
    # the list of today: 甲村's 张三, not 乙村's 李四
    page = worker.get(reverse("home-quarantine"))
    assert page.status_code == 200
    assert "张三" in page.content.decode()
    assert "李四" not in page.content.decode()
    assert [(p["name"], p["visited"]) for p in worker.get("/api/quarantine/home/").json()] == [
        ("张三", False)
    ]
    # when: one tap with a note
    tapped = worker.post(reverse("home-quarantine"), {"person": zhang.pk, "note": "体温正常"})
    # then
    assert tapped.status_code == 302
    listed = worker.get("/api/quarantine/home/").json()
    assert [(p["name"], p["visited"], p["visit_note"]) for p in listed] == [
        ("张三", True, "体温正常")
    ]
    assert "已上门" in worker.get(reverse("home-quarantine")).content.decode()
    # A second visit the same day is refused; the next day's is recorded.
    again = worker.post(f"/api/quarantine/home/{zhang.pk}/visits/", {},
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 400
    assert again.json() == {"day": ["今天已上门。"]}
    with clock.frozen(dt.datetime(2022, 2, 2, 9, tzinfo=SHANGHAI)):
        assert worker.get("/api/quarantine/home/").json()[0]["visited"] is False
        next_day = worker.post(f"/api/quarantine/home/{zhang.pk}/visits/", {"note": ""},
                               content_type="application/json")  # fmt: skip
    assert next_day.status_code == 201
    assert list(HomeVisit.objects.order_by("day").values_list("day", "visited_by__username")) == [
        (dt.date(2022, 2, 1), "worker-a"), (dt.date(2022, 2, 2), "worker-a"),
    ]  # fmt: skip
    # Bad input and the neighbour write nothing.
    long = worker.post(f"/api/quarantine/home/{zhang.pk}/visits/", {"note": "长" * 201},
                       content_type="application/json")  # fmt: skip
    assert long.status_code == 400
    assert "note" in long.json()
    assert worker.post(reverse("home-quarantine"), {"person": "1 OR 1=1"}).status_code == 400
    neighbour = login(personas.worker_b)
    assert neighbour.post(reverse("home-quarantine"), {"person": zhang.pk}).status_code == 404
    assert neighbour.post(f"/api/quarantine/home/{zhang.pk}/visits/", {},
                          content_type="application/json").status_code == 404  # fmt: skip
    assert [p["name"] for p in neighbour.get("/api/quarantine/home/").json()] == ["李四"]
    assert HomeVisit.objects.count() == 2
