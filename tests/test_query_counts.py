"""Every list page and list endpoint costs a fixed number of queries, however many rows it shows:
each is read on a county built with few rows and again with more, against one exact count, so
that an N+1 fails here. Counts include the session, the user and the user's roles (pages) or the
token with the roles (API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_resident_id, make_user
from fangkong.core import clock
from fangkong.gates.services import EntryInput, gate_create, gate_entry_record
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.services import box_receive, box_send, round_create
from fangkong.labs.tests.test_labs import pool, result, villagers
from fangkong.monitoring.services import CheckinInput, absence_record, checkins_record, report_file
from fangkong.monitoring.tests.test_monitoring import as_, reading, under
from fangkong.movement.guests import GuestInput, gathering_guest_add
from fangkong.movement.reservations import reservation_book, venue_link_token, venue_slot_create
from fangkong.movement.services import (
    GatheringInput,
    ReturneeInput,
    TravelRequestInput,
    gathering_apply,
    returnee_report_record,
    travel_request_file,
)
from fangkong.obligations.models import Notification, NotificationTopic, Obligation
from fangkong.obligations.services import notifications_post, obligations_tick
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import Person, PersonUnit
from fangkong.playbooks.services import run_finish, run_start
from fangkong.policy.services import RiskAreaInput, plan_assign, risk_area_create
from fangkong.policy.tests.test_measures import came_back_from, dalian_high, p14
from fangkong.quarantine.services import Trip, people_place, rooms_create, transfers_depart
from fangkong.quarantine.tests.test_quarantine import quarantined, site_create  # noqa: F401 (a fixture)
from fangkong.readiness.disinfection import LogInput, disinfection_log, schedule_add
from fangkong.readiness.injuries import InjuryInput, injury_record
from fangkong.readiness.supplies import stock_receive, supply_request
from fangkong.tracing.services import (
    case_report,
    exposure_record,
    hospital_stays_suspend,
    investigation_open,
    outbreak_declare,
)
from fangkong.tracing.tests.test_line_list_in_sets import GROUP_ROWS, line_list, registered
from fangkong.tracing.venues import venue_create
from fangkong.vaccination.models import Dose

pytestmark = pytest.mark.django_db

# Fixtures shared with the work-plan tests.
__all__ = ["dalian_high", "p14"]


@dataclass
class World:
    screening_id: int
    lab: Unit
    technician: User
    case_id: int


def _world(county: County, personas: Personas, rows: int, on_commit) -> World:
    """``rows`` of everything a list shows: people with check-ins, absences, fevers, measures and
    deadlines, risk areas, reports, rounds, tubes in boxes with results, notifications."""
    commander = personas.commander
    lab = unit_create(
        code="LAB", name="县疾控中心实验室", kind="lab", region=county.hq.region, parent=county.hq
    )
    technician = make_user("lab-tech", Role.LAB_TECHNICIAN, lab)
    with on_commit(execute=True):
        under("P14-school-spring-festival", county, personas)
        # Village A's staff run a fever path on two readings over the threshold.
        plan_assign(
            actor=commander, unit=county.village_a, pack_id="P15-kindergarten-drill",
            start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
        )  # fmt: skip
        regions = Region.objects.filter(code__startswith="2102", level=3).order_by("code")[:rows]
        for region in regions:
            risk_area_create(
                actor=commander,
                data=RiskAreaInput(region, "high", dt.date(2022, 1, 20), None, "公告"),
            )
        travellers = villagers(county, personas, rows, unit=county.grid_b, first=200)
        for person in travellers:
            came_back_from(person, personas.worker_b, regions[0].code, "2022-01-25", "2022-02-01")
    pupils = villagers(county, personas, rows)
    PersonUnit.objects.bulk_create(
        PersonUnit(person=p, unit=county.class_1, relation="student") for p in pupils
    )
    checkins_record(
        actor=personas.teacher,
        rows=[
            CheckinInput(person_id=p.pk, celsius="36.5", unit_id=county.class_1.pk) for p in pupils
        ],
    )
    for person in pupils:
        as_(person, "staff")
        checkins_record(actor=personas.worker_a, rows=[reading(person, "2022-02-01T08:00", 37.8)])
        checkins_record(actor=personas.worker_a, rows=[reading(person, "2022-02-01T08:03", 37.6)])
        absence_record(
            actor=personas.teacher, person=person, unit=county.class_1,
            day=dt.date(2022, 2, 1), illness=True, symptoms=["cough"],
        )  # fmt: skip
    for back in range(rows):
        report_file(
            actor=personas.worker_a, unit=county.village_a, kind="daily_report",
            day=dt.date(2022, 2, 1) - dt.timedelta(days=back),
        )  # fmt: skip
    screening = None
    for number in range(rows):
        screening = round_create(
            actor=commander, unit=county.township, name=f"第{number + 1}轮",
            starts_at=dt.datetime(2022, 2, 1, 9, tzinfo=dt.UTC), pool_size=10, lab=lab,
        )  # fmt: skip
    assert screening is not None
    barcodes = [f"T{number:04d}" for number in range(rows)]
    for barcode, person in zip(barcodes, pupils, strict=True):
        samples_record(actor=personas.worker_a, round=screening, rows=pool(barcode, [person]))
    box = box_send(
        actor=personas.worker_a, unit=county.village_a, lab=lab, code="BOX1", barcodes=barcodes
    )
    box_receive(actor=technician, box=box)
    results_record(actor=technician, lab=lab, rows=[result(b, "阴性", "38") for b in barcodes])
    for number, person in enumerate(pupils):
        travel_request_file(
            actor=commander,
            data=TravelRequestInput(
                person=person, leave_on=dt.date(2022, 2, 10), return_on=dt.date(2022, 2, 12),
                reason="探亲", to_region_code="530102",
            ),
        )  # fmt: skip
        returnee_report_record(
            actor=personas.worker_a,
            unit=county.village_a,
            data=ReturneeInput(
                name=person.name, id_number=make_resident_id(sequence=f"{100 + number:03d}"),
                phone="13700137000", arrival_on=dt.date(2022, 2, 4), destination="甲村",
                from_region_code="310115",
            ),
        )  # fmt: skip
    notifications_post(
        [
            Notification(
                user=personas.commander,
                unit=county.village_a,
                topic=NotificationTopic.MISSED,
                params={"kind": "test", "count": n},
                created_at=dt.datetime(2022, 2, 1, tzinfo=dt.UTC),
            )  # fmt: skip
            for n in range(rows)
        ]
    )
    case = case_report(actor=commander, person=travellers[0], kind="confirmed")
    investigation = investigation_open(actor=commander, case=case)
    for contact in pupils:
        exposure_record(
            actor=commander, person=contact, kind="close_contact",
            last_exposed_at=dt.datetime(2022, 1, 31, tzinfo=dt.UTC), via=case.person,
            investigation=investigation,
        )  # fmt: skip
    for number in range(rows):
        venue_create(actor=commander, unit=county.village_a, kind="shop", name=f"商店{number}")
    Dose.objects.bulk_create(
        Dose(person=p, number=n, given_on=dt.date(2021, 6 + n, 1), vaccine="灭活疫苗")
        for p in [*pupils, *travellers]
        for n in (1, 2)
    )
    for _number in range(rows):
        run = run_start(
            actor=commander, unit=county.village_a, playbook_id="drill-child-fever-at-arrival",
            drill=True, names={},
        )  # fmt: skip
        run_finish(actor=commander, run_id=run.pk)
    for number in range(rows):
        stock_receive(
            actor=commander, unit=county.school, item="mask", quantity=10 + number,
            expires_on=dt.date(2022, 2, 20),
        )  # fmt: skip
        stock_receive(
            actor=commander, unit=county.village_a, item="disinfectant", quantity=5,
            expires_on=None,
        )  # fmt: skip
        supply_request(actor=commander, unit=county.village_a, item="mask", quantity=100 + number)
        schedule = schedule_add(
            actor=commander, unit=county.school, place=f"教学楼{number}", times_per_day=2
        )
        done_at = dt.datetime(2022, 1, 31, 9, tzinfo=dt.UTC)  # the day before: owed still
        disinfection_log(
            actor=commander, schedule=schedule,
            data=LogInput("含氯消毒液", 500, 30, "王阿姨", done_at),
        )  # fmt: skip
    hall = unit_create(
        code="SOCIAL", name="社保服务大厅", kind="venue", region=county.township.region,
        parent=county.township,
    )  # fmt: skip
    plan_assign(
        actor=commander, unit=hall, pack_id="P07-social-security",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    for number in range(rows):
        injury_record(
            actor=commander,
            data=InjuryInput(
                hall, "白云铝业有限公司", f"工伤{number}",
                dt.datetime(2022, 2, 1, 8, number, tzinfo=dt.UTC),
            ),
        )  # fmt: skip
    return World(screening.pk, lab, technician, case.pk)


# (who, path, queries); who names a persona, or "lab" for the lab's technician.
PAGES = [
    ("commander", "/people/", 5),
    ("commander", "/audit/", 4),
    ("commander", "/org/units/", 4),
    ("commander", "/plans/", 7),
    ("commander", "/plans/measures/", 8),
    ("commander", "/plans/obligations/?state=open", 6),
    ("commander", "/plans/risk-areas/", 5),
    ("commander", "/plans/inbox/", 5),  # the menu reads the roles
    ("commander", "/monitoring/", 18),
    ("commander", "/monitoring/absences/", 4),
    ("commander", "/monitoring/reports/", 13),
    ("commander", "/monitoring/rollup/", 9),
    ("commander", "/monitoring/class/{class_1}/", 7),
    ("commander", "/labs/", 6),
    ("commander", "/labs/rounds/{round}/", 10),  # with its positives not yet cases
    ("worker_a", "/labs/sampling/", 9),
    ("worker_a", "/labs/boxes/", 6),
    ("lab", "/labs/results/", 4),
    ("commander", "/travel/", 6),
    ("commander", "/travel/returnees/", 8),
    ("commander", "/labs/tubes/T0000/", 10),
    ("commander", "/cases/{case}/investigation/", 10),
    ("commander", "/cases/venues/", 5),
    ("commander", "/vaccination/?unit={village_a}", 8),
    ("worker_a", "/vaccination/outreach/", 6),
    ("commander", "/playbooks/?unit={village_a}", 5),
    ("commander", "/supplies/", 9),
    ("commander", "/disinfection/", 5),
    ("commander", "/injuries/", 8),
]

ENDPOINTS = [
    ("commander", "/api/people/", 3),
    ("commander", "/api/units/", 2),
    ("commander", "/api/regions/?q=2102", 2),
    ("commander", "/api/measures/", 2),
    ("commander", "/api/obligations/", 2),
    ("commander", "/api/risk-areas/", 2),
    ("commander", "/api/checkins/", 2),
    ("commander", "/api/reports/", 2),
    ("commander", "/api/tubes/", 4),
    ("commander", "/api/rounds/", 2),
    ("commander", "/api/cases/{case}/investigation/contacts/", 4),
    ("commander", "/api/travel-requests/", 3),
    ("commander", "/api/travel-requests/queue/", 2),
    ("commander", "/api/venues/", 2),
    ("commander", "/api/vaccination-doses/", 2),
    ("commander", "/api/playbook-runs/", 2),
    ("commander", "/api/supplies/stock/", 2),
    ("commander", "/api/supplies/requests/", 2),
    ("commander", "/api/disinfection/schedules/", 2),
    ("commander", "/api/disinfection/schedules/owed/", 2),
    ("commander", "/api/disinfection/logs/", 2),
    ("commander", "/api/work-injuries/", 3),
]


def _user(personas: Personas, world: World, who: str) -> User:
    return world.technician if who == "lab" else getattr(personas, who)


def _path(path: str, county: County, world: World) -> str:
    return path.format(
        class_1=county.class_1.pk,
        round=world.screening_id,
        case=world.case_id,
        village_a=county.village_a.pk,
    )


@pytest.mark.parametrize("rows", [2, 5])
@pytest.mark.parametrize(("who", "path", "queries"), PAGES)
def test_a_list_page_costs_the_same_queries_for_any_number_of_rows(
    county, personas, django_capture_on_commit_callbacks, django_assert_num_queries,
    rows, who, path, queries,
):  # fmt: skip
    world = _world(county, personas, rows, django_capture_on_commit_callbacks)
    client = login(_user(personas, world, who))
    url = _path(path, county, world)
    with django_assert_num_queries(queries, info=url):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 5])
@pytest.mark.parametrize(("who", "path", "queries"), ENDPOINTS)
def test_a_list_endpoint_costs_the_same_queries_for_any_number_of_rows(
    county, personas, django_capture_on_commit_callbacks, django_assert_num_queries,
    rows, who, path, queries,
):  # fmt: skip
    world = _world(county, personas, rows, django_capture_on_commit_callbacks)
    token = Token.objects.create(user=_user(personas, world, who)).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = _path(path, county, world)
    with django_assert_num_queries(queries, info=url):
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"] if isinstance(body, dict) else body) >= rows  # regions: unpaged


@pytest.mark.parametrize("rows", [2, 5])
@pytest.mark.parametrize(("path", "queries"), [("/api/cases/graph/", 5), ("/cases/graph/", 5)])
def test_the_chain_graph_costs_the_same_queries_for_any_size(
    county, personas, django_assert_num_queries, rows, path, queries
):
    # given a case whose contacts each infected the next, ``rows`` deep, in two villages
    epi = personas.epidemiologist
    people = villagers(county, personas, rows) + villagers(
        county, personas, rows, unit=county.grid_b, first=200
    )
    case = case_report(actor=epi, person=people[0], kind="confirmed")
    for via, person in zip(people, people[1:], strict=False):
        exposure_record(
            actor=epi,
            person=person,
            kind="close_contact",
            last_exposed_at=dt.datetime(2022, 1, 31, tzinfo=dt.UTC),
            via=via,
        )
    token = Token.objects.create(user=epi).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client = api if path.startswith("/api/") else login(epi)
    with django_assert_num_queries(queries, info=path):
        response = client.get(path, {"case": case.pk})
    assert response.status_code == 200
    if path.startswith("/api/"):
        assert len(response.json()["nodes"]) == 2 * rows


def _site_placed(
    county: County, personas: Personas, people: int, rooms: int
) -> tuple[Unit, list[Person]]:
    """A quarantine site with ``rooms`` single rooms on each of two floors, and ``people`` of
    village B back from Dalian's high-risk area placed there."""
    site = unit_create(
        code="QS1", name="集中隔离点", kind="quarantine_site", region=county.hq.region,
        parent=county.hq,
    )  # fmt: skip
    rooms_create(actor=personas.commander, site=site, floors=(2, 2), rooms=(1, rooms), capacity=1)
    placed = villagers(county, personas, people, unit=county.grid_b, first=300)
    for person in placed:
        came_back_from(person, personas.worker_b, "210211", "2022-01-25", "2022-02-01")
    people_place(actor=personas.commander, site=site, person_ids=[p.pk for p in placed])
    return site, placed


