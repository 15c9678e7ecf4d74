"""Shared fixtures: a small county with personas, built through the real services."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from fangkong.core import clock
from fangkong.org.models import Region, RegionAlias, Unit
from fangkong.org.reference_data import regions_load
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.people.identity import resident_id_check_char
from fangkong.people.models import Category, Person
from fangkong.people.reference_data import categories_load
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.resolver import PackResolver

PASSWORD = "correct horse battery staple"
CHROMIUM = Path("/usr/bin/chromium")
TODAY = dt.datetime(2022, 2, 1, 10, 0, tzinfo=dt.UTC)

# How the 400 page names each tampered key (core.inputs.FIELD_NAMES, in Chinese).
FIELD_NAMES_ZH = {
    "unit": "单位",
    "day": "日期",
    "round": "筛查轮次",
    "point": "采样点",
    "lab": "实验室",
    "receive": "转运箱",
    "absence": "缺勤记录",
    "person": "人员",
}


def make_resident_id(region: str = "520113", birth: str = "19900307", sequence: str = "123") -> str:
    body = f"{region}{birth}{sequence}"
    return body + resident_id_check_char(body)


@dataclass
class County:
    hq: Unit
    township: Unit
    village_a: Unit
    village_b: Unit
    grid_a: Unit
    grid_b: Unit
    school: Unit
    class_1: Unit


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The production hasher is slow on purpose; the personas' passwords need no protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Queued tasks run inline, so a test sees their effect when the request returns.
    settings.FANGKONG_TASKS_IN_THREAD = False
    # Every request reads the command view's figures afresh (no figures kept from another test).
    settings.COMMAND_AGGREGATE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_pack_resolvers():
    # Shared per process for speed; a test's plan assignments vanish with its transaction.
    PackResolver.forget()
    yield
    PackResolver.forget()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def reference_data(db: None) -> None:
    """Regions and categories; reloaded where a transactional test flushed them."""
    if not Region.objects.exists():
        regions_load(Region, RegionAlias)
    if not Category.objects.exists():
        categories_load(Category)


@pytest.fixture
def county(reference_data: None) -> County:
    county_region = Region.objects.get(code="520113")
    township_region = Region.objects.filter(parent=county_region).order_by("code").first()
    assert township_region is not None
    hq = unit_create(code="HQ", name="白云区指挥部", kind="headquarters", region=county_region)
    township = unit_create(
        code="T1", name="泉湖街道", kind="township", region=township_region, parent=hq
    )
    village_a = unit_create(
        code="VA", name="甲村", kind="village", region=township_region, parent=township
    )
    village_b = unit_create(
        code="VB", name="乙村", kind="village", region=township_region, parent=township
    )
    grid_a = unit_create(
        code="VA-G1", name="甲村第1网格", kind="grid", region=township_region, parent=village_a
    )
    grid_b = unit_create(
        code="VB-G1", name="乙村第1网格", kind="grid", region=township_region, parent=village_b
    )
    school = unit_create(
        code="SCH", name="第一高级中学", kind="school", region=township_region, parent=township
    )
    class_1 = unit_create(
        code="SCH-C1", name="高一(1)班", kind="class", region=township_region, parent=school
    )
    return County(hq, township, village_a, village_b, grid_a, grid_b, school, class_1)


def make_user(username: str, role: str | None, unit: Unit | None) -> User:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if role and unit:
        membership_grant(user=user, unit=unit, role=role)
    return user


@dataclass
class Personas:
    commander: User
    worker_a: User
    worker_b: User
    viewer: User
    epidemiologist: User
    lab: User
    teacher: User


@pytest.fixture
def personas(county: County) -> Personas:
    return Personas(
        commander=make_user("hq", Role.COMMANDER, county.hq),
        worker_a=make_user("worker-a", Role.GRID_WORKER, county.village_a),
        worker_b=make_user("worker-b", Role.GRID_WORKER, county.village_b),
        viewer=make_user("viewer", Role.VIEWER, county.hq),
        epidemiologist=make_user("epi", Role.EPIDEMIOLOGIST, county.hq),
        lab=make_user("lab", Role.LAB_TECHNICIAN, county.hq),
        teacher=make_user("teacher", Role.CLASS_TEACHER, county.class_1),
    )


@pytest.fixture
def person_a(personas: Personas, county: County) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="张三",
            id_type="resident",
            id_number=make_resident_id(sequence="011"),
            unit=county.grid_a,
            phone="13800138000",
            household_code="H1",
            categories=["resident"],
        ),
    )


@pytest.fixture
def person_b(personas: Personas, county: County) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="李四",
            id_type="resident",
            id_number=make_resident_id(sequence="022"),
            unit=county.grid_b,
            phone="13900139000",
            categories=["returnee"],
        ),
    )


def body(response) -> bytes:
    """A response's bytes, streamed (exports) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def workbook_rows(response) -> list[tuple]:
    """The data rows (after the header) of a downloaded workbook."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def export_urls(response) -> list[str]:
    """A page's download links (core/_export_links.html), in page order."""
    assert response.status_code == 200
    found = re.findall(r'<a [^>]*href="([^"]+)" download>', response.content.decode())
    return [href.replace("&amp;", "&") for href in found]


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browser(live_server) -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright; the browser tests need CI to install it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls of the test are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
