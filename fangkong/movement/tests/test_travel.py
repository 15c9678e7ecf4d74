"""Leave and travel requests (issue 16, item 1): judged at once by the departure rules of the plan
in force, walked along the pack's approval chain by the right approvers in order, and the return
recorded as the arrival the plan classifies; through the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.movement.models import ApprovalStep, TravelRequest
from fangkong.obligations.models import Notification, Obligation
from fangkong.org.roles import Role
from fangkong.people.models import TravelRecord
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.services import plan_assign

pytestmark = pytest.mark.django_db

KUNMING = "530102"  # another province: leaving Guiyang (出市)


def _plan(county, personas, pack_id: str) -> None:
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id=pack_id,
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )


@pytest.fixture
def student(county, personas):
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="王小明",
            id_type="resident",
            id_number=make_resident_id(birth="20060307", sequence="031"),
            unit=county.class_1,
            categories=["student"],
        ),
    )


def _form(person, **changes) -> dict:
    return {
        "person": person.pk,
        "to_region": KUNMING,
        "leave_on": "2022-02-10",
        "return_on": "2022-02-14",
        "reason": "探亲",
        **changes,
    }


def _decide(user, approve: bool = True, reason: str = ""):
    step = ApprovalStep.objects.get(status="waiting")
    decision = "approve" if approve else "refuse"
    return login(user).post(
        reverse("travel-decide", args=[step.pk]), {"decision": decision, "reason": reason}
    )


def test_j04_g20_p14_student_chain_walked_to_approval_by_the_right_approvers_in_order(
    county, personas, student
):
    # given P14 and the school's approvers
    _plan(county, personas, "P14-school-spring-festival")
    health = make_user("health", Role.SCHOOL_HEALTH_OFFICER, county.school)
    principal = make_user("principal", Role.PRINCIPAL, county.school)
    # when the class teacher files the student's request more than a week ahead
    response = login(personas.teacher).post(reverse("travel-list"), _form(student))
    # then it waits for the class teacher (班主任 → 德育处 → 分管领导 → 校长室)
    assert response.status_code == 302
    request = TravelRequest.objects.get()
    assert (request.status, request.chain_id) == ("pending", "student-leave")
    labels = list(request.steps.values_list("label", "role", "status"))
    assert labels == [
        ("班主任", "class_teacher", "waiting"),
        ("德育处", "school_health_officer", "queued"),
        ("分管领导", "principal", "queued"),
        ("校长室", "principal", "queued"),
    ]
    # each waiting step is a deadline of its approver's unit, due the day the trip starts
    deadline = Obligation.objects.get(kind="approval")
    assert (deadline.unit_id, deadline.status) == (county.class_1.pk, "open")
    # the principal sees the request of the school, but nothing waits for them yet
    page = login(principal).get(reverse("travel-list")).content.decode()
    assert "王小明" in page
    assert "travel-queue" not in page
    # when each approver approves in turn on their queue
    for approver in (personas.teacher, health, principal, principal):
        assert "travel-queue" in login(approver).get(reverse("travel-list")).content.decode()
        assert _decide(approver).status_code == 302
    # then the trip is approved, each step's deadline met, the return report owed, and the
    # requester told
    request.refresh_from_db()
    assert request.status == "approved"
    assert (
        list(Obligation.objects.filter(kind="approval").values_list("status", flat=True))
        == ["met"] * 4
    )
    report = Obligation.objects.get(kind="filing")
    assert (report.person_id, report.status) == (student.pk, "open")
    assert Notification.objects.get(user=personas.teacher).topic == "travel"
    assert AuditEvent.objects.filter(object_type="travel_request").count() == 5


def test_j04_a_step_is_decided_only_by_its_role(county, personas, student):
    _plan(county, personas, "P14-school-spring-festival")
    login(personas.teacher).post(reverse("travel-list"), _form(student))
    principal = make_user("principal", Role.PRINCIPAL, county.school)
    step = ApprovalStep.objects.get(status="waiting")
    # the principal is not the class teacher: the step is not theirs (404), nothing changes
    response = login(principal).post(
        reverse("travel-decide", args=[step.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    step.refresh_from_db()
    assert step.status == "waiting"


def test_g20_p14_student_request_less_than_a_week_ahead_is_refused(county, personas, student):
    _plan(county, personas, "P14-school-spring-festival")
    response = login(personas.teacher).post(
        reverse("travel-list"), _form(student, leave_on="2022-02-05")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "7" in page
    assert "J-04, G-20" in page
    assert "探亲" in page  # the form keeps what was typed
    assert not TravelRequest.objects.exists()


def test_c30_p11_student_trip_abroad_is_refused_with_the_clause(county, personas, student):
    _plan(county, personas, "P11-school-winter-exams")
    response = login(personas.teacher).post(
        reverse("travel-request-list"),
        {**_form(student, to_region="", to_country="USA")},
    )
    assert response.status_code == 400
    assert "C-30" in str(response.json()["to_region"])
    assert not TravelRequest.objects.exists()
    assert not ApprovalStep.objects.exists()


def test_j06_the_return_is_recorded_as_an_arrival(county, personas, student):
    # given an approved trip
    _plan(county, personas, "P14-school-spring-festival")
    api = login(personas.teacher)
    filed = api.post(reverse("travel-request-list"), _form(student)).json()
    health = make_user("health", Role.SCHOOL_HEALTH_OFFICER, county.school)
    principal = make_user("principal", Role.PRINCIPAL, county.school)
    for approver in (personas.teacher, health, principal, principal):
        response = login(approver).post(
            reverse("travel-request-decide", args=[filed["id"]]), {"approve": True}
        )
        assert response.status_code == 200
    assert response.json()["status"] == "approved"
    # when the traveller is back (the clock moves on to the return)
    with clock.frozen(dt.datetime(2022, 2, 14, 10, 0, tzinfo=dt.UTC)):
        response = api.post(
            reverse("travel-request-return", args=[filed["id"]]), {"returned_on": "2022-02-14"}
        )
    # then the stay is in the travel history, and the report owed on return is met
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    stay = TravelRecord.objects.get(person=student)
    assert (stay.region_id, stay.start_date, stay.end_date) == (
        KUNMING,
        dt.date(2022, 2, 10),
        dt.date(2022, 2, 14),
    )
    assert Obligation.objects.get(kind="filing", source="event").status == "met"


def test_j04_a_refusal_gives_its_reason_and_ends_the_request(county, personas, student):
    _plan(county, personas, "P14-school-spring-festival")
    login(personas.teacher).post(reverse("travel-list"), _form(student))
    # a refusal without a reason is not taken
    _decide(personas.teacher, approve=False)
    assert ApprovalStep.objects.get(position=1).status == "waiting"
    _decide(personas.teacher, approve=False, reason="期末考试期间")
    request = TravelRequest.objects.get()
    assert (request.status, request.refusal) == ("refused", "期末考试期间")
    assert not ApprovalStep.objects.filter(status="waiting").exists()


def test_j04_a_neighbour_sees_no_queue_and_no_request(county, personas, student):
    _plan(county, personas, "P14-school-spring-festival")
    login(personas.teacher).post(reverse("travel-list"), _form(student))
    neighbour = login(personas.worker_b)
    assert "王小明" not in neighbour.get(reverse("travel-list")).content.decode()
    assert neighbour.get(reverse("travel-request-queue")).json()["results"] == []
    assert neighbour.get(reverse("travel-request-list")).json()["results"] == []
    step = ApprovalStep.objects.get(status="waiting")
    response = neighbour.post(reverse("travel-decide", args=[step.pk]), {"decision": "approve"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_region": "99"}, "to_region"),
        ({"to_region": "", "to_country": "U$A"}, "to_country"),
        ({"leave_on": "2022-13-40"}, "leave_on"),
        ({"return_on": "2022-02-09"}, "return_on"),
        ({"return_on": "9999-12-31"}, "return_on"),
        ({"reason": "x" * 301}, "reason"),
    ],
)
def test_j04_tampered_input_is_refused_naming_the_field(county, personas, student, changes, field):
    _plan(county, personas, "P14-school-spring-festival")
    response = login(personas.teacher).post(
        reverse("travel-request-list"), _form(student, **changes)
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not TravelRequest.objects.exists()


def test_j06_p04_a_trip_only_reported_needs_no_approval_and_owes_the_return_report(
    county, personas, person_a
):
    # given P04, whose chain is two filings (所在社区（报备）, 单位（报备）)
    _plan(county, personas, "P04-national-day-fuyuan")
    # when the village files a resident's trip
    response = login(personas.worker_a).post(reverse("travel-list"), _form(person_a))
    # then the filings pass by themselves: nothing waits, the report on return is owed
    assert response.status_code == 302
    request = TravelRequest.objects.get()
    assert request.status == "noted"
    assert set(request.steps.values_list("status", flat=True)) == {"filed"}
    assert not Obligation.objects.filter(kind="approval").exists()
    assert Obligation.objects.get(kind="filing", source="event").unit == county.grid_a


def test_j02_p11_a_teacher_leaving_the_city_is_approved_by_the_principal(county, personas):
    _plan(county, personas, "P11-school-winter-exams")
    teacher = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="李老师",
            id_type="resident",
            id_number=make_resident_id(sequence="041"),
            unit=county.school,
            categories=["teacher"],
        ),
    )
    principal = make_user("principal", Role.PRINCIPAL, county.school)
    response = login(principal).post(reverse("travel-list"), _form(teacher))
    assert response.status_code == 302
    step = ApprovalStep.objects.get()
    assert (step.label, step.role, step.approver_unit) == ("校长", "principal", county.school)
    _decide(principal)
    assert TravelRequest.objects.get().status == "approved"