def _site_manager_api(site: Unit) -> APIClient:
    token = Token.objects.create(user=make_user("site-manager", Role.SITE_MANAGER, site)).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize("rows", [2, 5])
def test_a_site_s_transfer_list_costs_the_same_queries_for_any_number_of_people(
    county, personas, p14, dalian_high, django_assert_num_queries, rows
):
    # given people placed at a site, half of them on the road to it
    site, people = _site_placed(county, personas, 2 * rows, 2 * rows)
    trip = Trip("贵A12345", "王医生", "13800138001", dt.datetime(2022, 2, 1, tzinfo=dt.UTC))
    transfers_depart(
        actor=personas.commander, site=site, person_ids=[p.pk for p in people[:rows]], trip=trip
    )
    client = _site_manager_api(site)
    # when the site manager reads the transfers: the token with the roles, the site, two lists
    with django_assert_num_queries(4):
        response = client.get(f"/api/quarantine/sites/{site.pk}/transfers/")
    body = response.json()
    assert (len(body["waiting"]), len(body["on_the_road"])) == (rows, rows)


@pytest.mark.parametrize("rows", [2, 5])
@pytest.mark.parametrize(
    ("path", "queries"),
    [("care/", 4), ("tests/", 4)],
)
def test_a_site_s_daily_care_costs_the_same_queries_for_any_number_of_people(
    county, personas, p14, dalian_high, django_assert_num_queries, rows, path, queries
):
    # given people placed at a site who owe check-in slots and tests today
    site, _people = _site_placed(county, personas, rows, rows)
    with clock.frozen(dt.datetime(2022, 2, 2, 0, 30, tzinfo=dt.UTC)):
        obligations_tick()
        client = _site_manager_api(site)
        # when the site manager reads who is not checked in this slot, or the tests due
        with django_assert_num_queries(queries):
            response = client.get(f"/api/quarantine/sites/{site.pk}/{path}")
    body = response.json()
    assert len(body["unchecked"] if path == "care/" else body) == rows


