"""The 四早 board counts each case from its onset (the investigation's onset date) to its report
(N-11: onset → report → investigation → contacts), through the investigation page and the
board's page and API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import login
from fangkong.core import clock
from fangkong.tracing.models import Case

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_n11_g07_the_onset_date_entered_in_the_investigation_starts_the_case_s_steps(
    county, personas, person_a, person_b
):
    # given a case reported at 09:00 on 1 February, whose investigation gives the onset on
    # 30 January
    worker = login(personas.worker_a)
    with clock.frozen(dt.datetime(2022, 2, 1, 9, tzinfo=SHANGHAI)):
        worker.post("/api/cases/", {"person": person_a.pk, "kind": "confirmed"})
        case = Case.objects.get(person=person_a)
        url = reverse("case-investigation", args=[case.pk])
        worker.post(url, {"action": "open"})
        saved = worker.post(url, {"action": "answers", "onset_date": "2022-01-30", "history": ""})
        assert saved.status_code == 302
    # when the county opens the board
    county_office = login(personas.commander)
    period = {"from": "2022-01-26", "to": "2022-02-02"}
    with clock.frozen(dt.datetime(2022, 2, 1, 15, tzinfo=SHANGHAI)):
        api = county_office.get("/api/command/sizao/", period).json()
        page = county_office.get(reverse("sizao"), period).content.decode()
        neighbour = login(personas.worker_b).get("/api/command/sizao/", period).json()
    # then the case took 2 days 9 hours from onset (its day's midnight) to report
    [steps] = api["cases"]
    assert steps["onset_minutes"] == (2 * 24 + 9) * 60
    assert api["intervals"][0] == {
        "name": "onset",
        "label": "发病 → 报告",
        "median_minutes": (2 * 24 + 9) * 60,
    }
    assert "发病 → 报告" in page
    # and the neighbouring village's board holds no case of village A
    assert neighbour["cases"] == []
