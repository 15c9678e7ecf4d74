"""A screening round's positives confirmed as cases at once on the round page (issue 14): the
people of its positive single tubes who are no case yet, ticked and confirmed in one action."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import login
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import (  # noqa: F401 - fixtures
    lab,
    pool,
    result,
    screening,
    villagers,
)
from fangkong.obligations.models import Obligation
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case

pytestmark = pytest.mark.django_db


def test_g04_the_round_page_confirms_its_positives_at_once_and_a_neighbour_cannot(
    county,
    personas,
    screening,  # noqa: F811
    lab,  # noqa: F811
):
    # given the plan in force and three villagers of 甲村 whose single re-tests are positive
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    sick = villagers(county, personas, 3)
    for number, person in enumerate(sick):
        samples_record(
            actor=personas.worker_a, kind="single", round=screening,
            rows=pool(f"S000{number}", [person]),
        )  # fmt: skip
    results_record(
        actor=personas.commander, lab=lab,
        rows=[result(f"S000{number}", "阳性", "24") for number in range(3)],
    )  # fmt: skip
    url = f"/labs/rounds/{screening.pk}/"
    # the round page lists them to confirm; 乙村's worker sees none of them
    page = login(personas.worker_a).get(url).content.decode()
    assert 'data-testid="confirm-positives"' in page
    assert all(f'name="person" value="{p.pk}"' in page for p in sick)
    neighbour = login(personas.worker_b)
    assert 'data-testid="confirm-positives"' not in neighbour.get(url).content.decode()
    # when 乙村's worker posts them anyway, the list is refused with the reason, nothing written
    refused = neighbour.post(url, {"person": [p.pk for p in sick]})
    assert refused.status_code == 400
    assert "您无权修改此人员。" in refused.content.decode()
    assert not Case.objects.exists()
    # when 甲村's worker ticks two of them and confirms
    village = login(personas.worker_a)
    response = village.post(url, {"person": [sick[0].pk, sick[2].pk]}, follow=True)
    # then two confirmed cases with their 2 h direct reports, the third still to confirm
    assert "已确诊2例病例" in response.content.decode()
    cases = Case.objects.filter(kind="confirmed")
    assert sorted(cases.values_list("person_id", flat=True)) == [sick[0].pk, sick[2].pk]
    assert cases.get(person=sick[0]).note == "采样管 S0000 阳性"
    for case in cases:
        report = Obligation.objects.of_case(case.pk).get(kind="direct_report")
        assert report.due_at == case.reported_at + dt.timedelta(hours=2)
    page = village.get(url).content.decode()
    assert f'name="person" value="{sick[1].pk}"' in page
    assert f'name="person" value="{sick[0].pk}"' not in page
    # and one already a case, sent again with the third, refuses both, naming the person
    again = village.post(url, {"person": [sick[1].pk, sick[0].pk]})
    assert again.status_code == 400
    assert "此人已有未结案的病例" in again.content.decode()
    assert Case.objects.count() == 2
