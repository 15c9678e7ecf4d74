"""Headless Chromium (Debian's, driven by Playwright) through the pages a grid worker uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import PASSWORD, TODAY, Personas, make_resident_id
from fangkong.core import clock
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_log_in_search_and_open_the_person_page(
    page, live_server, county, personas: Personas, tmp_path
):
    person_create(
        actor=personas.commander,
        data=PersonInput(
            name="张三",
            id_type="resident",
            id_number=make_resident_id(sequence="011"),
            unit=county.grid_a,
            phone="13800138000",
        ),
    )
    person_create(
        actor=personas.commander,
        data=PersonInput(
            name="李四",
            id_type="resident",
            id_number=make_resident_id(sequence="022"),
            unit=county.grid_b,
        ),
    )
    log_in(page, live_server, "worker-a")
    assert page.inner_text("[data-testid=people-count]") == "1"
    page.goto(f"{live_server.url}/people/")
    page.fill("input[name=q]", "张")
    page.click("button[type=submit]:has-text('查询')")
    page.click("table a:has-text('张三')")
    page.wait_for_url("**/people/*/")
    text = page.inner_text("main")
    assert "13800138000" in text
    assert make_resident_id(sequence="011") not in text
    assert "李四" not in page.content()
    page.screenshot(path=str(tmp_path / "person.png"), full_page=True)


def test_import_wizard_with_bad_rows(page, live_server, county, personas: Personas, tmp_path):
    register = tmp_path / "台账.csv"
    register.write_text(
        "姓名,证件号码,手机号码,人员类别\n"
        f"王一,{make_resident_id(sequence='501')},13800000001,学生\n"
        "王二,110105194912310021,13800000002,\n"
        f"王三,{make_resident_id(sequence='503')},12345,\n"
        f"王四,{make_resident_id(sequence='504')},,火星人\n"
        f"王五,{make_resident_id(sequence='505')},,\n",
        encoding="utf-8",
    )
    log_in(page, live_server, "worker-a")
    page.goto(f"{live_server.url}/people/import/")
    page.set_input_files("input[type=file]", str(register))
    page.select_option("select[name=unit]", label="甲村第1网格")
    page.click("button:has-text('上传并预览')")
    page.wait_for_url("**/people/import/*/")
    assert "前 5 行中发现 3 处问题" in page.inner_text("[data-testid=preview-problems]")
    assert Person.objects.count() == 0
    page.click("button:has-text('导入')")
    page.wait_for_selector("[data-testid=import-status]:has-text('已完成')")
    assert page.inner_text("[data-testid=created]") == "2"
    assert page.inner_text("[data-testid=rejected]") == "3"
    errors = page.inner_text("[data-testid=row-errors]")
    for expected in ("校验码错误", "不是有效的电话号码", "火星人"):
        assert expected in errors
    assert sorted(Person.objects.values_list("name", flat=True)) == ["王一", "王五"]
    page.screenshot(path=str(tmp_path / "import-report.png"), full_page=True)


def test_c21_a_plan_officer_tries_a_scenario_on_a_phone(
    page, live_server, county, personas: Personas, tmp_path
):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server.url}/plans/")
    page.click("a:has-text('春节期间疫情防控工作方案（白云区第一高级中学）')")
    page.wait_for_url("**/plans/P14-school-spring-festival/")
    assert "D-12" in page.inner_text("[data-testid=rules]")
    # given a published high-risk area in 大连 (the risk areas come from the database)
    from fangkong.org.models import Region
    from fangkong.policy.models import RiskArea

    RiskArea.objects.create(
        region=Region.objects.get(code="210211"),
        level="high",
        start_date="2022-01-20",
        end_date="2022-03-01",
    )
    page.select_option("#id_kind", "arrival")
    page.fill("#id_stay_region", "210211")
    page.fill("#id_stay_from", "2022-01-25")
    page.fill("#id_stay_to", "2022-02-01")
    page.fill("#id_arrival_at", "2022-02-01T10:00")
    page.fill("#id_arrival_region", "520113")
    page.click("button:has-text('试算')")
    result = page.inner_text("[data-testid=result]")
    assert "集中隔离 2022-02-01 → 2022-02-15" in result
    page.screenshot(path=str(tmp_path / "plan-scenario.png"), full_page=True)


@pytest.fixture
def installation_clock() -> Iterator[None]:
    """The installation's clock at the test's instant, so that the live server's thread (which
    does not see the test's frozen clock) counts a link's life the same way."""
    clock.clock_set(TODAY)
    yield
    clock.clock_set(None)


def test_e07_a_person_checks_in_on_a_phone_through_the_personal_link(
    page, live_server, county, personas: Personas, tmp_path, installation_clock
):
    from fangkong.monitoring.models import Checkin
    from fangkong.monitoring.services import self_link_create

    person = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="王五",
            id_type="resident",
            id_number=make_resident_id(sequence="033"),
            unit=county.grid_a,
        ),
    )
    token = self_link_create(actor=personas.worker_a, person=person)
    page.goto(f"{live_server.url}/c/{token}/")
    assert "王五" in page.inner_text("h1")
    page.fill("#celsius", "36.6")
    page.check("#s-cough")
    page.select_option("#health_code", "green")
    page.click("button:has-text('打卡')")
    assert "谢谢" in page.inner_text("[data-testid=done]")
    page.screenshot(path=str(tmp_path / "self-checkin.png"), full_page=True)
    checkin = Checkin.objects.get(person=person)
    assert (str(checkin.celsius), checkin.symptoms, checkin.health_code, checkin.via) == (
        "36.6",
        ["cough"],
        "green",
        "self",
    )


# Every element whose right edge passes the screen's: what a person would have to scroll
# sideways to read, inside a scrolling table too.
BEYOND_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className)"""