@pytest.mark.parametrize("rows", [2, 5])
def test_a_site_s_releases_due_cost_the_same_queries_for_any_number_of_people(
    county, personas, p14, dalian_high, django_assert_num_queries, rows
):
    # given people placed at a site whose quarantine ends within the days ahead
    site, _people = _site_placed(county, personas, rows, rows)
    client = _site_manager_api(site)
    with clock.frozen(dt.datetime(2022, 2, 14, 1, 0, tzinfo=dt.UTC)):
        # when the site manager reads who is due for release, each with the engine's decision:
        # the token with the roles, the site, the list and what the engine reads, kind by kind
        with django_assert_num_queries(9):
            response = client.get(f"/api/quarantine/sites/{site.pk}/releases/")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", [2, 5])
@pytest.mark.parametrize(
    ("path", "queries"), [("/quarantine/", 9), ("/api/quarantine/forecast/", 9)]
)
def test_d01_the_board_and_beds_ahead_cost_the_same_queries_for_any_number_of_sites(
    county, personas, django_assert_num_queries, rows, path, queries,
    quarantined,  # noqa: F811
):  # fmt: skip
    # given ``rows`` sites of ``rows`` rooms, one person placed and two waiting
    sites = [site_create(personas, county, f"QS{n}", f"隔离点{n}") for n in range(rows)]
    for site in sites:
        rooms_create(
            actor=personas.commander, site=site, floors=(1, 1), rooms=(1, rows), capacity=1
        )
    people_place(actor=personas.commander, site=sites[0], person_ids=[quarantined[2].pk])


