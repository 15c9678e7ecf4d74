"""Issue 10, findings 1 and 3: a round's coverage and a tube's members stay within the viewer's
and the sampler's units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from fangkong.labs.models import Sample
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import lab, pool, screening, technician, villagers
from fangkong.labs.tests.test_labs_pages import api

pytestmark = pytest.mark.django_db
__all__ = ["lab", "screening", "technician"]


@pytest.fixture
def two_villages(county, personas, screening):
    """Three people of village A (one sampled) and two of village B (none sampled)."""
    in_a = villagers(county, personas, 3)
    in_b = villagers(county, personas, 2, unit=county.grid_b, first=200)
    samples_record(actor=personas.commander, round=screening, rows=pool("T0100", in_a[:1]))
    return in_a, in_b


def test_round_page_keeps_other_villages_out(county, personas, screening, two_villages):
    # given a grid worker of village A on a township round
    in_a, in_b = two_villages
    worker_a = login(personas.worker_a)
    url = reverse("round-detail", args=[screening.pk])
    # when they drill down to village B's grid, or look at the round as a whole
    drill = worker_a.get(f"{url}?unit={county.grid_b.pk}").content.decode()
    whole = worker_a.get(url).content.decode()
    # then nothing of village B shows: no names, no phones, no row of counts
    for page in (drill, whole):
        assert f"/people/{in_b[0].pk}/" not in page
        assert county.village_b.name not in page
    assert county.village_a.name in whole
    # and their own grid lists their own people still to sample
    own = worker_a.get(f"{url}?unit={county.grid_a.pk}").content.decode()
    assert 'data-testid="missing"' in own
    assert f"/people/{in_a[1].pk}/" in own


def test_round_coverage_api_counts_only_the_viewers_units(
    county, personas, screening, two_villages
):
    rows = api(personas.worker_a).get(f"/api/rounds/{screening.pk}/coverage/").json()
    assert {row["unit"] for row in rows} == {"VA"}
    assert rows[0]["registered"] == 3
    everything = api(personas.commander).get(f"/api/rounds/{screening.pk}/coverage/").json()
    assert {row["unit"] for row in everything} == {"VA", "VB"}


def test_round_page_shows_a_lab_counts_without_names(
    county, personas, screening, technician, two_villages
):
    page = login(technician).get(reverse("round-detail", args=[screening.pk])).content.decode()
    assert 'data-testid="coverage"' in page
    assert 'data-testid="missing"' not in page
    for person in two_villages[0] + two_villages[1]:
        assert f"/people/{person.pk}/" not in page
    rows = api(technician).get(f"/api/rounds/{screening.pk}/coverage/").json()
    assert rows == [{"unit": "T1", "registered": 5, "sampled": 1}]


def test_sampling_into_another_villages_tube_is_refused(county, personas, screening):
    # given village A's open tube with one person in it
    in_a = villagers(county, personas, 1)
    in_b = villagers(county, personas, 1, unit=county.grid_b, first=200)
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T0200", in_a))
    # when a grid worker of village B adds their person to it through the API
    response = api(personas.worker_b).post(
        "/api/sampling/",
        {
            "round": screening.pk,
            "kind": "pool",
            "samples": [{"tube": "T0200", "person": in_b[0].pk}],
        },
        format="json",
    )
    # then the row is refused by name and the tube keeps village A's person alone
    assert response.status_code in (200, 201)
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(0, "tube")]
    assert "T0200" in errors[0]["reason"]
    assert list(Sample.objects.filter(tube__barcode="T0200").values_list("person", flat=True)) == [
        in_a[0].pk
    ]
    # and village A's tube page shows no one of village B
    tube_page = login(personas.worker_a).get(reverse("tube", args=["T0200"])).content.decode()
    assert f"/people/{in_b[0].pk}/" not in tube_page
    assert f"/people/{in_a[0].pk}/" in tube_page
