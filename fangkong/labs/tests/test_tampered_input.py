"""Issue 10, findings 11, 12, 13 and 17 on testing: tampered ids answer 400 naming the field,
impossible or implausible times are refused row by row, and a tube always has a barcode."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conftest import FIELD_NAMES_ZH, login
from fangkong.labs.models import Box, Sample, SamplingPoint, ScreeningRound, Tube, TubeResult
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import lab, pool, screening, technician, villagers
from fangkong.labs.tests.test_labs_pages import api

__all__ = ["lab", "screening", "technician"]  # fixtures shared with the service tests


def test_issue10_f11_the_round_page_answers_400_to_a_unit_that_is_not_a_number(
    county, personas, screening
):
    # when
    page = login(personas.commander).get(
        reverse("round-detail", args=[screening.pk]), {"unit": "abc"}
    )
    # then
    assert page.status_code == 400
    assert "单位: " in page.content.decode()


@pytest.mark.parametrize(
    "when", ["0001-01-01T08:00:00+08:00", "2026-02-30T08:00:00+08:00", "2018-12-31T08:00:00Z"]
)
def test_issue10_f12_samples_and_results_at_impossible_or_implausible_times_are_refused(
    county, personas, screening, lab, technician, when
):
    people = villagers(county, personas, 2)
    samples_record(actor=personas.worker_a, round=screening, rows=pool("T0001", people[:1]))
    # when
    sampled = api(personas.worker_a).post(
        "/api/sampling/",
        json.dumps(
            {
                "round": screening.pk,
                "samples": [{"tube": "T0002", "person": people[1].pk, "sampled_at": when}],
            }
        ),
        content_type="application/json",
    )
    tested = api(technician).post(
        "/api/lab-results/",
        json.dumps(
            {"lab": "LAB", "results": [{"tube": "T0001", "result": "negative", "tested_at": when}]}
        ),
        content_type="application/json",
    )
    # then
    assert sampled.status_code == 200
    assert [e["field"] for e in sampled.json()["errors"]] == ["sampled_at"]
    assert tested.status_code == 200
    assert [e["field"] for e in tested.json()["errors"]] == ["tested_at"]
    assert not Tube.objects.filter(barcode="T0002").exists()
    assert not TubeResult.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("round", "abc"), ("unit", "abc"), ("point", "99999999999999999999")]
)
def test_issue10_f13_the_sampling_form_with_a_tampered_id_answers_400(
    county, personas, screening, field, value
):
    people = villagers(county, personas, 1)
    data = {"round": screening.pk, "unit": county.village_a.pk, "tube": "T1000"}
    # when
    answer = login(personas.worker_a).post(
        reverse("sampling"), data | {"people": str(people[0].pk), field: value}
    )
    # then
    assert answer.status_code == 400
    assert f"{FIELD_NAMES_ZH[field]}: " in answer.content.decode()
    assert not Sample.objects.exists()


def test_issue10_f13_a_sampling_point_for_a_unit_that_is_not_a_number_answers_400(county, personas):
    answer = login(personas.worker_a).post(
        reverse("sampling"), {"action": "point", "unit": "abc", "name": "点一"}
    )
    assert answer.status_code == 400
    assert not SamplingPoint.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("unit", "abc"), ("receive", "abc")])
def test_issue10_f13_the_box_form_with_a_tampered_id_answers_400(
    county, personas, lab, technician, field, value
):
    data = {"code": "BOX-1", "unit": county.village_a.pk, "lab": lab.pk, field: value}
    # when
    answer = login(technician if field == "receive" else personas.worker_a).post(
        reverse("boxes"), data
    )
    # then
    assert answer.status_code == 400
    assert f"{FIELD_NAMES_ZH[field]}: " in answer.content.decode()
    assert not Box.objects.exists()


def test_issue10_f13_the_results_form_with_a_lab_that_is_not_a_number_answers_400(
    county, personas, lab, technician
):
    answer = login(technician).post(reverse("lab-results"), {"lab": "abc"})
    assert answer.status_code == 400
    assert "实验室: " in answer.content.decode()


def test_issue10_f13_a_round_starting_in_9999_is_refused_and_the_form_keeps_what_was_typed(
    county, personas, lab
):
    # when
    page = login(personas.commander).post(
        reverse("round-list"),
        {"name": "第三轮", "unit": county.township.pk, "starts_at": "9999-12-31 23:00"},
    )
    # then
    assert page.status_code == 200
    content = page.content.decode()
    assert "starts_at: " in content
    assert "2019-01-01" in content
    assert 'value="第三轮"' in content
    assert not ScreeningRound.objects.exists()


@pytest.mark.parametrize("tube", [12345, None, ""])
def test_issue10_f17_sampling_refuses_a_tube_that_is_a_number_or_missing(
    county, personas, screening, tube
):
    person = villagers(county, personas, 1)[0]
    row = {"person": person.pk} if tube is None else {"tube": tube, "person": person.pk}
    # when
    answer = api(personas.worker_a).post(
        "/api/sampling/",
        json.dumps({"round": screening.pk, "samples": [row]}),
        content_type="application/json",
    )
    # then: refused by name, and no tube without a barcode
    assert answer.status_code == 200
    assert [e["field"] for e in answer.json()["errors"]] == ["tube"]
    assert answer.json()["samples"] == 0
    assert not Tube.objects.exists()