def _response_world(county: County, personas: Personas, rows: int, on_commit) -> None:
    """``rows`` of the outbreak response: confirmed cases in pairs grouped into outbreaks, with
    their deadlines some met late; gathering applications; quarantine sites with rooms, and
    travellers from a high-risk area placed in them."""
    commander = personas.commander
    with on_commit(execute=True):
        under("P14-school-spring-festival", county, personas)
        region = Region.objects.filter(code__startswith="2102", level=3).order_by("code").first()
        assert region is not None
        risk_area_create(
            actor=commander, data=RiskAreaInput(region, "high", dt.date(2022, 1, 20), None, "公告")
        )
        travellers = villagers(county, personas, rows, unit=county.grid_b, first=200)
        for person in travellers:
            came_back_from(person, personas.worker_b, region.code, "2022-01-25", "2022-02-01")
        for number in range(rows):
            site = unit_create(
                code=f"QS{number}", name=f"集中隔离点{number + 1}", kind="quarantine_site",
                region=county.hq.region, parent=county.hq,
            )  # fmt: skip
            rooms_create(actor=commander, site=site, floors=(2, 2), rooms=(1, rows), capacity=1)
        people_place(actor=commander, site=site, person_ids=None)
        pairs = zip(travellers, villagers(county, personas, rows), strict=True)
        for traveller, villager in pairs:
            cases = [
                case_report(actor=commander, person=person, kind="confirmed").pk
                for person in (traveller, villager)
            ]
            outbreak_declare(actor=commander, case_ids=cases)
    # The direct reports met 30 minutes late: the board names who answers for them.
    Obligation.objects.filter(kind="direct_report").update(
        status="met", met_at=dt.datetime(2022, 2, 1, 12, 30, tzinfo=dt.UTC)
    )
    for number in range(rows):
        gathering_apply(
            actor=personas.worker_a,
            data=GatheringInput(
                unit=county.village_a, type="event", organiser="village", purpose="other",
                people=10 + number, held_on=dt.date(2022, 2, 10), place="村委会广场",
                organiser_name="王五", organiser_phone="13800138001",
            ),
        )  # fmt: skip


