"""Zones (划定疫区, H-01): risk areas proposed around the period's cases, confirmed or dismissed
by the headquarters on their page (issue 14, item 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import TODAY, login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.monitoring.tests.test_monitoring import under
from fangkong.policy.models import Classification, RiskArea
from fangkong.policy.tests.test_measures import came_back_from
from fangkong.tracing.models import ZoneDismissal
from fangkong.tracing.services import case_report


@pytest.fixture
def confirmed_case(county, personas, person_a):
    return case_report(actor=personas.epidemiologist, person=person_a, kind="confirmed")


def test_h01_a_confirmed_zone_becomes_a_risk_area_and_reclassifies_who_stayed_there(
    county, personas, person_b, confirmed_case, django_capture_on_commit_callbacks
):
    # given P14 in force and a resident of 乙村 who stayed in the case's township last week
    under("P14-school-spring-festival", county, personas)
    township = county.grid_a.region
    came_back_from(person_b, personas.worker_b, township.code, "2022-01-25", "2022-02-01")
    before = Classification.objects.filter(person=person_b).values_list("rule_id", flat=True)
    assert "risk-area" not in before
    headquarters = login(personas.commander)
    # when the headquarters opens the proposals: the township, with its one case
    page = headquarters.get(reverse("zone-list")).content.decode()
    assert township.full_name in page
    assert 'value="high" selected' in page
    # and confirms it as a high-risk area
    with django_capture_on_commit_callbacks(execute=True):
        response = headquarters.post(
            reverse("zone-list"), {"action": "confirm", "region": township.code, "level": "high"}
        )
    assert response.status_code == 302
    # then it is a risk area from its case's day, audited, and the resident is reclassified
    area = RiskArea.objects.get(region=township, is_current=True)
    assert (area.level, area.start_date, area.end_date) == ("high", dt.date(2022, 2, 1), None)
    assert AuditEvent.objects.filter(object_type="risk_area", object_id=str(area.pk)).count() == 1
    assert Classification.objects.filter(person=person_b).latest("decided_at").rule_id == (
        "risk-area"
    )
    # and it is proposed no more
    assert township.full_name not in headquarters.get(reverse("zone-list")).content.decode()


def test_h01_a_dismissed_zone_is_recorded_and_comes_back_with_a_further_case(
    county, personas, person_a, person_b, confirmed_case
):
    township = county.grid_a.region
    headquarters = login(personas.commander)
    response = headquarters.post(
        reverse("zone-list"), {"action": "dismiss", "region": township.code, "note": "已封闭管理"}
    )
    assert response.status_code == 302
    dismissal = ZoneDismissal.objects.get()
    assert (dismissal.region_id, dismissal.note, dismissal.dismissed_by) == (
        township.code,
        "已封闭管理",
        personas.commander,
    )
    assert AuditEvent.objects.get(object_type="zone_dismissal").summary.startswith(
        township.full_name
    )
    assert not RiskArea.objects.exists()
    assert township.full_name not in headquarters.get(reverse("zone-list")).content.decode()
    # when a further case is reported there the next day, the township is proposed again
    with clock.frozen(TODAY + dt.timedelta(days=1)):
        case_report(actor=personas.epidemiologist, person=person_b, kind="asymptomatic")
        page = headquarters.get(reverse("zone-list")).content.decode()
    assert township.full_name in page


def test_h01_only_the_headquarters_decides_on_zones(county, personas, confirmed_case):
    township = county.grid_a.region
    for persona in (personas.worker_b, personas.epidemiologist, personas.viewer):
        client = login(persona)
        assert client.get(reverse("zone-list")).status_code == 403
        response = client.post(
            reverse("zone-list"), {"action": "confirm", "region": township.code, "level": "high"}
        )
        assert response.status_code == 403
    assert not RiskArea.objects.exists()
    assert not ZoneDismissal.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "confirm", "level": "extreme"}, "风险等级"),
        ({"action": "erase"}, "操作"),
        ({"action": "confirm", "since": "2022-13-01"}, "开始日期"),
        ({"action": "dismiss", "since": "2022-02-01", "until": "2022-01-01"}, "结束日期"),
    ],
)
def test_h01_tampered_zone_decisions_are_refused_and_write_nothing(
    county, personas, confirmed_case, data, field
):
    headquarters = login(personas.commander)
    response = headquarters.post(
        reverse("zone-list"), {"region": county.grid_a.region.code, **data}
    )
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not RiskArea.objects.exists()
    assert not ZoneDismissal.objects.exists()


def test_h01_a_region_not_proposed_is_not_published(county, personas, confirmed_case):
    headquarters = login(personas.commander)
    response = headquarters.post(
        reverse("zone-list"),
        {"action": "confirm", "region": "110105", "level": "high"},
        follow=True,
    )
    assert "该地区（已）不在建议之列。" in response.content.decode()
    assert not RiskArea.objects.exists()
