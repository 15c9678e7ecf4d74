"""Venue codes (场所码) and scans as evidence; a case's trajectory (行程); candidate contacts
proposed from shared visits, accepted into the contact rules or rejected; cases confirmed at once
searched together, each getting what it would have got alone (issue 14, item 3)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.labs.models import TubeKind
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.services import point_create
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.models import Measure, MeasureStatus
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case, ContactCandidate, Exposure, Scan, Venue
from fangkong.tracing.venues import contact_candidates_propose

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> str:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).isoformat()


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def venue_set_up(user, unit, name="泉湖菜市场", kind="venue") -> Venue:
    response = login(user).post(
        reverse("venue-list"), {"unit": unit.pk, "kind": kind, "name": name}
    )
    assert response.status_code == 302
    return Venue.objects.get(name=name)


@pytest.fixture
def person_c(personas, county):
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="王五",
            id_type="resident",
            id_number=make_resident_id(sequence="033"),
            unit=county.grid_a,
            phone="13700137000",
            categories=["resident"],
        ),
    )


def test_venue_set_up_on_the_page_gets_a_code_and_is_listed(county, personas):
    venue = venue_set_up(personas.epidemiologist, county.village_a)
    assert len(venue.code) == 12
    assert venue.code.isdigit()
    assert venue.unit == county.village_a
    page = login(personas.epidemiologist).get(reverse("venue-list")).content.decode()
    assert "泉湖菜市场" in page
    assert venue.code in page
    assert "公共场所" in page
    assert AuditEvent.objects.filter(object_type="venue", object_id=venue.pk).count() == 1


def test_h02_g07_a_shared_visit_proposes_a_contact_who_is_accepted_and_gets_their_measure(
    county, personas, person_a, person_b, person_c
):
    # given P14 in force and a market whose code three people scanned on the same morning
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P14-school-spring-festival",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    venue = venue_set_up(personas.epidemiologist, county.township)
    scans = [
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": venue.code, "phone": "13900139000", "scanned_at": at("2022-01-30T09:40")},
        {"venue": venue.code, "person": person_c.pk, "scanned_at": at("2022-01-30T12:30")},
    ]
    posted = api(personas.epidemiologist).post("/api/scans/", {"scans": scans}, format="json")
    assert posted.json() == {"scans": 3, "unchanged": 0, "errors": []}
    # when person_a is reported a confirmed case
    epidemiologist = login(personas.epidemiologist)
    epidemiologist.post(reverse("case-list"), {"person": person_a.pk, "kind": "confirmed"})
    case = Case.objects.get(person=person_a)
    # then person_b (40 minutes apart) is proposed, person_c (3½ hours apart) is not
    candidate = ContactCandidate.objects.get(case=case)
    assert candidate.person == person_b
    assert (candidate.visits, candidate.gap_seconds) == (1, 2400)
    page = epidemiologist.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "李四" in page
    assert "泉湖菜市场" in page  # the case's trajectory
    assert "场所码扫码" in page
    # when the investigator accepts them
    response = epidemiologist.post(
        reverse("case-detail", args=[case.pk]), {"action": "accept", "candidate": candidate.pk}
    )
    assert response.status_code == 302
    # then they are a close contact of the case, exposed at the shared visit, under quarantine
    exposure = Exposure.objects.get(person=person_b)
    assert exposure.kind == "close_contact"
    assert exposure.via == person_a
    assert exposure.last_exposed_at.isoformat() == "2022-01-30T01:40:00+00:00"
    assert Measure.objects.filter(person=person_b, status=MeasureStatus.ACTIVE).exists()
    candidate.refresh_from_db()
    assert candidate.status == "accepted"
    decisions = AuditEvent.objects.filter(object_type="contact_candidate", object_id=candidate.pk)
    assert decisions.count() == 1
    # and a search again proposes no one already exposed
    epidemiologist.post(reverse("case-detail", args=[case.pk]), {"action": "propose"})
    assert ContactCandidate.objects.filter(case=case).count() == 1


def test_a_rejected_candidate_is_audited_and_not_proposed_again(
    county, personas, person_a, person_b
):
    venue = venue_set_up(personas.epidemiologist, county.township)
    scans = [
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": venue.code, "person": person_b.pk, "scanned_at": at("2022-01-30T08:30")},
    ]
    api(personas.epidemiologist).post("/api/scans/", {"scans": scans}, format="json")
    epidemiologist = login(personas.epidemiologist)
    epidemiologist.post(reverse("case-list"), {"person": person_a.pk, "kind": "suspected"})
    case = Case.objects.get(person=person_a)
    assert not ContactCandidate.objects.exists()  # a suspected case proposes no one by itself
    epidemiologist.post(reverse("case-detail", args=[case.pk]), {"action": "propose"})
    candidate = ContactCandidate.objects.get(case=case)
    epidemiologist.post(
        reverse("case-detail", args=[case.pk]), {"action": "reject", "candidate": candidate.pk}
    )
    candidate.refresh_from_db()
    assert candidate.status == "rejected"
    assert not Exposure.objects.exists()
    assert AuditEvent.objects.filter(object_type="contact_candidate").count() == 2
    epidemiologist.post(reverse("case-detail", args=[case.pk]), {"action": "propose"})
    assert ContactCandidate.objects.filter(case=case).count() == 1


def test_a_sample_at_a_sampling_point_is_a_visit(county, personas, person_a, person_b):
    # given both swabbed at the same sampling point half an hour apart (labs' own rows)
    point = point_create(actor=personas.worker_a, unit=county.village_a, name="甲村采样点")
    assert point.venue is not None
    assert point.venue.kind == "sampling_point"
    for person, barcode, time in ((person_a, "T0001", "09:00"), (person_b, "T0002", "09:30")):
        samples_record(
            actor=personas.commander,
            rows=[
                SampleInput(
                    barcode=barcode,
                    person_id=person.pk,
                    sampled_at=dt.datetime.fromisoformat(f"2022-01-31T{time}+08:00"),
                )
            ],
            kind=TubeKind.SINGLE,
            point=point,
        )
    # when person_a is confirmed
    login(personas.epidemiologist).post(
        reverse("case-list"), {"person": person_a.pk, "kind": "confirmed"}
    )
    # then person_b is proposed through the sample, and no scan row was copied
    case = Case.objects.get(person=person_a)
    candidate = ContactCandidate.objects.get(case=case)
    assert candidate.person == person_b
    assert candidate.venue == point.venue
    assert not Scan.objects.exists()
    page = login(personas.epidemiologist).get(reverse("case-detail", args=[case.pk]))
    assert "甲村采样点" in page.content.decode()


def test_a_batch_with_bad_rows_keeps_the_good_ones_and_names_each_refusal(
    county, personas, person_a, person_b
):
    # given a grid worker of village A and a venue of their village
    venue = venue_set_up(personas.worker_a, county.village_a)
    scans = [
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": "NOSUCHCODE", "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": venue.code, "person": person_b.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": venue.code, "phone": "12345", "scanned_at": at("2022-01-30T09:00")},
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-03-01T09:00")},
        {"venue": venue.code, "phone": "13800138000", "scanned_at": "yesterday"},
        {"venue": venue.code, "phone": "13800138000", "scanned_at": at("2022-01-30T10:00")},
    ]
    # when they post the batch
    response = api(personas.worker_a).post("/api/scans/", {"scans": scans}, format="json")
    # then the two good rows are kept and each bad one is named by index and field, in Chinese
    assert response.status_code == 200
    body = response.json()
    assert body["scans"] == 2
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "venue"),
        (2, "person"),  # person_b lives in village B: outside the worker's units
        (3, "phone"),
        (4, "scanned_at"),
        (5, "scanned_at"),
    ]
    assert "场所码" in body["errors"][0]["reason"]
    assert Scan.objects.count() == 2
    assert set(Scan.objects.values_list("person_id", flat=True)) == {person_a.pk}


def test_a_batch_over_5000_rows_is_refused_whole(county, personas, person_a):
    venue = venue_set_up(personas.epidemiologist, county.village_a)
    row = {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")}
    response = api(personas.epidemiologist).post(
        "/api/scans/", {"scans": [row] * 5001}, format="json"
    )
    assert response.status_code == 400
    assert "scans" in response.json()
    assert not Scan.objects.exists()


def test_a_resent_batch_changes_nothing(county, personas, person_a):
    venue = venue_set_up(personas.epidemiologist, county.village_a)
    scans = [
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at(f"2022-01-30T0{h}:00")}
        for h in range(1, 6)
    ]
    client = api(personas.epidemiologist)
    first = client.post("/api/scans/", {"scans": scans}, format="json").json()
    audited = AuditEvent.objects.count()
    again = client.post("/api/scans/", {"scans": scans}, format="json").json()
    assert first == {"scans": 5, "unchanged": 0, "errors": []}
    assert again == {"scans": 0, "unchanged": 5, "errors": []}
    assert Scan.objects.count() == 5
    assert AuditEvent.objects.count() == audited


def test_scans_file_import_on_the_venues_page(county, personas, person_a):
    venue = venue_set_up(personas.epidemiologist, county.village_a)
    content = (
        "场所码,人员编号,手机号,扫码时间\n"
        f"{venue.code},{person_a.pk},,2022-01-30 09:00\n"
        f"{venue.code},,13800138000,2022-01-30 11:00\n"
        f"{venue.code},,,2022-01-30 12:00\n"
    ).encode()
    response = login(personas.epidemiologist).post(
        reverse("venue-list"), {"file": SimpleUploadedFile("scans.csv", content)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已记录 2 条扫码" in page
    assert list(response.context["outcome"].errors) == [
        {"index": 4, "field": "person", "reason": "请填写人员或手机号。", "label": "人员编号"}
    ]
    assert Scan.objects.count() == 2


def test_stops_entered_by_the_investigator_join_the_trajectory(county, personas, person_a):
    epidemiologist = login(personas.epidemiologist)
    epidemiologist.post(reverse("case-list"), {"person": person_a.pk, "kind": "suspected"})
    case = Case.objects.get(person=person_a)
    url = reverse("case-detail", args=[case.pk])
    response = epidemiologist.post(
        url,
        {
            "action": "stop",
            "place": "亲戚家聚餐",
            "region": "520113",
            "from_at": "2022-01-29T18:00",
            "to_at": "2022-01-29T21:00",
        },
    )
    assert response.status_code == 302
    page = epidemiologist.get(url).content.decode()
    assert "亲戚家聚餐" in page
    assert "流调人员" in page
    # an end before the start is refused, naming the field, and nothing is written
    response = epidemiologist.post(
        url,
        {
            "action": "stop",
            "place": "超市",
            "from_at": "2022-01-29T18:00",
            "to_at": "2022-01-29T17:00",
        },
    )
    assert response.status_code == 400
    assert case.stops.count() == 1
    assert "结束时间早于开始时间" in response.content.decode()


def test_a_neighbour_sees_nothing(county, personas, person_a, person_b):
    # given a venue of village A, a scan there and a confirmed case of village A
    venue = venue_set_up(personas.worker_a, county.village_a)
    scans = [
        {"venue": venue.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
    ]
    api(personas.worker_a).post("/api/scans/", {"scans": scans}, format="json")
    login(personas.worker_a).post(
        reverse("case-list"), {"person": person_a.pk, "kind": "confirmed"}
    )
    case = Case.objects.get(person=person_a)
    # then the grid worker of village B sees neither the venue nor the case, nor posts to it
    neighbour = login(personas.worker_b)
    assert "泉湖菜市场" not in neighbour.get(reverse("venue-list")).content.decode()
    assert api(personas.worker_b).get("/api/venues/").json()["results"] == []
    assert neighbour.get(reverse("case-detail", args=[case.pk])).status_code == 404
    posted = api(personas.worker_b).post(
        "/api/scans/",
        {"scans": [{**scans[0], "person": person_b.pk}]},
        format="json",
    )
    assert posted.json()["errors"][0]["field"] == "venue"
    assert Scan.objects.count() == 1
    # and may not set up a venue in village A
    response = neighbour.post(
        reverse("venue-list"), {"unit": county.village_a.pk, "kind": "shop", "name": "小卖部"}
    )
    assert response.status_code == 400
    assert not Venue.objects.filter(name="小卖部").exists()


def _proposed(case: Case) -> list[tuple[int, int, str, int, int]]:
    return [
        (c.person_id, c.venue_id, c.shared_at.isoformat(), c.visits, c.gap_seconds)
        for c in ContactCandidate.objects.filter(case=case).order_by("-visits", "gap_seconds")
    ]


@pytest.mark.parametrize("statements", ["one", "one a window"])
def test_g07_cases_confirmed_at_once_at_a_shared_venue_get_the_candidates_of_one_by_one(
    county, personas, person_a, person_b, person_c, monkeypatch, statements
):
    # given a market and a shop whose codes the three scanned the same day: person_a and
    # person_c at both, person_b at the market only
    market = venue_set_up(personas.epidemiologist, county.township)
    shop = venue_set_up(personas.epidemiologist, county.township, name="泉湖便利店")
    scans = [
        {"venue": market.code, "person": person_a.pk, "scanned_at": at("2022-01-30T09:00")},
        {"venue": market.code, "person": person_c.pk, "scanned_at": at("2022-01-30T09:20")},
        {"venue": market.code, "person": person_b.pk, "scanned_at": at("2022-01-30T09:40")},
        {"venue": shop.code, "person": person_a.pk, "scanned_at": at("2022-01-30T14:00")},
        {"venue": shop.code, "person": person_c.pk, "scanned_at": at("2022-01-30T14:30")},
    ]
    posted = api(personas.epidemiologist).post("/api/scans/", {"scans": scans}, format="json")
    assert posted.json() == {"scans": 5, "unchanged": 0, "errors": []}
    # when person_a and person_b are confirmed one after the other on the case page
    epidemiologist = login(personas.epidemiologist)
    for person in (person_a, person_b):
        response = epidemiologist.post(
            reverse("case-list"), {"person": person.pk, "kind": "confirmed"}
        )
        assert response.status_code == 302
    case_a, case_b = Case.objects.get(person=person_a), Case.objects.get(person=person_b)
    # then each is proposed the others it met, the one met at both places first
    alone = {case_a.pk: _proposed(case_a), case_b.pk: _proposed(case_b)}
    assert [row[0] for row in alone[case_a.pk]] == [person_c.pk, person_b.pk]
    assert [row[3:] for row in alone[case_a.pk]] == [(2, 1200), (1, 2400)]
    assert [row[0] for row in alone[case_b.pk]] == [person_c.pk, person_a.pk]
    # when the same two cases are searched at once (in as many statements as windows, too)
    ContactCandidate.objects.all().delete()
    if statements == "one a window":
        monkeypatch.setattr(connection.features, "max_query_params", 12)
    proposed = contact_candidates_propose(actor=personas.epidemiologist, cases=[case_a, case_b])
    # then each case has exactly the candidates it had alone
    assert proposed == 4
    assert {case_a.pk: _proposed(case_a), case_b.pk: _proposed(case_b)} == alone
