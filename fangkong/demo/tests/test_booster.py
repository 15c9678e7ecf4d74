"""The demo's second village, under P13, has villagers due a booster (M-02: six months after the
course): the worker's outreach list and the village's coverage show them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from conftest import TODAY, login
from fangkong.demo.builder import BOOSTER_DUE_PEOPLE, DemoBuilder
from fangkong.org.models import Unit

pytestmark = pytest.mark.django_db


def test_m02_the_demo_village_under_p13_shows_villagers_due_a_booster(reference_data):
    # given the demo county
    DemoBuilder(people=60).build(TODAY.date())
    village = Unit.objects.get(code="T1V2")
    worker = login(User.objects.get(username="village-b"))
    # when its worker opens the outreach list and the village's coverage
    outreach = worker.get(reverse("vaccination-outreach")).content.decode()
    coverage = worker.get("/api/vaccination-doses/coverage/", {"unit": village.pk}).json()
    # then the villagers who had the course seven months ago are due a booster
    assert outreach.count("起可接种加强针") >= BOOSTER_DUE_PEOPLE
    assert coverage["total"]["booster_due"] >= BOOSTER_DUE_PEOPLE
