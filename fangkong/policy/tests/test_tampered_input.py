"""Issue 10, findings 11 and 16 on plans and people: a page number too large for the database
answers 400, and every date a user enters lies between 2019-01-01 and a year from today."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from fangkong.people.models import TravelRecord
from fangkong.policy.models import RiskArea


def test_issue10_f11_the_obligation_list_answers_400_to_a_page_number_too_large(county, personas):
    client = login(personas.commander)
    # when
    huge = client.get(reverse("obligation-list"), {"page": "99999999999999999999"})
    # then
    assert huge.status_code == 400
    assert "页码: " in huge.content.decode()
    assert client.get(reverse("obligation-list"), {"page": "2"}).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "2018-12-31", "2023-02-03"])
def test_issue10_f16_a_risk_area_outside_the_plausible_dates_is_refused_on_the_page_and_by_the_api(
    county, personas, day
):
    data = {"region": "210211", "level": "high", "start_date": day, "source": "fuzz"}
    # when
    page = login(personas.commander).post(reverse("risk-area-list"), data)
    answer = login(personas.commander).post("/api/risk-areas/", data)
    # then: the form keeps what was typed and says why; the API names the field
    assert page.status_code == 200
    assert "2019-01-01" in page.content.decode()
    assert f'value="{day}"' in page.content.decode()
    assert answer.status_code == 400
    assert "2019-01-01" in answer.json()["start_date"][0]
    assert not RiskArea.objects.exists()


def test_issue10_f16_a_stay_of_year_1_is_refused_on_the_page_and_by_the_api(
    county, personas, person_a
):
    stay = {"region": "110105", "start_date": "0001-01-01", "end_date": "2022-01-05"}
    client = login(personas.commander)
    # when
    page = client.post(reverse("travel-add", args=[person_a.pk]), stay, follow=True)
    answer = client.post(f"/api/people/{person_a.pk}/travel/", stay)
    # then
    assert "2019-01-01" in page.content.decode()
    assert answer.status_code == 400
    assert "start_date" in answer.json()
    assert not TravelRecord.objects.exists()
