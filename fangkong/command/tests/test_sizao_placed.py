"""The 四早 board times each case to its close contacts all placed (早隔离; N-11: onset → report →
investigation → contacts placed; G-08: contacts transferred within 12 h), through the board's page
and API and the case's page; the contacts' 12 h transfers are a kind of their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from fangkong.command.tests.test_sizao import at, response  # noqa: F401 - a fixture
from fangkong.core import clock
from fangkong.labs.tests.test_labs import villagers
from fangkong.quarantine.services import people_place, rooms_create
from fangkong.quarantine.tests.test_quarantine import site_create
from fangkong.tracing.models import Case
from fangkong.tracing.services import exposure_record

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2022-01-26", "to": "2022-02-02"}
PLACED_LABEL = "判定首个密接 → 密接全部隔离到位"


def _board(client, moment: str) -> tuple[str, dict]:
    with clock.frozen(at(moment)):
        page = client.get(reverse("sizao"), PERIOD).content.decode()
        api = client.get("/api/command/sizao/", PERIOD).json()
    return page, api


def test_n11_g08_a_case_counts_from_its_first_contact_to_the_last_of_its_contacts_placed(
    county,
    personas,
    person_a,
    person_b,
    response,  # noqa: F811
):
    # given village A's case with close contacts: 李四 found at 14:00 (the fixture; a case
    # herself, she goes to hospital, not to a room) and two villagers at 14:30 under P01's
    # central quarantine, and a site with four rooms
    commander = personas.commander
    first, second = villagers(county, personas, 2, first=300)
    with clock.frozen(at("2022-02-01T14:30")):
        for villager in (first, second):
            exposure_record(
                actor=commander, person=villager, kind="close_contact",
                last_exposed_at=at("2022-01-31T20:00"), via=person_a,
            )  # fmt: skip
    site = site_create(personas, county, "QS1", "县集中隔离点")
    rooms_create(actor=commander, site=site, floors=(1, 1), rooms=(1, 4), capacity=1)
    case = Case.objects.get(person=person_a).pk
    county_office = login(commander)
    # when the first villager is placed at 16:00, the second still waiting
    with clock.frozen(at("2022-02-01T16:00")):
        people_place(actor=commander, site=site, person_ids=[first.pk])
    _page, api = _board(county_office, "2022-02-01T17:00")
    # then the case's contacts are not all placed yet
    steps = {row["case"]: row for row in api["cases"]}
    assert (steps[case]["contacts_placed_at"], steps[case]["placed_minutes"]) == (None, None)
    # when the second is placed at 18:00
    with clock.frozen(at("2022-02-01T18:00")):
        people_place(actor=commander, site=site, person_ids=[second.pk])
    page, api = _board(county_office, "2022-02-01T19:00")
    # then the case took 4 hours from its first contact (14:00) to the last placed (18:00)
    steps = {row["case"]: row for row in api["cases"]}
    assert steps[case]["contacts_placed_at"] == "2022-02-01T10:00:00Z"  # 18:00 in Shanghai
    assert steps[case]["placed_minutes"] == 240
    assert api["intervals"][-1] == {
        "name": "placed",
        "label": PLACED_LABEL,
        "median_minutes": 240,  # village B's case has no contact: it counts in no median
    }
    assert page.count(f'data-label="{PLACED_LABEL}">4小时0分<') == 2  # the median and the case
    # and the contacts' transfers within 12 h (G-08) are a kind of their own, after the cases'
    # transfers (the outbreak's, G-06), not yet due
    kinds = [row["kind"] for row in api["kinds"]]
    assert kinds.index("contacts_placed") == kinds.index("transfer") + 1
    placed, transfer = (
        next(row for row in api["kinds"] if row["kind"] == kind)
        for kind in ("contacts_placed", "transfer")
    )
    assert placed["label"] == "密接转运隔离"
    assert placed["due"] == placed["not_yet_due"] >= 2
    assert transfer["due"] == 1
    assert '<tr data-kind="contacts_placed">' in page
    # and the case's own page shows the same step
    case_page = county_office.get(reverse("case-detail", args=[case])).content.decode()
    assert PLACED_LABEL in case_page
    assert f'data-label="{PLACED_LABEL}">4小时0分<' in case_page
    # and village B's worker sees neither the case nor its contacts on the board
    page, api = _board(login(personas.worker_b), "2022-02-01T19:00")
    assert case not in {row["case"] for row in api["cases"]}
    assert api["intervals"][-1]["median_minutes"] is None
    assert "村民" not in page
