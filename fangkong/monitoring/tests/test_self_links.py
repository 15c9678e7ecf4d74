"""Issue 10, finding 23: personal check-in links are revoked from the person page and the API,
expire with the person's monitoring period, and are rate limited across every worker."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import TODAY, login
from fangkong.core import clock
from fangkong.monitoring.models import Checkin
from fangkong.monitoring.views import LINK_RATE
from fangkong.org.models import Region
from fangkong.policy.services import RiskAreaInput, plan_assign, risk_area_create
from fangkong.policy.tests.test_measures import active, came_back_from

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _link_of(person, worker) -> str:
    """The link as a worker makes it: the button on the person page."""
    page = login(worker).post(reverse("self-link", args=[person.pk])).content.decode()
    found = re.search(r'data-testid="link">https?://[^/]+([^<]+)<', page)
    assert found is not None
    return found.group(1)


def _opens(url: str, when: dt.datetime) -> bool:
    with clock.frozen(when):
        return Client().get(url).status_code == 200


def test_personal_link_expires_with_the_persons_monitoring_period(
    county, personas, person_a, django_capture_on_commit_callbacks
):
    # given a returnee from a high-risk area under P14: measures until 2022-03-01
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P14-school-spring-festival",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        risk_area_create(
            actor=personas.commander,
            data=RiskAreaInput(
                Region.objects.get(code="210211"), "high", dt.date(2022, 1, 20), None, "test"
            ),
        )
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    assert active(person_a)[-1][2] == "2022-03-01"
    # when a worker gives them a link
    url = _link_of(person_a, personas.worker_a)
    # then it opens through the last day of the measures, and not after
    assert _opens(url, dt.datetime(2022, 3, 1, 23, 59, tzinfo=SHANGHAI))
    assert not _opens(url, dt.datetime(2022, 3, 2, 0, 0, tzinfo=SHANGHAI))


def test_personal_link_without_measures_expires_after_checkin_link_days(
    personas, person_b, settings
):
    assert settings.FANGKONG_CHECKIN_LINK_DAYS == 14
    url = _link_of(person_b, personas.worker_b)
    assert _opens(url, TODAY + dt.timedelta(days=14, seconds=-1))
    assert not _opens(url, TODAY + dt.timedelta(days=14))


def test_person_page_revokes_personal_links(personas, person_a):
    url = _link_of(person_a, personas.worker_a)
    worker = login(personas.worker_a)
    page = worker.get(reverse("person-detail", args=[person_a.pk])).content.decode()
    assert 'data-testid="revoke-links"' in page
    revoke = reverse("self-link-revoke", args=[person_a.pk])
    # an officer of the neighbouring village cannot revoke it
    assert login(personas.worker_b).post(revoke).status_code == 404
    assert Client().get(url).status_code == 200
    # the person's own worker can, from the person page
    response = worker.post(revoke, follow=True)
    assert response.redirect_chain == [(reverse("person-detail", args=[person_a.pk]), 302)]
    page = response.content.decode()
    assert "已撤销 1 个个人打卡链接。" in page
    timeline = page.split('data-testid="timeline"')[1]
    assert "撤销个人打卡链接 1 个" in timeline
    assert Client().get(url).status_code == 404
    assert Client().post(url, {"celsius": "36.5"}).status_code == 404
    assert not Checkin.objects.exists()


def test_api_revokes_personal_links(personas, person_a):
    url = _link_of(person_a, personas.worker_a)
    outsider = APIClient()
    outsider.force_authenticate(personas.worker_b)
    assert outsider.post("/api/checkin-links/revoke/", {"person": person_a.pk}).status_code == 404
    assert Client().get(url).status_code == 200
    api = APIClient()
    api.force_authenticate(personas.worker_a)
    assert api.post("/api/checkin-links/revoke/", {"person": "甲"}).status_code == 400
    response = api.post("/api/checkin-links/revoke/", {"person": person_a.pk})
    assert (response.status_code, response.json()) == (200, {"revoked": 1})
    assert Client().get(url).status_code == 404
    again = api.post("/api/checkin-links/revoke/", {"person": person_a.pk})
    assert again.json() == {"revoked": 0}


def test_personal_link_rate_limit_is_shared_by_every_worker(personas, person_a):
    url = _link_of(person_a, personas.worker_a)
    phone = Client()
    for _ in range(LINK_RATE):
        assert phone.post(url, {"celsius": "36.5"}).status_code == 200
    # the next check-in reaches another worker process, whose own memory holds no count
    caches["default"].clear()
    response = phone.post(url, {"celsius": "36.5"})
    assert response.status_code == 429
    assert Checkin.objects.count() == LINK_RATE