# The outbreak response's pages and endpoints: (path, queries), all for the county commander.
RESPONSE_PAGES = [
    ("/cases/", 5),
    ("/cases/?kind=confirmed&status=reported", 5),
    ("/cases/outbreaks/", 6),
    ("/gatherings/", 6),
    ("/quarantine/", 9),
    ("/command/sizao/", 11),  # the case steps' fourth: their close contacts placed
    # The command view: its figures, every panel (the county manages the quarantine sites: the
    # occupancy board's queries too), the roles and the imports.
    ("/", 34),
]

RESPONSE_ENDPOINTS = [
    ("/api/cases/", 2),
    ("/api/outbreaks/", 3),
    ("/api/gatherings/", 2),
    ("/api/quarantine/board/", 5),
    ("/api/quarantine/unplaced/", 2),
    ("/api/command/sizao/", 9),  # the case steps' fourth: their close contacts placed
    # The command view's figures and every panel of the home page (issue 14), as on "/".
    ("/api/command/", 30),
]


@pytest.mark.parametrize("rows", [2, 4])
@pytest.mark.parametrize(("path", "queries"), RESPONSE_PAGES)
def test_a_response_page_costs_the_same_queries_for_any_number_of_rows(
    county, personas, django_capture_on_commit_callbacks, django_assert_num_queries,
    rows, path, queries,
):  # fmt: skip
    _response_world(county, personas, rows, django_capture_on_commit_callbacks)
    client = login(personas.commander)
    with django_assert_num_queries(queries, info=path):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 5])
