"""The person's file (issue 13, item 5): one timeline of everything about a person, newest first,
each entry linked, a page at a time, on the person page and over the API; a neighbour sees none."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import County, Personas, login
from fangkong.labs.models import TubeKind
from fangkong.labs.sampling import samples_record
from fangkong.labs.services import result_record
from fangkong.labs.tests.test_labs import pool
from fangkong.monitoring.services import absence_record, checkins_record
from fangkong.monitoring.tests.test_monitoring import reading, under
from fangkong.people.models import Person
from fangkong.people.services import TravelInput, travel_add
from fangkong.tracing.services import exposure_record

pytestmark = pytest.mark.django_db

# The page with the file (one query per kind of record), then the release decision: the
# classification, the active and first measures, the results, the tubes and the release facts;
# then the health code's facts, in one statement (E-21).
PERSON_PAGE_QUERIES = 21 + 6 + 1


@pytest.fixture
def file_of_a(county: County, personas: Personas, person_a: Person, person_b: Person) -> Person:
    """Person A under P12: a stay, a 38.6 °C check-in, an absence, a single tube, a result and an
    exposure to person B of the neighbouring village."""
    under("P12-enterprise-response-team", county, personas)
    worker = personas.worker_a
    travel_add(
        actor=worker,
        person=person_a,
        data=TravelInput(dt.date(2022, 1, 20), dt.date(2022, 1, 25), region_code="310115"),
    )
    checkins_record(actor=worker, rows=[reading(person_a, "2022-02-01T08:00", "38.6")])
    absence_record(
        actor=worker, person=person_a, unit=county.grid_a, day=dt.date(2022, 1, 31),
        illness=True, symptoms=["cough"],
    )  # fmt: skip
    samples_record(
        actor=worker, kind=TubeKind.SINGLE, unit=county.grid_a, rows=pool("S0001", [person_a])
    )
    result_record(
        actor=worker, person=person_a, sampled_at=dt.datetime(2022, 1, 30, 9, tzinfo=dt.UTC),
        positive=False, source="县医院",
    )  # fmt: skip
    exposure_record(
        actor=personas.commander, person=person_a, kind="close_contact",
        last_exposed_at=dt.datetime(2022, 1, 29, 12, tzinfo=dt.UTC), via=person_b,
    )  # fmt: skip
    return person_a


def _topics(page: str) -> list[str]:
    return re.findall(r'data-topic="([a-z]+)"', page)


def test_i13_the_person_page_is_one_timeline_of_the_file_newest_first(personas, file_of_a):
    page = login(personas.worker_a).get(f"/people/{file_of_a.pk}/").content.decode()

    topics = _topics(page)
    for topic in ("stay", "checkin", "absence", "sample", "result", "exposure", "change"):
        assert topic in topics
    times = re.findall(
        r'data-topic="[a-z]+">\s*<span class="text-muted text-nowrap">([^<]+)<', page
    )
    assert times == sorted(times, reverse=True)
    # Chinese labels and names, never the codes they stand for.
    assert "38.6 °C" in page
    assert "核酸" in page or "采样" in page
    assert 'href="/labs/tubes/S0001/"' in page
    assert "310115" not in re.sub(r'href="[^"]*"', "", page.split('data-testid="timeline"')[1])
    # The case the exposure came through lives in village B: the grid worker of A is not told.
    assert "李四" not in page


def test_i13_a_viewer_reaching_the_source_of_an_exposure_is_led_to_that_person(
    personas, file_of_a, person_b
):
    page = login(personas.commander).get(f"/people/{file_of_a.pk}/").content.decode()

    assert f'href="/people/{person_b.pk}/"' in page
    assert "李四" in page


def test_i13_the_api_pages_the_file_and_a_neighbour_sees_nothing(personas, file_of_a):
    for day in range(1, 16):  # thirty more entries: fifteen stays, each with its audit row
        travel_add(
            actor=personas.worker_a,
            person=file_of_a,
            data=TravelInput(dt.date(2021, 12, day), dt.date(2021, 12, day), country="JPN"),
        )
    client = login(personas.worker_a)

    pages = [client.get(f"/api/people/{file_of_a.pk}/timeline/").json()]
    while pages[-1]["next"]:
        pages.append(client.get(f"/api/people/{file_of_a.pk}/timeline/", pages[-1]["next"]).json())

    # every entry once, in order, though the audit rows all share the frozen clock's moment
    entries = [e for page in pages for e in page["entries"]]
    assert [len(page["entries"]) for page in pages][0] == 30
    assert len(pages) == 2
    everything = client.get(f"/people/{file_of_a.pk}/").content.decode()
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    assert len({(e["at"], e["topic"], e["text"]) for e in entries}) == len(entries)
    assert sum(e["topic"] == "stay" for e in entries) == 16
    assert sum(e["topic"] == "change" for e in entries) >= 17
    assert all(e["label"] and e["text"] for e in entries)
    assert "skip=" in everything
    for neighbour_url in (f"/api/people/{file_of_a.pk}/timeline/", f"/people/{file_of_a.pk}/"):
        assert login(personas.worker_b).get(neighbour_url).status_code == 404


@pytest.mark.parametrize("before", ["yesterday", "2022-02-30T08:00+08:00", "2022-02-01T08:00"])
def test_i13_a_tampered_page_cursor_answers_400(personas, file_of_a, before):
    client = login(personas.worker_a)

    assert client.get(f"/people/{file_of_a.pk}/", {"before": before}).status_code == 400
    api = client.get(f"/api/people/{file_of_a.pk}/timeline/", {"before": before})
    assert api.status_code == 400


def test_i13_the_file_costs_one_query_per_kind_of_record(
    personas, file_of_a, django_assert_num_queries
):
    client = login(personas.worker_a)
    client.get(f"/api/people/{file_of_a.pk}/timeline/")  # sessions, packs and caches warm

    with django_assert_num_queries(16):
        client.get(f"/api/people/{file_of_a.pk}/timeline/")


def test_i13_the_person_page_costs_the_same_queries_with_more_records(
    personas, file_of_a, django_assert_num_queries
):
    client = login(personas.worker_a)
    client.get(f"/people/{file_of_a.pk}/")  # sessions, packs and caches warm
    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        client.get(f"/people/{file_of_a.pk}/")

    for day in range(1, 6):
        travel_add(
            actor=personas.worker_a,
            person=file_of_a,
            data=TravelInput(dt.date(2021, 12, day), dt.date(2021, 12, day), country="JPN"),
        )
        checkins_record(
            actor=personas.worker_a, rows=[reading(file_of_a, f"2022-01-0{day}T08:00", "36.6")]
        )

    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        client.get(f"/people/{file_of_a.pk}/")
