"""Cases confirmed at once (issue 14: 100 cases confirmed at once matched in under 10 s): a list
of people reported in one request, all or none, each with its plan's 2 h report and the
candidate contacts it would have got alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from conftest import login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.obligations.models import Obligation
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case, ContactCandidate
from fangkong.tracing.tests.test_venues import api, at, person_c, venue_set_up  # noqa: F401

pytestmark = pytest.mark.django_db


def _candidates(person_ids: list[int]) -> dict[int, list[tuple[int, int, int, int]]]:
    """Each confirmed person's candidate contacts: who, where, how many visits, how near."""
    return {
        person_id: [
            (c.person_id, c.venue_id, c.visits, c.gap_seconds)
            for c in ContactCandidate.objects.filter(case__person_id=person_id).order_by(
                "-visits", "gap_seconds", "person_id"
            )
        ]
        for person_id in person_ids
    }


def test_g04_g07_three_confirmed_at_once_get_their_2h_reports_and_the_candidates_of_one_by_one(
    county,
    personas,
    person_a,
    person_b,
    person_c,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # given the plan in force and a market whose code the three and a neighbour scanned
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    market = venue_set_up(personas.epidemiologist, county.township)
    shop = venue_set_up(personas.epidemiologist, county.township, name="泉湖便利店")
    scans = [
        {"venue": market.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": market.code, "person": person_c.pk, "scanned_at": at("2022-01-30T09:20")},
        {"venue": market.code, "person": person_b.pk, "scanned_at": at("2022-01-30T09:40")},
        {"venue": shop.code, "person": person_a.pk, "scanned_at": at("2022-01-30T14:00")},
        {"venue": shop.code, "person": person_c.pk, "scanned_at": at("2022-01-30T14:30")},
    ]
    client = api(personas.epidemiologist)
    assert client.post("/api/scans/", {"scans": scans}, format="json").status_code == 200
    people = [person_a.pk, person_b.pk, person_c.pk]
    rows = [{"person": pk, "kind": "confirmed", "note": "复核阳性"} for pk in people]
    # and what confirming them one by one proposes (undone afterwards)
    with transaction.atomic():
        for row in rows:
            assert client.post("/api/cases/", row, format="json").status_code == 201
        one_by_one = _candidates(people)
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    # when the county confirms the three at once
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/cases/batch/", {"cases": rows}, format="json")
    # then three confirmed cases, each audited, each with its 2 h direct report (G-04)
    assert response.status_code == 201
    assert sorted(case["person"] for case in response.json()) == people
    cases = Case.objects.filter(person__in=people, kind="confirmed", note="复核阳性")
    assert cases.count() == 3
    for case in cases:
        report = Obligation.objects.of_case(case.pk).get(kind="direct_report")
        assert report.due_at == case.reported_at + dt.timedelta(hours=2)
        assert AuditEvent.objects.filter(object_type="case", object_id=case.pk).count() == 1
    # and each has the candidate contacts it had when confirmed alone (G-07)
    assert _candidates(people) == one_by_one
    assert [row[0] for row in one_by_one[person_a.pk]] == [person_c.pk, person_b.pk]


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ("outside", "person", "您无权修改此人员。"),
        ("future", "reported_at", "报告时间不能晚于当前时间。"),
        (
            "no offset",
            "reported_at",
            "不是有效时间（格式如2022-02-01T08:00+08:00）：2022-02-01 08:00:00",
        ),
        ("twice", "person", "名单中重复列出了此人。"),
        ("in course", "person", "此人已有未结案的病例，请在该病例上更改类别。"),
    ],
)
def test_g04_a_bad_row_refuses_the_whole_list_naming_its_row(
    county,
    personas,
    person_a,
    person_b,
    person_c,  # noqa: F811
    bad,
    field,
    reason,
):
    # given two good rows and a third that is bad
    rows: list[dict[str, object]] = [
        {"person": person_a.pk, "kind": "confirmed"},
        {"person": person_c.pk, "kind": "asymptomatic"},
    ]
    third: dict[str, object] = {"person": person_b.pk, "kind": "confirmed"}
    if bad == "outside":
        third["person"] = 2**40  # no one the worker reaches
    elif bad == "future":
        third["reported_at"] = (clock.now() + dt.timedelta(days=1)).isoformat()
    elif bad == "no offset":
        third["reported_at"] = "2022-02-01T08:00"
    elif bad == "twice":
        third["person"] = person_a.pk
    else:
        login(personas.commander).post("/cases/", {"person": person_b.pk, "kind": "suspected"})
    before = Case.objects.count(), AuditEvent.objects.filter(object_type="case").count()
    # when the list is sent
    response = api(personas.commander).post(
        "/api/cases/batch/", {"cases": [*rows, third]}, format="json"
    )
    # then it is refused as a whole, naming the third row, its field and the reason
    assert response.status_code == 400
    assert response.json() == {"problems": [{"row": 3, "field": field, "reason": reason}]}
    assert (Case.objects.count(), AuditEvent.objects.filter(object_type="case").count()) == before


def test_g04_a_neighbour_unit_cannot_confirm_our_people_and_a_list_is_bounded(
    county, personas, person_a, person_b
):
    # when the worker of 乙村 confirms 甲村's person beside their own
    rows = [
        {"person": person_b.pk, "kind": "confirmed"},
        {"person": person_a.pk, "kind": "confirmed"},
    ]
    response = api(personas.worker_b).post("/api/cases/batch/", {"cases": rows}, format="json")
    # then the whole list is refused at 甲村's row and nobody has a case
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"row": 2, "field": "person", "reason": "您无权修改此人员。"}
    ]
    assert not Case.objects.exists()
    # and a list longer than 500 rows is refused before any is read
    too_many = {"cases": [rows[0]] * 501}
    response = api(personas.worker_b).post("/api/cases/batch/", too_many, format="json")
    assert response.status_code == 400
    assert "cases" in response.json()
    assert not Case.objects.exists()
