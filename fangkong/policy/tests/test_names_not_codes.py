"""Names, not codes, everywhere a person reads (issue 13, item 2): plans by their titles; risk
levels, kinds, events and reasons in Chinese; units without their codes; audit summaries in Chinese;
and the testing tabs a role may open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import County, Personas, login, make_user
from fangkong.org.roles import Role
from fangkong.policy.tests.test_plan_pages import under_p14  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

P14_TITLE = "春节期间疫情防控工作方案（白云区第一高级中学）"
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def visible(response) -> str:
    """What the page shows: its text without tags, scripts or attribute values (links keep ids)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_plan_slugs_shown_the_plan_list_names_plans_by_their_titles(personas: Personas):
    page = visible(login(personas.viewer).get(reverse("plan-list")))
    assert "农村地区冬春季新冠肺炎疫情防控工作方案" in page
    assert "P01-rural-winter" not in page
    assert "P17-medical-insurance" not in page


def test_plan_slugs_shown_the_what_if_picks_plans_by_name(personas: Personas):
    response = login(personas.commander).get(reverse("what-if"))
    page = visible(response)
    assert '">农村地区冬春季新冠肺炎疫情防控工作方案</option>' in response.content.decode()
    assert "P01-rural-winter" not in page
    # the YAML of the advanced changes is folded away behind a summary in Chinese
    assert "高级：修改方案规则（YAML）" in page


def test_levels_shown_raw_the_risk_area_pages_name_the_level(personas: Personas):
    commander = login(personas.commander)
    commander.post(
        reverse("risk-area-list"),
        {"region": "210211", "level": "high", "start_date": "2022-01-20", "source": "公告"},
    )
    listed = visible(commander.get(reverse("risk-area-list")))
    assert "高风险地区" in listed
    assert not re.search(r"\bhigh\b", listed)
    assert "210211" not in listed  # the region by its name
    area = commander.get(reverse("risk-area-list")).content.decode()
    detail_url = re.search(r'href="(/plans/risk-areas/\d+/)"', area)
    assert detail_url is not None
    detail = visible(commander.get(detail_url.group(1)))
    assert "高风险地区" in detail
    assert not re.search(r"\bhigh\b", detail)


@pytest.mark.parametrize(
    ("pack_id", "words"),
    [
        ("P01-rural-winter", ["发现疑似病例", "售出退热止咳类药品", "宴席", "活动、会议"]),
        (
            "P14-school-spring-festival",
            ["家庭聚餐", "离市", "每周（周四）", "否则按密切接触者管理"],
        ),
        ("P07-social-security", ["窗口办理", "申报工伤"]),
        ("P15-kindergarten-drill", ["教职工：2", "幼儿：3", "其他人员：1"]),
    ],
)
def test_rule_table_codes_the_rule_table_is_in_chinese(personas: Personas, pack_id, words):
    page = visible(login(personas.viewer).get(reverse("plan-detail", args=[pack_id])))
    for word in words:
        assert word in page, word
    assert not SNAKE_CASE.search(page), SNAKE_CASE.findall(page)
    assert pack_id not in page
    assert "close-contact" not in page  # rule ids are not shown


def test_measure_kinds_and_reasons_shown_raw_the_measures_page_speaks_chinese(
    personas: Personas,
    under_p14,  # noqa: F811
):
    page = visible(login(personas.worker_a).get(reverse("measure-list")))
    assert "集中隔离：" in page
    assert P14_TITLE in page
    assert "14天内有高风险、中风险地区旅居史" in page
    assert not SNAKE_CASE.search(page), SNAKE_CASE.findall(page)
    assert "stayed" not in page


def test_english_audit_summaries_the_audit_page_reads_in_chinese(
    personas: Personas,
    under_p14,  # noqa: F811
):
    page = visible(login(personas.commander).get(reverse("audit-list")))
    assert f"{P14_TITLE} 2022-01-01" in page  # the plan assigned, by its title
    assert "辽宁省 大连市 甘井子区 高风险地区 2022-01-20" in page  # the risk area, by name
    assert "执行方案" in page  # the kinds of record
    assert "风险地区" in page
    assert "P14-school-spring-festival" not in page
    assert not SNAKE_CASE.search(page), SNAKE_CASE.findall(page)


def test_unit_codes_shown_the_unit_pages_name_units_without_their_codes(
    county: County, personas: Personas
):
    commander = login(personas.commander)
    tree = visible(commander.get(reverse("unit-tree")))
    detail = visible(commander.get(reverse("unit-detail", args=[county.grid_a.pk])))
    assert "甲村第1网格" in tree
    assert "甲村第1网格" in detail
    for page in (tree, detail):
        assert "VA-G1" not in page
        assert "SCH-C1" not in page


def test_lab_tabs_shown_to_every_role_each_role_sees_the_testing_tabs_it_may_open(
    county: County, personas: Personas
):
    def tabs(user) -> list[str]:
        page = login(user).get(reverse("round-list")).content.decode()
        nav = page.split('<ul class="nav nav-tabs mb-3">', 1)[1].split("</ul>", 1)[0]
        return re.findall(r'href="([^"]+)"', nav)

    sampler = make_user("sampler", Role.SAMPLER, county.village_a)
    assert tabs(personas.viewer) == ["/labs/"]
    assert tabs(sampler) == ["/labs/", "/labs/sampling/", "/labs/boxes/"]
    assert tabs(personas.lab) == ["/labs/", "/labs/boxes/", "/labs/results/"]
    assert tabs(personas.commander) == [
        "/labs/",
        "/labs/sampling/",
        "/labs/boxes/",
        "/labs/results/",
    ]
    # and a tab not shown does not open
    assert login(personas.viewer).get("/labs/sampling/").status_code == 403
    assert login(sampler).get("/labs/results/").status_code == 403


def test_scenario_form_codes_categories_are_picked_by_name_and_results_read_in_chinese(
    personas: Personas,
):
    response = login(personas.viewer).get(reverse("plan-detail", args=["P01-rural-winter"]))
    assert '<option value="student">学生</option>' in response.content.decode()
    page = visible(response)
    assert "2022-02-02 阴性" in page
    assert not re.search(r"\b(student|staff|child|negative)\b", page)
