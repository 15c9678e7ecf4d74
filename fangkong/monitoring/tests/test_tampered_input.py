"""Issue 10, findings 11, 12, 13 and 16 on daily monitoring: tampered ids, impossible or
implausible dates and NaN temperatures are refused with the field and the reason, never a 500,
and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from conftest import FIELD_NAMES_ZH, login
from fangkong.monitoring.models import Absence, Checkin, UnitReport
from fangkong.monitoring.selectors import FIGURES
from fangkong.monitoring.services import self_link_create


@pytest.mark.parametrize("name", ["monitoring", "rollup", "reports"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit", "abc"),
        ("unit", "99999999999999999999"),
        ("day", "0001-01-01"),
        ("day", "9999-12-31"),
    ],
)
def test_issue10_f11_monitoring_pages_answer_400_naming_a_tampered_unit_or_far_day(
    county, personas, name, field, value
):
    # when
    page = login(personas.commander).get(reverse(name), {field: value})
    # then: the reason names the field and the value, in the user's language
    assert page.status_code == 400
    reason = page.content.decode()
    assert f"{FIELD_NAMES_ZH[field]}: " in reason
    assert ("不是" in reason) if field == "unit" else ("2019-01-01" in reason)


def test_issue10_f11_a_plain_day_still_shows_the_page(county, personas):
    page = login(personas.commander).get(reverse("monitoring"), {"day": "2022-01-30"})
    assert page.status_code == 200


def test_issue10_f12_a_nan_temperature_is_refused_by_the_api_single_and_batch(
    county, personas, person_a
):
    client = login(personas.worker_a)
    # when
    single = client.post("/api/checkins/", {"person": person_a.pk, "celsius": "NaN"})
    batch = client.post(
        "/api/checkins/batch/",
        json.dumps(
            [
                {"person": person_a.pk, "celsius": "NaN"},
                {"person": person_a.pk, "celsius": "-Infinity"},
                {"person": person_a.pk, "celsius": "36.6"},
            ]
        ),
        content_type="application/json",
    )
    # then
    assert single.status_code == 400
    assert "celsius" in single.json()
    assert batch.status_code == 200
    assert [(e["index"], e["field"]) for e in batch.json()["errors"]] == [
        (0, "celsius"),
        (1, "celsius"),
    ]
    assert Checkin.objects.count() == 1


def test_issue10_f12_a_nan_temperature_is_refused_on_the_personal_link_and_the_class_screen(
    county, personas, person_a, client
):
    cache.clear()
    link = reverse(
        "self-checkin", args=[self_link_create(actor=personas.worker_a, person=person_a)]
    )
    # when
    personal = client.post(link, {"celsius": "NaN"})
    screen = login(personas.commander).post(
        reverse("class-checkin", args=[county.grid_a.pk]), {f"t{person_a.pk}": "NaN"}
    )
    # then: refused, named, and the class screen keeps what was typed
    assert personal.status_code == 400
    assert 'data-field="celsius"' in personal.content.decode()
    assert screen.status_code == 200
    assert 'data-testid="row-error"' in screen.content.decode()
    assert 'value="NaN"' in screen.content.decode()
    assert not Checkin.objects.exists()


@pytest.mark.parametrize(
    "at", ["0001-01-01T08:00:00+08:00", "2026-13-45T08:00:00+08:00", "2018-12-31T08:00:00+08:00"]
)
def test_issue10_f12_a_check_in_at_an_impossible_or_implausible_time_is_refused(
    county, personas, person_a, at
):
    client = login(personas.worker_a)
    # when
    single = client.post("/api/checkins/", {"person": person_a.pk, "celsius": "36.5", "at": at})
    batch = client.post(
        "/api/checkins/batch/",
        json.dumps([{"person": person_a.pk, "celsius": "36.5", "at": at}]),
        content_type="application/json",
    )
    # then
    assert single.status_code == 400
    assert "at" in single.json()
    assert [e["field"] for e in batch.json()["errors"]] == ["at"]
    assert not Checkin.objects.exists()


def test_issue10_f12_a_report_for_year_1_is_refused_by_the_api(county, personas):
    # when
    filed = login(personas.worker_a).post(
        "/api/reports/", {"unit": "VA", "kind": "daily_report", "day": "0001-01-01"}
    )
    # then
    assert filed.status_code == 400
    assert "2019-01-01" in filed.json()["day"][0]
    assert not UnitReport.objects.exists()


def test_issue10_f13_the_absence_form_with_a_name_nobody_has_says_so_and_keeps_it(county, personas):
    client = login(personas.worker_a)
    # when
    answer = client.post(reverse("absences"), {"person_text": "abc", "day": "2022-01-31"})
    # then
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "您所辖单位中没有此姓名的人员，请从列表中选择。" in page
    assert 'name="person_text" value="abc"' in page
    assert 'name="day" value="2022-01-31"' in page
    assert not Absence.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("unit", "abc"), ("day", "abc")])
def test_issue10_f13_the_report_form_with_a_tampered_unit_or_day_answers_400(
    county, personas, field, value
):
    figures = dict.fromkeys(FIGURES, "0")
    data = figures | {"unit": str(county.village_a.pk), "day": "2022-01-31", field: value}
    # when
    answer = login(personas.worker_a).post(reverse("reports"), data)
    # then
    assert answer.status_code == 400
    assert f"{FIELD_NAMES_ZH[field]}: " in answer.content.decode()
    assert not UnitReport.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "2018-12-31"])
def test_issue10_f16_an_absence_of_year_1_is_refused_and_marks_no_one_absent(
    county, personas, person_a, day
):
    client = login(personas.worker_a)
    # when
    answer = client.post(
        reverse("absences"), {"person": str(person_a.pk), "day": day, "illness": "1"}, follow=True
    )
    # then: refused with the range, and the person is not followed as absent
    assert "2019-01-01" in answer.content.decode()
    assert not Absence.objects.exists()
