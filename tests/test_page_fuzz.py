"""Every page of every persona, with tampered query parameters and form fields: never a 5xx.

The API has its schema fuzzed (test_api_fuzz.py); pages have no schema, so this test learns which
query parameters and form fields each page reads by recording the reads of one plain request, then
sends each of them tampered: non-numeric ids, far dates, huge numbers, NaN, very long strings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import County, Personas, make_user
from fangkong.core import clock
from fangkong.gates.services import gate_create
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import lab, pool, screening
from fangkong.monitoring.models import FeverEvent
from fangkong.monitoring.services import self_link_create
from fangkong.monitoring.tests.test_monitoring import as_, under
from fangkong.movement.models import ApprovalStep, GatheringApplication, TravelRequest
from fangkong.movement.reservations import venue_link_token, venue_slot_create
from fangkong.obligations.models import Obligation
from fangkong.org.models import Membership, Region
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import ImportJob, Person
from fangkong.policy.services import RiskAreaInput, risk_area_create
from fangkong.tracing.venues import venue_create

__all__ = ["lab", "screening"]  # fixtures of the testing app's tests

PACK = "P15-kindergarten-drill"
TAMPERED = [
    "abc",
    "-1",
    "99999999999999999999",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "x" * 5000,
]
# Pages left out: the API is fuzzed from its schema, the admin is Django's, logging out would end
# the session the other requests need.
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/", "logout/")


def _patterns(resolvers: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        elif entry.name and not route.startswith(SKIPPED_PREFIXES):
            yield route, entry


class _Reads:
    """The keys a view reads from request.GET and request.POST (QueryDicts)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys: set[str] = set()
        # Not ``in``: parsing a form body asks it of every field sent.
        for name in ("get", "getlist", "__getitem__"):
            original = getattr(QueryDict, name)
            monkeypatch.setattr(QueryDict, name, self._recording(original))

    def _recording(self, original: Any) -> Any:
        def read(data: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                self.keys.add(key)
            return original(data, key, *args, **kwargs)

        return read

    def of(self, send: Any) -> set[str]:
        self.keys = set()
        send()
        return self.keys - {"csrfmiddlewaretoken", "lang"}


@pytest.fixture
def pages(
    county: County, personas: Personas, person_a: Person, person_b: Person, screening, lab
) -> list[str]:
    """The URL of every page, its path ids filled from real objects."""
    under(PACK, county, personas)
    as_(person_a, "staff")
    api = Client()
    api.force_login(personas.commander)
    for value in ("37.9", "38.0"):
        api.post("/api/checkins/", {"person": person_a.pk, "celsius": value})
    samples_record(actor=personas.commander, rows=pool("FUZZ-0001", [person_a]), round=screening)
    area = risk_area_create(
        actor=personas.commander,
        data=RiskAreaInput(
            Region.objects.get(code="210211"), "high", dt.date(2022, 1, 20), None, "fuzz"
        ),
        recompute=False,
    )
    cases = [
        api.post("/api/cases/", {"person": person.pk, "kind": "confirmed"}).json()["id"]
        for person in (person_a, person_b)
    ]
    outbreak = api.post("/api/outbreaks/", {"cases": cases}, content_type="application/json")
    job = ImportJob.objects.create(
        created_by=personas.commander, unit=county.hq, file_name="a.xlsx", stored_file="a.xlsx"
    )
    site = unit_create(
        code="FUZZ-SITE", name="模糊测试隔离点", kind="quarantine_site", region=county.hq.region,
        parent=county.hq,
    )  # fmt: skip
    application = GatheringApplication.objects.create(
        unit=county.village_a, approver_unit=county.township, type="event", organiser="village",
        purpose="other", people=40, place="村委会", held_on=dt.date(2022, 2, 3),
        organiser_name="fuzz", organiser_phone="13800000000", pack_id=PACK,
        verdict="approval_required", status="pending", created_at=clock.now(),
    )  # fmt: skip
    trip = TravelRequest.objects.create(
        person=person_a, unit=county.grid_a, to_country="USA", leave_on=dt.date(2022, 2, 10),
        return_on=dt.date(2022, 2, 12), reason="fuzz", pack_id=PACK, verdict="approval_required",
        status="pending", created_at=clock.now(),
    )  # fmt: skip
    step = ApprovalStep.objects.create(
        request=trip, position=1, label="本单位", role="commander", approver_unit=county.hq,
        status="waiting",
    )  # fmt: skip
    venue = venue_create(
        actor=personas.commander, unit=county.village_a, kind="culture", name="模糊测试场馆"
    )
    venue_slot_create(actor=personas.commander, venue=venue, day=dt.date(2022, 2, 2),
                      starts_at=dt.time(9), ends_at=dt.time(10), capacity=5)  # fmt: skip
    ids = {
        "unit_id": county.grid_a.pk,  # person_a's: the class screen lists them
        "person_id": person_a.pk,
        "event_id": FeverEvent.objects.values_list("pk", flat=True).first() or 1,
        "obligation_id": Obligation.objects.values_list("pk", flat=True).first() or 1,
        "area_id": area.pk,
        # A bystander's: revoking a persona's own would change what the next requests see.
        "membership_id": Membership.objects.get(
            user=make_user("bystander", Role.VIEWER, county.hq)
        ).pk,
        "job_id": job.pk,
        "case_id": cases[0],
        "outbreak_id": outbreak.json()["id"],
        "site_id": site.pk,
        "application_id": application.pk,
        "request_id": trip.pk,
        "step_id": step.pk,
        "sale_id": 1,  # no sale: every persona's answer is a 404 or a refusal
        "injury_id": 1,  # no work injury: likewise
        "gate_id": gate_create(
            actor=personas.commander, unit=county.village_a, kind="village_checkpoint", name="卡点"
        ).pk,
        "venue_id": venue.pk,
        "reservation_id": 1,  # no reservation: every persona's answer is a 404
        "run_id": 1,  # no playbook run: likewise
        "round_id": screening.pk,
        "barcode": "FUZZ-0001",
        "pack_id": PACK,
        "token": self_link_create(actor=personas.commander, person=person_a),
        "booking_token": venue_link_token(venue),
    }
    urls = []
    for _route, pattern in _patterns(get_resolver().url_patterns):
        names = list(pattern.pattern.converters)  # type: ignore[attr-defined]
        urls.append(reverse(pattern.name or "", kwargs={name: ids[name] for name in names}))
    return urls


def _personas(personas: Personas) -> list[Any]:
    return [getattr(personas, f.name) for f in dataclasses.fields(personas)]


@pytest.mark.slow
def test_no_tampered_page_request_causes_a_server_error(
    pages: list[str], personas: Personas, county: County, person_a: Person, monkeypatch
):
    # given: plausible form values, so that a POST gets past its first check to the next field
    plausible = {
        "unit": str(county.grid_a.pk),
        "person": str(person_a.pk),
        "day": "2022-01-31",
        "on": "2022-01-31",
        "starts_at": "2022-02-01 08:00",
        "name": "fuzz",
        "tube": "FUZZ-0002",
        "people": str(person_a.pk),
    }
    reads = _Reads(monkeypatch)
    failures: list[str] = []

    def send(client: Client, method: str, url: str, data: dict[str, str]) -> None:
        # A database error (PostgreSQL) would abort the test's transaction: report it, go on.
        savepoint = transaction.savepoint()
        response = client.get(url, data) if method == "GET" else client.post(url, data)
        if response.status_code >= 500:
            transaction.set_rollback(False)  # Django's flag; the savepoint undoes the rest
            transaction.savepoint_rollback(savepoint)
            shown = {key: value[:30] for key, value in data.items()}
            failures.append(f"{response.status_code} {method} {url} {shown}")
        else:
            transaction.savepoint_commit(savepoint)

    commander = Client(raise_request_exception=False)
    commander.force_login(personas.commander)
    keys = {
        url: (
            reads.of(lambda: commander.get(url)),  # noqa: B023 - called at once
            reads.of(lambda: commander.post(url, plausible)),  # noqa: B023
        )
        for url in pages
    }
    # when: the commander (who sees everything) sends each key read tampered with each value,
    for url, (read_get, read_post) in keys.items():
        for value in TAMPERED:
            for key in read_get:
                send(commander, "GET", url, {key: value})
            for key in read_post:
                send(commander, "POST", url, plausible | {key: value})
        # and ids in the path too large for the database;
        huge = "/".join(TAMPERED[2] if part.isdigit() else part for part in url.split("/"))
        if huge != url:
            send(commander, "GET", huge, {})
    # the other personas every key at once, the value turning with the persona
    for number, user in enumerate(_personas(personas)):
        if user == personas.commander:
            continue
        client = Client(raise_request_exception=False)
        client.force_login(user)
        value = TAMPERED[number % len(TAMPERED)]
        for url, (read_get, read_post) in keys.items():
            send(client, "GET", url, dict.fromkeys(read_get, value))
            send(client, "POST", url, plausible | dict.fromkeys(read_post, value))
    # then
    assert not failures, "\n".join(failures)