@pytest.mark.parametrize(
    ("path", "queries"), [("/quarantine/home/", 4), ("/api/quarantine/home/", 4)]
)
def test_d02_the_home_quarantine_list_costs_the_same_queries_for_any_number_of_people(
    county, personas, django_capture_on_commit_callbacks, django_assert_num_queries,
    rows, path, queries,
):  # fmt: skip
    # given ``rows`` villagers sent home by P05, one visited and served a notice
    with django_capture_on_commit_callbacks(execute=True):
        plan_assign(
            actor=personas.commander, unit=county.hq, pack_id="P05-service-company-winter",
            start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
        )  # fmt: skip
        risk_area_create(
            actor=personas.commander,
            data=RiskAreaInput(
                Region.objects.get(code="210211"), "high", dt.date(2022, 1, 20), None, "公告"
            ),
        )
        people = villagers(county, personas, rows)
        for person in people:
            came_back_from(person, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    worker = login(personas.worker_a)
    worker.post(f"/api/quarantine/home/{people[0].pk}/visits/", {}, "application/json")
    worker.post(
        f"/api/quarantine/home/{people[0].pk}/", {"notice_served": True}, "application/json"
    )
    with django_assert_num_queries(queries, info=path):
        response = worker.get(path)
    assert response.status_code == 200
    assert response.content.decode().count("村民") >= rows


@pytest.mark.parametrize("rows", [2, 4])
@pytest.mark.parametrize(("path", "queries"), RESPONSE_ENDPOINTS)
def test_a_response_endpoint_costs_the_same_queries_for_any_number_of_rows(
    county, personas, django_capture_on_commit_callbacks, django_assert_num_queries,
    rows, path, queries,
):  # fmt: skip
    _response_world(county, personas, rows, django_capture_on_commit_callbacks)
    token = Token.objects.create(user=personas.commander).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_num_queries(queries, info=path):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize(
    ("path", "queries"), [("/gates/{gate}/", 6), ("/api/gate-entries/?gate={gate}", 3)]
)
def test_e21_a_gate_register_costs_the_same_queries_for_any_number_of_entries(
    county, personas, django_assert_num_queries, rows, path, queries
):
    gate = gate_create(
        actor=personas.worker_a, unit=county.village_a, kind="village_checkpoint", name="卡点"
    )
    for n in range(rows):
        gate_entry_record(
            actor=personas.worker_a,
            data=EntryInput(
                gate.pk, "admitted", visitor_name=f"访客{n}", visitor_phone="13700137000"
            ),
        )
    url = path.format(gate=gate.pk)
    client = login(personas.worker_a) if not url.startswith("/api/") else _gate_api(personas)
    with django_assert_num_queries(queries, info=url):
        response = client.get(url)
    assert response.status_code == 200
    assert (
        response.content.decode().count("13700137000" if "api" not in url else '"visitor"') == rows
    )


@pytest.mark.parametrize("rows", [2, 6])
def test_e19_b12_a_gate_batch_of_residents_and_visitors_costs_the_same_queries_for_any_size(
    county, personas, django_assert_num_queries, rows
):
    # P08 in force; a batch of residents and visitors let in, and one visitor with a fever whose
    # fever path opens (ADR 20): the reads and writes are per set, not per row.
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P08-enterprise-emergency",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip
    gate = gate_create(
        actor=personas.worker_a, unit=county.village_a, kind="village_checkpoint", name="卡点"
    )
    at = (clock.now() - dt.timedelta(minutes=5)).isoformat()
    entries = [
        {"gate": gate.pk, "person": person.pk, "at": at, "celsius": f"36.{n}",
         "outcome": "admitted"}
        for n, person in enumerate(villagers(county, personas, rows))
    ] + [
        {"gate": gate.pk, "visitor_name": f"访客{n}", "visitor_phone": "13700137000", "at": at,
         "celsius": "36.5", "outcome": "admitted", "from_epidemic_area": n % 2 == 0}
        for n in range(rows)
    ] + [
        {"gate": gate.pk, "visitor_name": "发热访客", "visitor_phone": "13700137001", "at": at,
         "celsius": "38.6", "outcome": "fever_clinic",
         "visitor_id_number": make_resident_id(sequence="051")},
    ]  # fmt: skip
    client = _gate_api(personas)
    # PostgreSQL writes the entries and the fever's obligations with COPY, out of the query log.
    with django_assert_num_queries(30 if connection.vendor == "postgresql" else 32, info="batch"):
        response = client.post("/api/gate-entries/batch/", {"entries": entries}, format="json")
    assert response.json() == {"entries": 2 * rows + 1, "errors": []}


def _gate_api(personas: Personas) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.worker_a)}")
    return client


