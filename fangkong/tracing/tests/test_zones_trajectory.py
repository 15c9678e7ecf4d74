"""Zones (划定疫区, H-01) are drawn from where the cases went, not only where they live: the
regions of the stops the investigator found and of the venues the scans place them at."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from conftest import login
from fangkong.monitoring.tests.test_monitoring import under
from fangkong.org.models import Region
from fangkong.org.services import unit_create
from fangkong.policy.models import Classification, RiskArea
from fangkong.policy.tests.test_measures import came_back_from
from fangkong.tracing.models import Case, Venue
from fangkong.tracing.venues import ScanInput, scans_record

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_h01_zones_are_proposed_from_the_case_s_stops_and_scans_and_confirmed_into_a_risk_area(
    county, personas, person_a, person_b, django_capture_on_commit_callbacks
):
    # given P14 in force, two townships the case of 甲村 went to (a meal found by the
    # investigator, a market whose code it scanned), and a resident of 乙村 who stayed in the first
    under("P14-school-spring-festival", county, personas)
    home = county.grid_a.region
    visited, scanned = Region.objects.filter(parent=home.parent).exclude(pk=home.pk)[:2]
    market_town = unit_create(
        code="T2", name="麦架镇", kind="township", region=scanned, parent=county.hq
    )
    market = Venue.objects.create(unit=market_town, kind="venue", name="麦架集市", code="7" * 12)
    scans_record(
        actor=personas.commander,
        rows=[
            ScanInput(market.code, person_a.pk, "", dt.datetime(2022, 1, 29, 9, tzinfo=SHANGHAI))
        ],
    )
    came_back_from(person_b, personas.worker_b, visited.code, "2022-01-29", "2022-02-01")
    epidemiologist = login(personas.epidemiologist)
    epidemiologist.post(reverse("case-list"), {"person": person_a.pk, "kind": "confirmed"})
    case = Case.objects.get(person=person_a)
    stop = epidemiologist.post(
        reverse("case-detail", args=[case.pk]),
        {
            "action": "stop",
            "place": "亲戚家聚餐",
            "region": visited.code,
            "from_at": "2022-01-29T18:00",
            "to_at": "2022-01-29T21:00",
        },
    )
    assert stop.status_code == 302
    # when the headquarters opens the proposals
    headquarters = login(personas.commander)
    page = headquarters.get(reverse("zone-list")).content.decode()
    # then the case's home, the meal's township and the market's township are proposed
    for region in (home, visited, scanned):
        assert region.full_name in page
    # when it confirms the meal's township
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = headquarters.post(
            reverse("zone-list"), {"action": "confirm", "region": visited.code, "level": "high"}
        )
    # then it is a risk area, and the resident who stayed there is reclassified
    assert confirmed.status_code == 302
    assert RiskArea.objects.get(region=visited, is_current=True).level == "high"
    assert Classification.objects.filter(person=person_b).latest("decided_at").rule_id == (
        "risk-area"
    )
    # and a village worker may not open the zones at all
    assert login(personas.worker_b).get(reverse("zone-list")).status_code == 403
