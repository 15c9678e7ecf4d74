"""Every page and endpoint, walked as the personas of the demo county: what a user may not see
appears nowhere (issue 10, finding 7).

The demo county has a record of every kind (people, check-ins, a fever, an absence, reports,
measures and deadlines, a screening round with tubes, a box and results, a suspected case). Each
persona opens every page and endpoint, including the detail pages of other units' records and
every ``?unit=`` of the tree; no answer may hold a name, phone number or page link of a person
outside the persona's units, or the name of a unit the persona does not reach.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from conftest import TODAY
from fangkong.core import clock
from fangkong.demo.builder import DemoBuilder
from fangkong.gates.models import Gate
from fangkong.labs.models import ScreeningRound, Tube
from fangkong.monitoring.models import Absence, FeverEvent
from fangkong.movement.models import GatheringApplication, Reservation
from fangkong.movement.reservations import venue_link_token
from fangkong.obligations.models import Obligation
from fangkong.org.models import Unit
from fangkong.people.identity import mask_name, mask_phone
from fangkong.people.models import Person, PersonUnit
from fangkong.pharmacy.models import DrugSale
from fangkong.readiness.models import WorkInjury
from fangkong.tracing.models import Case, Outbreak, Venue

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Who each persona may see: the units whose people they reach ("" for nobody).
REACHES = {
    "village-a": "T1V1",  # a grid worker: their village
    "teacher": "SCH-G1C1",  # a class teacher: their class
    "lab-tech": "",  # a lab: tubes sent to it, no register
    "pharmacist": "",  # a pharmacy: nothing of the register
    "gate-keeper": "T1V1",  # a gate keeper: the people of their checkpoint's village
}

PAGES = [
    "/",
    "/people/",
    "/people/export.xlsx",
    "/people/export.csv",
    "/people/import/",
    "/audit/",
    "/org/units/",
    "/plans/",
    "/plans/P01/",
    "/plans/measures/",
    "/plans/obligations/",
    "/plans/obligations/?view=groups",
    "/plans/obligations/?view=groups&state=open&order=unit",
    "/plans/risk-areas/",
    "/plans/what-if/",
    "/plans/inbox/",
    "/monitoring/",
    "/monitoring/absences/",
    "/monitoring/reports/",
    "/monitoring/rollup/",
    "/labs/",
    "/labs/sampling/",
    "/labs/boxes/",
    "/labs/results/",
    "/cases/",
    "/cases/?kind=confirmed",
    "/cases/outbreaks/",
    "/roster/",
    "/cases/graph/",
    "/cases/zones/",
    "/quarantine/",
    "/quarantine/home/",
    "/command/sizao/",
    "/command/sizao/?from=2021-12-01",
    "/travel/",
    "/travel/returnees/",
    "/api/travel-requests/",
    "/api/travel-requests/queue/",
    "/pharmacy/",
    "/codes/check/",
    "/cases/venues/",
    "/gates/",
    "/reservations/",
    "/gatherings/",
    "/gatherings/?status=planned",
    "/vaccination/",
    "/vaccination/outreach/",
    "/playbooks/",
    "/supplies/",
    "/disinfection/",
    "/injuries/",
]
UNIT_PAGES = [
    "/people/?unit={unit}",
    "/monitoring/?unit={unit}",
    "/monitoring/reports/?unit={unit}",
    "/monitoring/rollup/?unit={unit}",
    "/monitoring/class/{unit}/",
    "/plans/obligations/?unit={unit}",
    "/plans/obligations/?unit={unit}&only=1&state=open",
    "/plans/obligations/?unit={unit}&view=groups&state=open",
    "/plans/measures/?unit={unit}",
    "/org/units/{unit}/",
    "/api/command/map/?unit={unit}",
    "/roster/?unit={unit}",
    "/api/roster/shifts/coverage/?unit={unit}",
    "/command/sizao/?unit={unit}",
    "/api/command/sizao/?unit={unit}",
    "/vaccination/?unit={unit}",
    "/vaccination/outreach/?unit={unit}",
    "/api/vaccination-doses/?unit={unit}",
    "/api/vaccination-doses/coverage/?unit={unit}",
    "/api/vaccination-doses/outreach/?unit={unit}",
    "/playbooks/?unit={unit}",
    "/api/playbook-runs/?unit={unit}",
    "/api/playbook-runs/available/?unit={unit}",
    "/supplies/{unit}/",
    "/disinfection/{unit}/",
    "/api/supplies/stock/?unit={unit}",
    "/api/supplies/stock/cover/?unit={unit}",
    "/api/disinfection/schedules/?unit={unit}",
]
PERSON_PAGES = [
    "/people/{person}/",
    "/people/{person}/edit/",
    "/people/{person}/merge/",
    "/plans/release/{person}/",
    "/quarantine/home/{person}/notice/",
    "/monitoring/link/{person}/",
    "/api/people/{person}/",
    "/api/people/{person}/timeline/",
    "/api/health-codes/people/{person}/",
]
ENDPOINTS = [
    "/api/gates/",
    "/api/quarantine/forecast/",
    "/api/quarantine/home/",
    "/api/people/",
    "/api/units/",
    "/api/measures/",
    "/api/obligations/",
    "/api/obligations/groups/?state=open",
    "/api/checkins/",
    "/api/reports/",
    "/api/tubes/",
    "/api/rounds/",
    "/api/risk-areas/",
    "/api/command/",
    "/api/command/map/",
    "/api/cases/",
    "/api/outbreaks/",
    "/api/roster/shifts/",
    "/api/roster/shifts/now/",
    "/api/cases/graph/",
    "/api/command/sizao/",
    "/api/pharmacy-sales/",
    "/api/venues/",
    "/api/venue-slots/",
    "/api/venue-slots/live/",
    "/api/reservations/",
    "/api/gatherings/",
    "/api/gatherings/?planned=1",
    "/api/vaccination-doses/",
    "/api/playbook-runs/",
    "/api/supplies/stock/",
    "/api/supplies/stock/cover/",
    "/api/supplies/requests/",
    "/api/disinfection/schedules/",
    "/api/disinfection/schedules/owed/",
    "/api/disinfection/logs/",
    "/api/work-injuries/",
]


@pytest.fixture
def demo_county(reference_data: None) -> None:
    DemoBuilder(people=400).build(TODAY.date())


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return content.decode("utf-8", "replace")


def _markers(
    reach: str, buyers: frozenset[int] | set[int] = frozenset()
) -> tuple[set[int], list[str]]:
    """The people a persona may see (of the units reached, and the buyers of their pharmacy),
    and the strings that betray anyone else."""
    if reach:
        unit = Unit.objects.get(code=reach)
        visible = set(
            Person.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True)
        ) | set(
            PersonUnit.objects.filter(unit__path__startswith=unit.path).values_list(
                "person_id", flat=True
            )
        )
    else:
        visible = set()
    visible |= buyers
    seen_names = set(Person.objects.filter(pk__in=visible).values_list("name", flat=True))
    markers: list[str] = []
    for pk, name, phone in Person.objects.exclude(pk__in=visible).values_list(
        "pk", "name", "phone"
    ):
        if name not in seen_names:
            markers.append(name)
        if phone:
            markers.append(phone)
        markers.append(f"/people/{pk}/")
    return visible, markers


def _outsiders(visible: set[int]) -> list[int]:
    """A few people of every other unit: the detail pages to try."""
    picked: dict[int, list[int]] = {}
    for pk, unit_id in Person.objects.exclude(pk__in=visible).values_list("pk", "unit_id"):
        if len(picked.setdefault(unit_id, [])) < 2:
            picked[unit_id].append(pk)
    return [pk for pks in picked.values() for pk in pks]


def _units_out_of_reach(user: User) -> list[str]:
    """Names of the units of the register the persona reaches nothing of: siblings, cousins."""
    own = [m.unit.path for m in user.memberships.select_related("unit")]
    return [
        name
        for path, name, kind in Unit.objects.values_list("path", "name", "kind")
        if kind in ("village", "grid", "class", "department")
        and not any(path.startswith(o) or o.startswith(path) for o in own)
    ]


@pytest.mark.parametrize("username", sorted(REACHES))
def test_every_page_and_endpoint_keeps_what_a_persona_may_not_see_out(demo_county, username):
    # given a persona of the demo county and everything they may not see
    user = User.objects.get(username=username)
    # A pharmacist sees the buyers of their own pharmacy, and no one else (K-01).
    buyers = set(
        DrugSale.objects.filter(pharmacy__memberships__user=user).values_list(
            "person_id", flat=True
        )
    )
    visible, markers = _markers(REACHES[username], buyers)
    if REACHES[username]:
        # (a lab reads the names of the units that send it boxes)
        markers += _units_out_of_reach(user)
    assert markers
    client = Client()
    client.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    urls = list(PAGES)
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    for unit_id in unit_ids:
        urls += [page.format(unit=unit_id) for page in UNIT_PAGES]
    for person in _outsiders(visible):
        urls += [page.format(person=person) for page in PERSON_PAGES]
    for screening in ScreeningRound.objects.all():
        urls.append(f"/labs/rounds/{screening.pk}/")
        urls += [
            f"/labs/rounds/{screening.pk}/?unit={u}"
            for u in Unit.objects.values_list("pk", flat=True)
        ]
        urls.append(f"/api/rounds/{screening.pk}/coverage/")
    for barcode in Tube.objects.values_list("barcode", flat=True)[:20]:
        urls += [f"/labs/tubes/{barcode}/", f"/api/tubes/{barcode}/"]
    urls += [f"/monitoring/fevers/{pk}/" for pk in FeverEvent.objects.values_list("pk", flat=True)]
    urls += [
        f"/monitoring/absences/?person={pk}"
        for pk in Absence.objects.values_list("person_id", flat=True)
    ]
    urls += [
        f"/plans/obligations/?person={pk}"
        for pk in Obligation.objects.values_list("person_id", flat=True).distinct()[:20]
    ]
    for pk in Unit.objects.filter(kind="quarantine_site").values_list("pk", flat=True):
        urls += [
            f"/quarantine/sites/{pk}/",
            f"/api/quarantine/sites/{pk}/transfers/",
            f"/api/quarantine/sites/{pk}/releases/",
            f"/quarantine/sites/{pk}/care/",
            f"/api/quarantine/sites/{pk}/care/",
            f"/api/quarantine/sites/{pk}/tests/",
        ]
    for pk in Case.objects.values_list("pk", flat=True):
        urls += [f"/cases/{pk}/", f"/api/cases/{pk}/", f"/cases/{pk}/investigation/"]
        urls += [f"/api/cases/{pk}/investigation/", f"/api/cases/{pk}/investigation/contacts/"]
        urls.append(f"/api/cases/{pk}/candidates/")
        urls += [f"/cases/graph/?case={pk}", f"/api/cases/graph/?case={pk}"]
    for pk in Outbreak.objects.values_list("pk", flat=True):
        urls += [f"/cases/outbreaks/{pk}/", f"/api/outbreaks/{pk}/"]
        urls += [f"/cases/graph/?outbreak={pk}", f"/api/cases/graph/?outbreak={pk}"]
    for pk in Gate.objects.values_list("pk", flat=True):
        urls += [f"/gates/{pk}/", f"/gates/{pk}/entry/", f"/gates/{pk}/entry/?q=张"]
        urls += [f"/gates/{pk}/register.xlsx", f"/api/gate-entries/?gate={pk}"]
    for venue in Venue.objects.all():
        token = venue_link_token(venue)
        urls += [f"/reservations/venues/{venue.pk}/", f"/b/{token}/", f"/api/bookings/{token}/"]
    for pk in GatheringApplication.objects.values_list("pk", flat=True):
        urls += [f"/gatherings/{pk}/", f"/api/gatherings/{pk}/guests/"]
    urls += [f"/api/work-injuries/{pk}/" for pk in WorkInjury.objects.values_list("pk", flat=True)]
    urls += ENDPOINTS
    # when they open each of them
    leaks = []
    for url in urls:
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        text = _text(response)
        if url.startswith("/api/"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        leaks += [(url, marker) for marker in markers if marker in text]
    # then nothing outside their units shows anywhere
    assert not leaks, leaks[:20]


def test_the_walk_sees_what_a_persona_may_see(demo_county):
    """The walk above can fail: the same pages show a grid worker their own village."""
    user = User.objects.get(username="village-a")
    visible, _markers_unused = _markers("T1V1")
    client = Client()
    client.force_login(user)
    page = client.get("/people/").content.decode()
    names = set(Person.objects.filter(pk__in=visible).values_list("name", flat=True))
    assert any(name in page for name in names)


def test_o04_i16_a_venue_keeper_reads_the_bookers_it_may_not_see_masked(demo_county):
    """Village B keeps its restaurant, booked with people of the whole township: on its page and
    in the API, those of other villages show masked, its own in full (the neighbour test of the
    reservations)."""
    user = User.objects.get(username="village-b")
    visible, markers = _markers("T1V2")
    restaurant = Venue.objects.get(name="乙村农家饭庄")
    # (today's: what the venue's page shows)
    booked = Reservation.objects.filter(
        slot__venue=restaurant, slot__day=clock.localdate(), cancelled_at__isnull=True
    )
    outsider = Person.objects.filter(
        pk__in=booked.exclude(person__in=visible).values("person")
    ).first()
    own = Person.objects.filter(pk__in=booked.filter(person__in=visible).values("person")).first()
    assert outsider is not None
    assert own is not None
    client = Client()
    client.force_login(user)
    # when village B's worker opens the restaurant's page and the reservations of the API
    page = client.get(f"/reservations/venues/{restaurant.pk}/").content.decode()
    api = json.dumps(client.get("/api/reservations/").json(), ensure_ascii=False)
    # then nobody outside village B is named, the outsider shows masked, their own in full
    for text in (page, api):
        assert not [marker for marker in markers if marker in text]
        assert mask_name(outsider.name) in text
        assert own.name in text
    if outsider.phone:
        assert mask_phone(outsider.phone) in page
    # and the bookers of venues village B does not keep are not listed at all
    hall = Reservation.objects.filter(slot__venue__name="社保服务大厅", code__gt="").get()
    assert hall.name not in page + api
