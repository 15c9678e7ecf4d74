"""Every panel of the home page over the API (issue 14): GET /api/command/ gives the pharmacy
sentinels, vaccination coverage, the last drill, supplies and disinfection, the quarantine sites,
the measures and the cases panel with the figures and Chinese labels the page shows, over the
same scope: a village's worker their village's, the neighbour none of them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_resident_id, make_user
from fangkong.core import clock
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import Person
from fangkong.playbooks.services import run_finish, run_start
from fangkong.policy.services import plan_assign
from fangkong.quarantine.services import rooms_create
from fangkong.quarantine.tests.test_quarantine import site_create
from fangkong.readiness.disinfection import schedule_add
from fangkong.readiness.supplies import stock_receive
from fangkong.vaccination.services import DoseInput, dose_record

pytestmark = pytest.mark.django_db


def _doses(personas: Personas, person: Person, id_number: str, doses: int) -> None:
    for number in range(1, doses + 1):
        dose_record(
            actor=personas.commander,
            data=DoseInput(
                name=person.name, id_number=id_number, number=number,
                given_on=dt.date(2021, 5 + number, 1), vaccine="新冠病毒灭活疫苗(Vero细胞)",
            ),
        )  # fmt: skip


@pytest.fixture
def panels(county: County, personas: Personas, person_a: Person, person_b: Person) -> None:
    """Village A: a pharmacy buyer, a fully vaccinated villager, a scored drill, stock expiring
    and a place to disinfect six times a day; village B: one dose. A quarantine site of the
    county with four rooms."""
    commander = personas.commander
    pharmacy = unit_create(
        code="PH1", name="益康大药房", kind="pharmacy", region=county.township.region,
        parent=county.township,
    )  # fmt: skip
    login(make_user("pharmacist", Role.PHARMACIST, pharmacy)).post(
        reverse("sale-list"),
        {
            "pharmacy": pharmacy.pk, "name": "赵六", "id_number": make_resident_id(sequence="201"),
            "phone": "13800138002", "village": county.village_a.pk, "address": "甲村3组",
            "category": "fever", "temperature": "38.2",
            "sold_at": (clock.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        },
    )  # fmt: skip
    _doses(personas, person_a, make_resident_id(sequence="011"), 2)
    _doses(personas, person_b, make_resident_id(sequence="022"), 1)
    plan_assign(
        actor=commander, unit=county.village_a, pack_id="P15-kindergarten-drill",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    run = run_start(
        actor=commander, unit=county.village_a, playbook_id="drill-child-fever-at-arrival",
        drill=True, names={},
    )  # fmt: skip
    run_finish(actor=commander, run_id=run.pk)
    stock_receive(
        actor=commander, unit=county.village_a, item="mask", quantity=10,
        expires_on=dt.date(2022, 2, 10),
    )  # fmt: skip
    # every four hours: at 18:00 (local) those of 20:00 and of midnight are owed today
    schedule_add(actor=commander, unit=county.village_a, place="村委会", times_per_day=6)
    site = site_create(personas, county, "QS1", "县集中隔离点")
    rooms_create(actor=commander, site=site, floors=(2, 2), rooms=(1, 4), capacity=1)


def _api(user) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/command/")
    assert response.status_code == 200
    return response.json()


def _panel(page: str, name: str) -> str:
    """The markup of one panel of the home page."""
    assert f'data-panel="{name}"' in page, name
    return page.split(f'data-panel="{name}"')[1].split("data-panel=")[0]


def _cells(markup: str) -> list[str]:
    """The text of each table cell, tags and spaces left out."""
    return [
        re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", markup, re.S)
    ]


def _assert_page_shows(page: str, api: dict) -> None:
    """Each panel of the page shows the API's figures."""
    pharmacies = api["pharmacies"]["rows"]
    if pharmacies:
        assert api["pharmacies"]["label"] in _panel(page, "pharmacies")
        assert _cells(_panel(page, "pharmacies")) == [
            str(cell)
            for row in pharmacies
            for cell in (row["name"], row["today"], row["week"], row["follow_ups_open"])
        ]
    else:
        assert 'data-panel="pharmacies"' not in page
    vaccination = _panel(page, "vaccination")
    for figures in (api["vaccination"]["everyone"], api["vaccination"]["elderly"]):
        assert figures["label"] in vaccination
        assert f"{figures['full']} / {figures['people']} · <b>{figures['percent']}%</b>" in (
            vaccination
        )
    assert f"<span>{api['vaccination']['everyone']['boosted']}</span>" in vaccination
    drill = api["last_drill"]["run"]
    if drill is None:
        assert "尚无评分的演练" in vaccination
    else:
        assert f"{drill['unit']} · {drill['name']}" in vaccination
        assert f"得分{drill['score']}" in vaccination
    readiness = _panel(page, "readiness")
    figures = api["readiness"]
    assert api["readiness"]["label"] in readiness
    assert f"{figures['units_short']}个单位物资低于储备标准" in readiness
    assert (
        f"今日待消毒{figures['disinfections_due']}次，逾期{figures['disinfections_overdue']}次"
        in readiness
    )
    if figures["units_expiring"]:
        assert f"{figures['units_expiring']}个单位有临期物资" in readiness
    if api["sites"] is None:
        assert 'data-panel="sites"' not in page
    else:
        assert _cells(_panel(page, "sites")) == [
            str(cell)
            for line in api["sites"]["sites"]
            for cell in (
                line["name"],
                sum(line["rooms"].values()),
                *(line["rooms"][s] for s in ("occupied", "free", "to_disinfect", "out_of_service")),
                line["beds"],
                line["free_beds"],
                line["people"],
            )
        ]
    measures = _panel(page, "measures")
    for row in api["measures"]:
        assert f">{row['label']}</a><span>{row['people']}</span>" in measures
    cases = _panel(page, "cases")
    assert f'data-testid="cases-new">{api["cases"]["new_today"]}<' in cases
    assert f"近{api['cases']['days']}天四早时限按时率" in cases


