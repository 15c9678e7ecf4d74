"""Playbooks and drills (issue 17, item 5): the P15 kindergarten drill scored against the clock
(oral report at 20 min, written at 40 min), the P12 enterprise playbook run live with each step a
deadline of the person named for its role, and the unit's history of scores."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import TODAY, login, make_user
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.obligations.models import Obligation
from fangkong.org.roles import Role
from fangkong.playbooks.models import PlaybookRun
from fangkong.policy.services import plan_assign

pytestmark = pytest.mark.django_db

DRILL = "drill-child-fever-at-arrival"


def _assign(county, personas, unit, pack_id):
    plan_assign(
        actor=personas.commander,
        unit=unit,
        pack_id=pack_id,
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )


@pytest.fixture
def director(county, personas):
    _assign(county, personas, county.school, "P15-kindergarten-drill")
    return make_user("director", Role.PRINCIPAL, county.school)


def _at(minutes: int):
    return clock.frozen(TODAY + dt.timedelta(minutes=minutes))


def test_n01_n02_g22_p15_drill_is_scored_against_the_clock_and_kept_with_the_unit(
    county, personas, director
):
    page = login(director)
    shown = page.get(reverse("playbooks")).content.decode()
    assert "演练一：幼儿入园晨检发热" in shown
    assert "20分钟内" in shown
    # when the director starts the drill, naming the leader
    response = page.post(
        reverse("playbooks"),
        {"playbook": DRILL, "drill": "1", "role_0": "张副园长", "role_2": "王园长"},
    )
    assert response.status_code == 302
    run = PlaybookRun.objects.get()
    assert run.drill
    assert Obligation.objects.count() == 0  # a drill opens no deadlines
    steps = {s.position: s for s in run.steps.all()}
    assert steps[4].role == "组长"
    assert steps[4].assignee == "王园长"
    assert steps[4].due_at == TODAY + dt.timedelta(minutes=20)
    # and the steps are marked done on the clock: the oral report 5 minutes late
    url = reverse("playbook-run", args=[run.pk])
    for minutes, position in ((4, 1), (12, 2), (14, 3), (25, 4), (38, 6)):
        with _at(minutes):
            assert page.post(url, {"action": "done", "step": position}).status_code == 302
    with _at(45):
        shown = page.get(url).content.decode()
        assert "迟5分钟完成" in shown  # the oral report, due at 20 min
        assert "已超时15分钟" in shown  # step 5, due at 30 min, not done
        api = login(director).get(reverse("playbook-run-detail", args=[run.pk])).json()
        assert [s["state"] for s in api["steps"]] == [
            "on_time", "late", "on_time", "late", "overdue", "on_time", "open"
        ]  # fmt: skip
        assert api["steps"][3]["minutes_late"] == 5
    with _at(70):
        page.post(url, {"action": "finish"})
    # then the score counts a step on time 100, late 50, not done 0: 400 / 7
    run.refresh_from_db()
    assert run.score == 57
    assert "得分57" in page.get(url).content.decode()
    history = page.get(reverse("playbooks"), {"unit": county.school.pk}).content.decode()
    assert "57" in history
    assert "演练" in history
    # a finished run takes no more steps
    with _at(80):
        page.post(url, {"action": "done", "step": 5})
    assert run.steps.get(position=5).done_at is None
    assert AuditEvent.objects.filter(object_type="playbook_run").count() == 7
    # and the county's command view shows the last drill's score
    home = login(personas.commander).get("/").content.decode()
    assert 'data-testid="last-drill"' in home
    assert "得分57" in home


def test_n05_g18_p12_live_run_makes_each_step_a_deadline_of_the_named_person(county, personas):
    _assign(county, personas, county.hq, "P12-enterprise-response-team")
    api = login(personas.commander)
    names = {"组长": "赵总", "防控组": "钱主任", "后勤组": "孙科长"}
    # a live run with a role left unnamed is refused, naming the field, and nothing is written
    refused = api.post(
        reverse("playbook-run-list"),
        {"unit": county.hq.pk, "playbook": "enterprise-outbreak", "drill": False,
         "names": {"组长": "赵总"}},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert "防控组" in refused.json()["names"][0]
    assert PlaybookRun.objects.count() == 0
    started = api.post(
        reverse("playbook-run-list"),
        {"unit": county.hq.pk, "playbook": "enterprise-outbreak", "drill": False, "names": names},
        content_type="application/json",
    )
    assert started.status_code == 201
    run_id = started.json()["id"]
    owed = Obligation.objects.of_playbook_run(run_id)
    assert owed.count() == 8
    report = owed.get(detail__step=1)
    assert report.detail["responsible"] == "赵总"
    assert report.kind == "report"
    assert report.due_at == TODAY + dt.timedelta(minutes=15)
    # the report made on time meets its deadline
    with _at(10):
        done = api.post(
            reverse("playbook-run-done", args=[run_id]),
            {"step": 1},
            content_type="application/json",
        )
    assert done.json()["steps"][0]["state"] == "on_time"
    report.refresh_from_db()
    assert report.status == "met"
    with _at(60):
        finished = api.post(reverse("playbook-run-finish", args=[run_id])).json()
    assert finished["score"] == 13  # one step of eight on time
    assert owed.filter(status="cancelled").count() == 7


def test_n01_bad_runs_are_refused_naming_the_field_and_a_neighbour_sees_nothing(
    county, personas, director
):
    page = login(director)
    response = page.post(reverse("playbooks"), {"playbook": "no-such", "drill": "1"})
    assert response.status_code == 400
    api = login(director)
    answer = api.post(
        reverse("playbook-run-list"),
        {"unit": county.school.pk, "playbook": "enterprise-outbreak"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "没有此预案" in answer.json()["playbook"][0]
    started = api.post(
        reverse("playbook-run-list"),
        {"unit": county.school.pk, "playbook": DRILL},
        content_type="application/json",
    ).json()
    bad_step = api.post(
        reverse("playbook-run-done", args=[started["id"]]), {"step": 99},
        content_type="application/json",
    )  # fmt: skip
    assert bad_step.status_code == 400
    assert "step" in bad_step.json()
    # a grid worker of a village sees none of the school's runs and cannot start one there
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("playbook-run-list")).json()["results"] == []
    assert neighbour.get(reverse("playbook-run-detail", args=[started["id"]])).status_code == 404
    assert neighbour.get(reverse("playbook-run", args=[started["id"]])).status_code == 404
    assert neighbour.get(reverse("playbooks"), {"unit": county.school.pk}).status_code == 404
    assert (
        neighbour.post(
            reverse("playbook-run-list"),
            {"unit": county.school.pk, "playbook": DRILL},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert neighbour.post(reverse("playbook-run-finish", args=[started["id"]])).status_code == 404
    assert PlaybookRun.objects.count() == 1
