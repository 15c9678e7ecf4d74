"""A case's candidate contacts (候选密接) through the API: listed, searched again, accepted into the
contact rules or rejected; the neighbour and the lab see nothing, bad ids and decisions are
refused (issue 14, item 3)."""

from __future__ import annotations

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.tracing.models import ContactCandidate, Exposure
from fangkong.tracing.tests.test_venues import api, at, venue_set_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(county, personas, person_a, person_b) -> int:
    """person_a confirmed through the API after sharing a market with person_b 30 minutes
    apart."""
    venue = venue_set_up(personas.epidemiologist, county.township)
    scans = [
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": venue.code, "person": person_b.pk, "scanned_at": at("2022-01-30T08:30")},
    ]
    api(personas.epidemiologist).post("/api/scans/", {"scans": scans}, format="json")
    reported = api(personas.epidemiologist).post(
        "/api/cases/", {"person": person_a.pk, "kind": "confirmed"}, format="json"
    )
    assert reported.status_code == 201
    return int(reported.json()["id"])


def test_g07_candidates_are_listed_and_an_accepted_one_becomes_a_close_contact(
    case, personas, person_a, person_b
):
    client = api(personas.epidemiologist)
    listed = client.get(f"/api/cases/{case}/candidates/")
    assert listed.status_code == 200
    [candidate] = listed.json()
    assert (candidate["person"], candidate["name"]) == (person_b.pk, "李四")
    assert (candidate["venue_name"], candidate["visits"], candidate["gap_seconds"]) == (
        "泉湖菜市场",
        1,
        1800,
    )
    assert candidate["status"] == "proposed"
    decided = client.post(
        f"/api/cases/{case}/candidates/{candidate['id']}/", {"decision": "accept"}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "accepted"
    exposure = Exposure.objects.get(person=person_b)
    assert (exposure.kind, exposure.via) == ("close_contact", person_a)
    assert AuditEvent.objects.filter(
        object_type="contact_candidate", object_id=candidate["id"]
    ).exists()
    # deciding again is refused, naming the field, and changes nothing
    again = client.post(
        f"/api/cases/{case}/candidates/{candidate['id']}/", {"decision": "reject"}, format="json"
    )
    assert again.status_code == 400
    assert "candidate" in again.json()
    assert "已" in str(again.json())
    assert ContactCandidate.objects.get(pk=candidate["id"]).status == "accepted"
    # a new search proposes no one exposed through the case already
    searched = client.post(f"/api/cases/{case}/candidates/")
    assert searched.status_code == 200
    assert [c["status"] for c in searched.json()] == ["accepted"]


def test_a_candidate_rejected_through_the_api_is_not_exposed(case, personas):
    client = api(personas.epidemiologist)
    candidate = ContactCandidate.objects.get(case_id=case)
    decided = client.post(
        f"/api/cases/{case}/candidates/{candidate.pk}/", {"decision": "reject"}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "rejected"
    assert not Exposure.objects.exists()


def test_bad_candidate_ids_and_decisions_are_refused(case, personas, person_b):
    client = api(personas.epidemiologist)
    candidate = ContactCandidate.objects.get(case_id=case)
    bad = client.post(
        f"/api/cases/{case}/candidates/{candidate.pk}/", {"decision": "maybe"}, format="json"
    )
    assert bad.status_code == 400
    assert "decision" in bad.json()
    assert "选项" in str(bad.json())  # DRF's Chinese "not a valid choice"
    for path in (
        f"/api/cases/{case}/candidates/{candidate.pk + 1}/",
        f"/api/cases/{case}/candidates/99999999999999999999/",
        f"/api/cases/{case + 1}/candidates/{candidate.pk}/",
    ):
        refused = client.post(path, {"decision": "accept"}, format="json")
        assert refused.status_code == 404, path
    assert client.get(f"/api/cases/{case}/candidates/x/").status_code == 404
    assert ContactCandidate.objects.get(pk=candidate.pk).status == "proposed"
    assert not Exposure.objects.exists()


def test_neighbour_and_lab_see_no_candidates_and_decide_none(case, personas):
    candidate = ContactCandidate.objects.get(case_id=case)
    for user in (personas.worker_b, personas.lab):
        client = api(user)
        assert client.get(f"/api/cases/{case}/candidates/").status_code in (403, 404)
        refused = client.post(
            f"/api/cases/{case}/candidates/{candidate.pk}/", {"decision": "accept"}, format="json"
        )
        assert refused.status_code in (403, 404)
    assert ContactCandidate.objects.get(pk=candidate.pk).status == "proposed"
    assert not Exposure.objects.exists()
