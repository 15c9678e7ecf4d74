"""The venue-matching window comes from the pack in force at the case's unit
(``contact_window_minutes``), an hour where the pack says nothing (issue 14, item 3)."""

from __future__ import annotations

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import login
from fangkong.policy import packs
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case, ContactCandidate, Venue
from fangkong.tracing.venues import ScanInput, scans_record

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def county_pack(tmp_path, monkeypatch):
    """A county's own pack: P14 with matching narrowed to 30 minutes either side."""
    shutil.copy(packs.POLICIES_DIR / "P14-school-spring-festival.yaml", tmp_path)
    (tmp_path / "X14-narrow-window.yaml").write_text(
        "id: X14-narrow-window\nextends: P14-school-spring-festival\n"
        "source: {plan: P14, line: 715, title: 县方案}\ncontact_window_minutes: 30\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(packs, "POLICIES_DIR", tmp_path)
    packs.packs_all.cache_clear()
    yield "X14-narrow-window"
    packs.packs_all.cache_clear()
    packs.symptoms_known.cache_clear()


@pytest.mark.parametrize(
    ("pack", "proposed"), [("P14-school-spring-festival", True), (None, False)]
)
def test_g07_the_pack_in_force_sets_how_near_a_visit_makes_a_candidate(
    county, personas, person_a, person_b, county_pack, pack, proposed
):
    # given the pack in force (P14: an hour; the county's own: 30 minutes) and a market where
    # person_b scanned 40 minutes after person_a
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id=pack or county_pack,
        start_date=dt.date(2022, 1, 1),
        end_date=None,
        recompute=False,
    )
    venue = Venue.objects.create(unit=county.township, kind="venue", name="集市", code="1" * 12)
    morning = dt.datetime(2022, 1, 30, 9, tzinfo=SHANGHAI)
    scans_record(
        actor=personas.epidemiologist,
        rows=[
            ScanInput(venue.code, person_a.pk, "", morning),
            ScanInput(venue.code, person_b.pk, "", morning + dt.timedelta(minutes=40)),
        ],
    )
    # when person_a is reported a confirmed case on the case page
    login(personas.epidemiologist).post(
        reverse("case-list"), {"person": person_a.pk, "kind": "confirmed"}
    )
    # then person_b is a candidate under the hour, not under the 30 minutes
    case = Case.objects.get(person=person_a)
    assert ContactCandidate.objects.filter(case=case, person=person_b).exists() == proposed