def _reservations_world(county: County, personas: Personas, rows: int) -> dict[str, int | str]:
    """``rows`` museums of village A under P13, each with a slot tomorrow holding ``rows``
    villagers; a banquet with ``rows`` guests."""
    commander = personas.commander
    plan_assign(
        actor=commander, unit=county.hq, pack_id="P13-may-day-county",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    people = villagers(county, personas, rows)
    tomorrow = dt.date(2022, 2, 2)
    venues = []
    for number in range(rows):
        venue = venue_create(actor=commander, unit=county.village_a, kind="culture",
                             name=f"博物馆{number}")  # fmt: skip
        slot = venue_slot_create(actor=commander, venue=venue, day=tomorrow, capacity=50,
                                 starts_at=dt.time(9), ends_at=dt.time(10))  # fmt: skip
        for person in people:
            reservation_book(actor=commander, slot=slot, person=person)
        venues.append(venue)
    for number in range(rows):  # the first museum's afternoon, for its booking link
        venue_slot_create(actor=commander, venue=venues[0], day=tomorrow, capacity=50,
                          starts_at=dt.time(14 + number), ends_at=dt.time(15 + number))  # fmt: skip
    application = gathering_apply(
        actor=personas.worker_a,
        data=GatheringInput(
            unit=county.village_a, type="banquet", organiser="family", purpose="other",
            people=30, tables=3, held_on=tomorrow, place="甲村张家院",
            organiser_name="王五", organiser_phone="13800138001",
        ),
    )  # fmt: skip
    for person in people:
        gathering_guest_add(actor=commander, application=application, data=GuestInput(person))
    return {
        "venue": venues[0].pk,
        "application": application.pk,
        "booking": venue_link_token(venues[0]),
    }


RESERVATION_PATHS = [
    ("/reservations/", 8),
    ("/reservations/venues/{venue}/?day=2022-02-02", 9),
    ("/gatherings/{application}/", 8),
    ("/api/venue-slots/", 2),
    ("/api/venue-slots/live/", 5),
    ("/api/reservations/", 2),
    ("/api/gatherings/{application}/guests/", 6),
    ("/b/{booking}/", 3),
    ("/api/bookings/{booking}/", 3),
]


@pytest.mark.parametrize("rows", [2, 4])
@pytest.mark.parametrize(("path", "queries"), RESERVATION_PATHS)
def test_i16_i15_reservations_and_guest_lists_cost_the_same_queries_for_any_number_of_rows(
    county, personas, django_assert_num_queries, rows, path, queries
):
    ids = _reservations_world(county, personas, rows)
    url = path.format(**ids)
    client = login(personas.commander)
    if url.startswith("/api/"):
        token = Token.objects.create(user=personas.commander).key
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    if "{booking}" in path:  # the venue's booking link: no account
        client = Client()
    with django_assert_num_queries(queries, info=url):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 5])