def test_a_grid_worker_checks_in_a_long_named_person_on_a_phone_found_by_part_of_the_name(
    page, live_server, county, personas: Personas, installation_clock
):
    from fangkong.monitoring.models import Checkin

    long_name = "阿卜杜热合曼·艾合买提江·买买提依明·热西提"
    people = [
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=name,
                id_type="resident",
                id_number=make_resident_id(sequence=f"{n:03d}"),
                unit=county.grid_a,
            ),
        )  # fmt: skip
        for n, name in enumerate([long_name, *(f"张{n}号" for n in range(40))], start=100)
    ]
    log_in(page, live_server, "worker-a")
    page.goto(f"{live_server.url}/monitoring/class/{county.grid_a.pk}/")
    # A page of 30, the counts of all 41, the save at hand at the bottom of the screen.
    assert page.locator("[data-testid=class-row]").count() == 30
    assert "应到 41" in page.inner_text("[data-testid=attendance]")
    assert page.evaluate(BEYOND_THE_SCREEN) == []
    assert page.locator("[data-testid=class-save]").is_visible()
    page.fill("[data-testid=class-search]", "买买提")
    page.click("button:has-text('查找')")
    field = page.locator(f"input[name=t{people[0].pk}]")
    box = field.bounding_box()
    assert box is not None
    # The long name wraps above the field, which stays on the screen.
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert page.evaluate(BEYOND_THE_SCREEN) == []
    field.fill("36.4")
    page.click("[data-testid=class-save]")
    page.wait_for_url("**q=*")
    assert Checkin.objects.get().person == people[0]
    # The register and the roll-up: cards on a phone, nothing beyond the screen.
    for path in ("/people/", "/monitoring/rollup/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(BEYOND_THE_SCREEN) == [], path


def test_the_command_view_draws_the_map_of_my_area_after_the_page(
    page, live_server, county, personas: Personas, person_a
):
    log_in(page, live_server, "hq")
    page.wait_for_selector("#area-map[data-state=ready]")
    assert county.township.name in page.inner_text("#map-unit") + page.inner_html("#map-units")
    page.wait_for_selector("#map-china svg path")
    assert page.evaluate(BEYOND_THE_SCREEN) == []


def test_i13_the_plans_page_fits_a_phone(page, live_server, county, personas: Personas):
    from fangkong.policy.services import plan_assign

    # given a plan with a long title in force in the county
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P14-school-spring-festival",
        start_date=TODAY.date(),
        end_date=None,
        recompute=False,
    )
    log_in(page, live_server, "hq")
    page.goto(f"{live_server.url}/plans/")
    # then the plans in force and all plans are cards: every title wraps on the screen
    assert "春节期间疫情防控工作方案（白云区第一高级中学）" in page.inner_text(
        "[data-testid=assignments]"
    )
    assert page.evaluate(BEYOND_THE_SCREEN) == []