def test_the_api_gives_the_county_every_panel_of_its_home_page(county, personas, panels):
    # when the county's commander opens the home page and reads the API
    page = login(personas.commander).get("/").content.decode()
    api = _api(personas.commander)
    # then the API has each panel, with the figures the page shows
    _assert_page_shows(page, api)
    assert api["pharmacies"] == {
        "label": "药店哨点",
        "rows": [{"name": "益康大药房", "today": 1, "week": 1, "follow_ups_open": 1}],
    }
    assert api["vaccination"]["label"] == "疫苗接种率"
    # (the pharmacy's buyer joined village A's register: three people, one fully vaccinated)
    assert (api["vaccination"]["everyone"]["people"], api["vaccination"]["everyone"]["full"]) == (
        3,
        1,
    )
    assert api["last_drill"]["run"]["unit"] == county.village_a.name
    assert api["last_drill"]["run"]["score"] is not None
    assert api["readiness"]["units_expiring"] == 1
    assert api["readiness"]["disinfections_due"] == 2
    assert [site["name"] for site in api["sites"]["sites"]] == ["县集中隔离点"]
    assert api["sites"]["total"]["free_beds"] == 4
    assert {row["kind"]: row["label"] for row in api["measures"]}["central_quarantine"] == (
        "集中隔离"
    )


def test_a_village_gets_its_own_panels_and_the_neighbour_none_of_its_figures(
    county, personas, panels
):
    # when each village's worker opens the home page and reads the API
    for worker in (personas.worker_a, personas.worker_b):
        _assert_page_shows(login(worker).get("/").content.decode(), _api(worker))
    village_a, village_b = _api(personas.worker_a), _api(personas.worker_b)
    # then village A counts its own villagers (the buyer too), its drill, its stock and its
    # disinfection owed
    everyone_a, everyone_b = (v["vaccination"]["everyone"] for v in (village_a, village_b))
    assert (everyone_a["people"], everyone_a["full"]) == (2, 1)
    assert village_a["last_drill"]["run"]["unit"] == county.village_a.name
    readiness_a = village_a["readiness"]
    assert (readiness_a["units_expiring"], readiness_a["disinfections_due"]) == (1, 2)
    # and village B none of them: its villager's one dose, no drill, no stock, nothing owed
    assert (everyone_b["people"], everyone_b["full"]) == (1, 0)
    assert village_b["last_drill"]["run"] is None
    assert village_b["readiness"] == {
        "label": "物资与消毒", "units_short": 0, "units_expiring": 0,
        "disinfections_due": 0, "disinfections_overdue": 0,
    }  # fmt: skip
    # and neither keeps a pharmacy or manages a site
    for village in (village_a, village_b):
        assert village["pharmacies"]["rows"] == []
        assert village["sites"] is None