def test_d06_the_tick_suspends_everyone_in_hospital_in_one_statement(
    county, personas, p14, dalian_high, django_assert_num_queries, rows
):
    # given people under central quarantine whose check-in slots of the day are open, each
    # reported a case (in hospital)
    people = villagers(county, personas, rows, unit=county.grid_b, first=300)
    for person in people:
        came_back_from(person, personas.worker_b, "210211", "2022-01-25", "2022-02-01")
    with clock.frozen(dt.datetime(2022, 2, 2, 0, 30, tzinfo=dt.UTC)):
        obligations_tick()
        for person in people:
            case_report(actor=personas.commander, person=person, kind="suspected")
        # when the tick's part of the stays runs: one UPDATE, however many are in hospital
        with django_assert_num_queries(1):
            suspended = hospital_stays_suspend(clock.localdate())
    # then every slot still ahead that day is suspended
    assert suspended == Obligation.objects.filter(cancel_reason="in_hospital").count()
    assert suspended >= 3 * rows


@pytest.mark.parametrize("groups", [1, 3])
def test_h03_a_line_list_costs_the_same_queries_for_any_number_of_rows(
    county, personas, person_a, p14, django_assert_num_queries, groups
):
    # given people the list names by ID number and by name and phone, and a case's investigation
    registered(personas, county, groups)
    case = case_report(actor=personas.worker_a, person=person_a, kind="confirmed")
    investigation = investigation_open(actor=personas.worker_a, case=case)
    token = Token.objects.create(user=personas.worker_a).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    rows = line_list(groups)
    # when the investigator posts the list: matches, new people, duplicates, a repeated and a
    # bad row in every group of GROUP_ROWS rows (the classification's writes, core.bulk, take
    # other statements on each database)
    with django_assert_num_queries(37 if connection.vendor == "postgresql" else 39):
        response = client.post(
            f"/api/cases/{investigation.case_id}/investigation/contacts/",
            {"rows": rows},
            format="json",
        )
    assert len(rows) == GROUP_ROWS * groups
    assert (response.json()["registered"], response.json()["exposed"]) == (4 * groups, 8 * groups)


@pytest.mark.parametrize("rows", [2, 4])
def test_g04_g07_cases_confirmed_at_once_cost_fixed_queries_plus_each_case_s_events(
    county, personas, django_assert_num_queries, rows
):
    # P01 in force; ``rows`` villagers confirmed in one request. The checks, the insert, the
    # audit rows and the candidate search are one set each; only each case's events grow with
    # the cases (9 a case: its deadlines with their savepoint and audit row, the message up the
    # tree, the confirmed case's places to disinfect, the search's permission check).
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    cases = [
        {"person": person.pk, "kind": "confirmed"} for person in villagers(county, personas, rows)
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.commander)}")
    # PostgreSQL writes the deadlines with COPY, out of the query log.
    per_case = 8 if connection.vendor == "postgresql" else 9
    with django_assert_num_queries(19 + per_case * rows, info="cases batch"):
        response = client.post("/api/cases/batch/", {"cases": cases}, format="json")
    assert response.status_code == 201
