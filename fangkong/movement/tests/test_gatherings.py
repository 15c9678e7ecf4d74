"""Gathering applications (issue 16, item 6): judged at once by the plan in force, filed, or
queued for the unit above, through the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_user
from fangkong.audit.models import AuditEvent
from fangkong.movement.models import GatheringApplication
from fangkong.obligations.models import Notification
from fangkong.org.roles import Role
from fangkong.policy.services import plan_assign

pytestmark = pytest.mark.django_db

DAY = "2022-02-10"


def _plan(county, personas, pack_id: str, unit=None) -> None:
    plan_assign(
        actor=personas.commander,
        unit=unit or county.hq,
        pack_id=pack_id,
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )


def _form(filed_with, **changes) -> dict:
    return {
        "unit": filed_with.pk,
        "type": "event",
        "organiser": "village",
        "purpose": "other",
        "people": 40,
        "place": "村委会广场",
        "held_on": DAY,
        "organiser_name": "王五",
        "organiser_phone": "13800138001",
        **changes,
    }


def test_i01_p01_event_of_50_goes_to_the_command_above_and_is_approved(county, personas):
    # given P01 in force and a village grid worker
    _plan(county, personas, "P01-rural-winter")
    worker = login(personas.worker_a)
    # when the worker applies for an event of 50 on the page
    response = worker.post(reverse("gathering-list"), _form(county.village_a, people=50))
    # then it needs approval (须审批) and waits in the township's queue, with the clause
    assert response.status_code == 302
    application = GatheringApplication.objects.get()
    assert (application.verdict, application.status) == ("approval_required", "pending")
    assert application.approver_unit == county.township
    assert application.approver == "属地疫情防控指挥部"
    assert application.clause.startswith("I-01: 有防控方案")
    page = worker.get(reverse("gathering-list")).content.decode()
    assert "须审批" in page
    assert "待审批" in page
    # when the commander approves it on the queue
    commander = login(personas.commander)
    assert "村委会广场" in commander.get(reverse("gathering-list")).content.decode()
    response = commander.post(
        reverse("gathering-decide", args=[application.pk]), {"decision": "approve"}
    )
    # then it is approved, audited, and the applicant is told
    application.refresh_from_db()
    assert application.status == "approved"
    assert AuditEvent.objects.filter(object_type="gathering").count() == 2
    note = Notification.objects.get(user=personas.worker_a)
    assert note.topic == "gathering"


def test_i01_p01_event_over_50_is_refused_and_the_form_keeps_what_was_typed(county, personas):
    _plan(county, personas, "P01-rural-winter")
    response = login(personas.worker_a).post(
        reverse("gathering-list"), _form(county.village_a, people=51)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "I-01, X-07: 确需举办的，规模控制在50人以下" in page
    assert 'value="51"' in page
    assert "村委会广场" in page
    assert not GatheringApplication.objects.exists()
    assert not AuditEvent.objects.filter(object_type="gathering").exists()


def test_i15_p13_six_tables_forbidden_and_five_filed_with_the_village(county, personas):
    _plan(county, personas, "P13-may-day-county")
    api = login(personas.worker_a)
    banquet = _form(county.village_a, type="banquet", organiser="family", people=40)
    response = api.post("/api/gatherings/", {**banquet, "tables": 6})
    assert response.status_code == 400
    assert "I-15, X-07: 宴席不得超过5桌" in str(response.json())
    response = api.post("/api/gatherings/", {**banquet, "tables": 5})
    assert response.status_code == 201
    assert (response.json()["verdict"], response.json()["status"]) == ("filing_required", "filed")
    assert "I-15: 并向村(社区)报备" in response.json()["clause"]


def test_i14_p11_school_held_event_is_forbidden(county, personas):
    _plan(county, personas, "P11-school-winter-exams")
    principal = make_user("principal", Role.PRINCIPAL, county.school)
    response = login(principal).post(
        "/api/gatherings/", _form(county.school, organiser="school", people=20)
    )
    assert response.status_code == 400
    assert "I-14: 所有学校一律不得举办" in str(response.json())


def test_i01_a_refusal_needs_a_reason_and_the_neighbour_sees_nothing(county, personas):
    # given a pending application of village A
    _plan(county, personas, "P01-rural-winter")
    created = login(personas.worker_a).post("/api/gatherings/", _form(county.village_a))
    pk = created.json()["id"]
    # then village B's worker sees nothing and may not file for village A
    neighbour = login(personas.worker_b)
    assert neighbour.get("/api/gatherings/").json()["results"] == []
    assert "村委会广场" not in neighbour.get(reverse("gathering-list")).content.decode()
    assert neighbour.post("/api/gatherings/", _form(county.village_a)).status_code == 404
    # nor may the applicant or a neighbouring principal decide it
    other_principal = make_user("principal-b", Role.PRINCIPAL, county.school)
    for user in (personas.worker_a, other_principal):
        response = login(user).post(f"/api/gatherings/{pk}/decide/", {"approve": True})
        assert response.status_code == 404
    # when the commander refuses without a reason, nothing changes; with one, it is refused
    commander = login(personas.commander)
    assert [a["id"] for a in commander.get("/api/gatherings/queue/").json()["results"]] == [pk]
    response = commander.post(f"/api/gatherings/{pk}/decide/", {"approve": False})
    assert response.status_code == 400
    assert GatheringApplication.objects.get().status == "pending"
    response = commander.post(
        f"/api/gatherings/{pk}/decide/", {"approve": False, "reason": "疫情形势变化"}
    )
    assert (response.json()["status"], response.json()["reason"]) == ("refused", "疫情形势变化")
    assert commander.get("/api/gatherings/queue/").json()["results"] == []


@pytest.mark.parametrize(
    "tampered",
    [
        {"type": "party"},
        {"people": "-1"},
        {"people": "x"},
        {"unit": "abc"},
        {"held_on": "2022-13-01"},
        {"organiser_phone": "<script>"},
        {"held_on": "2022-01-01"},
    ],
)
def test_i01_tampered_input_is_refused(county, personas, tampered):
    _plan(county, personas, "P01-rural-winter")
    client = login(personas.worker_a)
    assert client.post("/api/gatherings/", _form(county.village_a, **tampered)).status_code == 400
    response = client.post(reverse("gathering-list"), _form(county.village_a, **tampered))
    assert response.status_code == 400
    assert client.post("/api/gatherings/x/decide/", {"approve": True}).status_code == 404
    assert not GatheringApplication.objects.exists()


def test_i01_list_page_and_api_cost_the_same_for_one_or_many(
    county, personas, django_assert_max_num_queries
):
    _plan(county, personas, "P01-rural-winter")
    worker = login(personas.worker_a)
    for people in (10, 20, 30):
        worker.post("/api/gatherings/", _form(county.village_a, people=people))
    commander = login(personas.commander)
    commander.get(reverse("gathering-list"))  # warm the session and the menu
    with django_assert_max_num_queries(12):
        assert commander.get(reverse("gathering-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert len(commander.get("/api/gatherings/").json()["results"]) == 3
