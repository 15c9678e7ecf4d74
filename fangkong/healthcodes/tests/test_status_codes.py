"""Status codes (issue 16, item 4): a person's colour from their measures, results and symptoms,
shown on the person page as a signed QR that a gate checks without the register."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login, make_user
from fangkong.core import clock
from fangkong.healthcodes.codes import MAX_TOKEN, qr_svg
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import lab, pool, result, screening  # noqa: F401 - fixtures
from fangkong.monitoring.services import checkins_record
from fangkong.monitoring.tests.test_monitoring import reading
from fangkong.org.roles import Role
from fangkong.policy.services import plan_assign

pytestmark = pytest.mark.django_db


def _code_on_person_page(client: Client, person) -> tuple[str, str]:
    """(colour, the token its QR carries) as the person page shows them."""
    page = client.get(reverse("person-detail", args=[person.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    colour = re.search(r'data-testid="status-code" data-colour="(\w+)"', text)
    assert colour is not None
    assert "<svg" in text
    return colour.group(1), page.context["status_code"].token


def _check_url(token: str) -> str:
    return reverse("code-check") + "?" + f"t={token}"


def test_e21_a_person_without_measures_results_or_symptoms_has_a_green_code_a_gate_accepts(
    personas, person_a
):
    # given a person on the register, as the village sees them
    colour, token = _code_on_person_page(login(personas.worker_a), person_a)
    assert colour == "green"
    # the code names neither the ID number nor the person
    assert person_a.id_masked[:6] not in token
    # when a gate opens what the QR carries, without signing in
    gate = Client().get(_check_url(token))
    # then it sees the colour and the validity window, and nothing of the person
    text = gate.content.decode()
    assert gate.status_code == 200
    assert 'data-colour="green"' in text
    assert "2022-02-01 18:00" in text
    assert "2022-02-02 18:00" in text
    assert person_a.name not in text
    assert person_a.phone not in text


def test_e19_e20_a_fever_with_a_dry_cough_turns_the_code_yellow(county, personas, person_a):
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    checkins_record(
        actor=personas.worker_a,
        rows=[reading(person_a, "2022-02-01T08:00", "38.2", symptoms=["dry_cough"])],
    )
    colour, token = _code_on_person_page(login(personas.worker_a), person_a)
    assert colour == "yellow"
    assert 'data-colour="yellow"' in Client().get(_check_url(token)).content.decode()


def test_e21_a_positive_result_turns_the_code_red(
    county,
    personas,
    person_a,
    screening,  # noqa: F811
    lab,  # noqa: F811
):
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T4000", [person_a]))
    technician = make_user("tech", Role.LAB_TECHNICIAN, lab)
    results_record(actor=technician, lab=lab, rows=[result("T4000", "阳性", "28.1")])
    colour, _token = _code_on_person_page(login(personas.worker_a), person_a)
    assert colour == "red"


def test_e21_the_qr_on_the_person_page_opens_the_gates_check(personas, person_a):
    page = login(personas.worker_a).get(reverse("person-detail", args=[person_a.pk]))
    token = page.context["status_code"].token
    # the QR drawn is that of the check page's address with the token
    url = "http://testserver" + reverse("code-check") + "?" + urlencode({"t": token})
    assert qr_svg(url) in page.content.decode()
    assert parse_qs(urlparse(url).query)["t"] == [token]
    assert 'data-colour="green"' in Client().get(url).content.decode()


def test_e21_a_tampered_code_fails_and_an_expired_one_too(personas, person_a):
    _colour, token = _code_on_person_page(login(personas.worker_a), person_a)
    payload, rest = token.split(":", 1)
    # a green code turned into another person's or another colour by editing the payload
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + ":" + rest
    page = Client().get(_check_url(tampered)).content.decode()
    assert 'data-colour=""' in page
    assert "不是有效" in unescape(page) or "not genuine" in page
    api = APIClient()
    api.force_authenticate(personas.worker_b)
    answer = api.post("/api/health-codes/check/", {"token": tampered}, format="json").json()
    assert answer["valid"] is False
    assert answer["colour"] is None
    # the genuine code, a day and an hour later
    with clock.frozen(clock.now() + dt.timedelta(hours=25)):
        late = api.post("/api/health-codes/check/", {"token": token}, format="json").json()
    assert late["valid"] is False
    genuine = api.post("/api/health-codes/check/", {"token": token}, format="json").json()
    assert (genuine["valid"], genuine["colour"]) == (True, "green")
    assert set(genuine) == {"valid", "reason", "colour", "valid_from", "valid_until"}


@pytest.mark.parametrize("token", ["", " ", "x" * (MAX_TOKEN + 1)])
def test_e21_what_is_not_a_code_is_refused_with_400(personas, token):
    api = APIClient()
    api.force_authenticate(personas.worker_a)
    response = api.post("/api/health-codes/check/", {"token": token}, format="json")
    assert response.status_code == 400
    assert "token" in response.json()
    if token.strip():
        assert Client().get(_check_url(token)).status_code == 400


def test_e21_a_persons_code_through_the_api_is_for_who_may_open_the_person(personas, person_a):
    api = APIClient()
    api.force_authenticate(personas.worker_a)
    code = api.get(f"/api/health-codes/people/{person_a.pk}/").json()
    assert code["colour"] == "green"
    api.force_authenticate(personas.worker_b)
    assert api.get(f"/api/health-codes/people/{person_a.pk}/").status_code == 404
