"""Every list page and list endpoint costs a fixed number of queries, however many rows it shows:
each is read on a county built with few rows and again with more, against one exact count, so
that an N+1 fails here. Counts include the session, the user and the user's roles (pages) or the
token with the roles (API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_user
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.services import box_receive, box_send, round_create
from fangkong.labs.tests.test_labs import pool, result, villagers
from fangkong.monitoring.services import CheckinInput, absence_record, checkins_record, report_file
from fangkong.monitoring.tests.test_monitoring import as_, reading, under
from fangkong.obligations.models import Notification, NotificationTopic
from fangkong.obligations.services import notifications_post
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.models import PersonUnit
from fangkong.policy.services import RiskAreaInput, plan_assign, risk_area_create
from fangkong.policy.tests.test_measures import came_back_from
from fangkong.tracing.venues import venue_create

pytestmark = pytest.mark.django_db


@dataclass
class World:
    screening_id: int
    lab: Unit
    technician: User


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
    for number in range(rows):
        venue_create(actor=commander, unit=county.village_a, kind="shop", name=f"商店{number}")
    return World(screening.pk, lab, technician)


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
    ("commander", "/labs/rounds/{round}/", 13),
    ("worker_a", "/labs/sampling/", 9),
    ("worker_a", "/labs/boxes/", 6),
    ("lab", "/labs/results/", 4),
    ("commander", "/labs/tubes/T0000/", 10),
    ("commander", "/cases/venues/", 5),
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
    ("commander", "/api/venues/", 2),
]


def _user(personas: Personas, world: World, who: str) -> User:
    return world.technician if who == "lab" else getattr(personas, who)


def _path(path: str, county: County, world: World) -> str:
    return path.format(class_1=county.class_1.pk, round=world.screening_id)


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
