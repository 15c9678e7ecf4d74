"""Menus show only what the role may open (issue 13, item 3): every demo persona's menu links
answer 200, and what a role may not open is not in its menu."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from conftest import TODAY, login
from fangkong.demo.builder import DemoBuilder

pytestmark = pytest.mark.django_db

# The bar's links and those of its drop-downs.
MENU_LINK = re.compile(r'<a class="(?:nav-link text-nowrap|dropdown-item)" href="([^"]+)">')


def _menu(client) -> list[str]:
    return MENU_LINK.findall(client.get("/").content.decode())


def test_every_menu_link_of_every_demo_persona_opens(reference_data):
    # given the demo county and each of its personas
    DemoBuilder(people=60).build(TODAY.date())
    refused = []
    for user in User.objects.order_by("username"):
        client = login(user)
        # when they follow each link of their menu
        links = _menu(client)
        assert links, user.username
        refused += [
            (user.username, link, status)
            for link in links
            if (status := client.get(link).status_code) != 200
        ]
    # then every one opens
    assert not refused


def test_grid_worker_menu_has_no_audit_and_lab_menu_no_register(reference_data):
    DemoBuilder(people=60).build(TODAY.date())
    grid_worker = _menu(login(User.objects.get(username="village-a")))
    lab = _menu(login(User.objects.get(username="lab-tech")))
    principal = _menu(login(User.objects.get(username="principal")))
    assert "/audit/" not in grid_worker
    assert "/people/" in grid_worker
    assert "/people/" not in lab
    assert "/people/import/" not in lab
    assert "/labs/" in lab
    assert "/audit/" in principal
