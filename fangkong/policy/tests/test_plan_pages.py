"""Plan pages and API: what each persona sees and may do; the engine behind them is the CLI's."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from conftest import County, Personas, login
from fangkong.core import clock
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.obligations.services import obligations_tick
from fangkong.people.services import TravelInput, travel_add
from fangkong.policy.forms import changes_example
from fangkong.policy.models import Measure, PlanAssignment, RiskArea
from fangkong.policy.packs import packs_all
from fangkong.policy.tests.test_measures import at, came_back_from


@pytest.fixture
def under_p14(county: County, personas: Personas, person_a, django_capture_on_commit_callbacks):
    commander = login(personas.commander)
    with django_capture_on_commit_callbacks(execute=True):
        commander.post(
            reverse("plan-assign"),
            {
                "unit": county.hq.pk,
                "pack_id": "P14-school-spring-festival",
                "start_date": "2022-01-01",
            },
        )
        commander.post(
            reverse("risk-area-list"),
            {"region": "210211", "level": "high", "start_date": "2022-01-20", "source": "公告"},
        )
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    return person_a


def test_the_plan_list_shows_every_pack_and_what_is_in_force(personas, under_p14):
    response = login(personas.worker_a).get(reverse("plan-list"))
    assert response.status_code == 200
    page = response.content.decode()
    for pack_id in ("P01-rural-winter", "P10-housing-sector", "P17-medical-insurance"):
        assert pack_id in page
    assert PlanAssignment.objects.get().pack_id == "P14-school-spring-festival"


def test_a_pack_reads_as_a_rule_table_citing_its_clauses(personas):
    response = login(personas.viewer).get(
        reverse("plan-detail", args=["P14-school-spring-festival"])
    )
    page = response.content.decode()
    assert "D-12" in page
    assert "14天集中隔离+14天居家健康监测+12次核酸检测" in page
    assert "1、4、7" in page
    p01 = login(personas.viewer).get(reverse("plan-detail", args=["P01-rural-winter"]))
    assert "每7天核酸检测一次" in p01.content.decode()  # F-01
    assert "新住院患者、陪护人员、医务人员" in p01.content.decode()
    assert "每7天采集环境样本一次" in p01.content.decode()  # F-03


def test_c21_the_scenario_form_gives_the_cli_answer_with_published_risk_areas(personas, under_p14):
    response = login(personas.worker_a).post(
        reverse("plan-detail", args=["P14-school-spring-festival"]),
        {
            "kind": "arrival",
            "stay_region": "210211",
            "stay_from": "2022-01-25",
            "stay_to": "2022-02-01",
            "arrival_at": "2022-02-01T10:00",
            "arrival_region": "520113",
        },
    )
    page = response.content.decode()
    assert "集中隔离 2022-02-01 → 2022-02-15" in page
    assert "2022-03-01" in page


def test_i15_the_scenario_form_answers_a_banquet_given_only_by_its_tables(personas):
    response = login(personas.worker_a).post(
        reverse("plan-detail", args=["P13-may-day-county"]),
        {"kind": "gathering", "gathering_type": "banquet", "tables": "4"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    # answered (not refused): allowed by its 4 tables, and the 50-person approval rule named
    result = page[page.index("方案判定结果") :]
    assert "允许: <b>是</b>" in result
    assert "50人以上经行业主管部门审批" in result


def test_a_bad_scenario_names_the_field(personas):
    response = login(personas.worker_a).post(
        reverse("plan-detail", args=["P14-school-spring-festival"]),
        {"kind": "arrival", "arrival_region_text": "999999"},
    )
    page = response.content.decode()
    # the field is named in Chinese and keeps what was typed
    assert "没有名称或代码为“999999”的行政区划" in page
    assert 'name="arrival_region_text" value="999999"' in page


def test_measures_page_is_scoped_to_the_users_units(
    personas, under_p14, django_assert_max_num_queries
):
    worker_a = login(personas.worker_a)
    with django_assert_max_num_queries(8):
        mine = worker_a.get(reverse("measure-list")).content.decode()
    assert under_p14.name in mine
    theirs = login(personas.worker_b).get(reverse("measure-list")).content.decode()
    assert under_p14.name not in theirs


def test_overdue_deadlines_are_listed_and_met_by_the_unit_only(
    personas, under_p14, django_assert_max_num_queries
):
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
        worker_a = login(personas.worker_a)
        with django_assert_max_num_queries(14):
            page = worker_a.get(reverse("obligation-list")).content.decode()
        assert page.count(under_p14.name) == 2
        first = Obligation.objects.filter(status=ObligationStatus.MISSED).order_by("due_at")[0]
        # A neighbouring village may not meet it: it does not even exist for them.
        denied = login(personas.worker_b).post(reverse("obligation-meet", args=[first.pk]))
        assert denied.status_code == 404
        first.refresh_from_db()
        assert first.status == ObligationStatus.MISSED
        worker_a.post(reverse("obligation-meet", args=[first.pk]), {"note": "补采"})
        first.refresh_from_db()
        assert (first.status, first.note, first.met_by) == (
            ObligationStatus.MET,
            "补采",
            personas.worker_a,
        )


def test_only_a_plan_manager_publishes_risk_areas_and_changes_keep_history(
    personas, django_capture_on_commit_callbacks
):
    worker = login(personas.worker_a)
    denied = worker.post(
        reverse("risk-area-list"), {"region": "210211", "level": "high", "start_date": "2022-01-20"}
    )
    assert denied.status_code == 403
    assert not RiskArea.objects.exists()
    commander = login(personas.commander)
    with django_capture_on_commit_callbacks(execute=True):
        commander.post(
            reverse("risk-area-list"),
            {"region": "210211", "level": "high", "start_date": "2022-01-20"},
        )
        first = RiskArea.objects.get()
        response = commander.post(
            reverse("risk-area-detail", args=[first.pk]),
            {"region": "210211", "level": "medium", "start_date": "2022-01-20"},
        )
    new = RiskArea.objects.get(is_current=True)
    assert response["Location"] == reverse("risk-area-detail", args=[new.pk])
    history = commander.get(response["Location"]).content.decode()
    assert "已替换" in history
    assert RiskArea.objects.count() == 2


def test_risk_area_form_errors_name_the_field(personas):
    response = login(personas.commander).post(
        reverse("risk-area-list"),
        {"region": "999999", "level": "high", "start_date": "2022-01-20", "end_date": "2022-01-01"},
    )
    assert response.status_code == 200
    assert 'data-field="region"' in response.content.decode()
    assert not RiskArea.objects.exists()


def test_risk_area_import_page_reports_each_rejected_row(
    personas, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "areas.csv",
        "地区代码,风险等级,开始日期\n210211,high,2022-01-20\n210211,pink,2022-01-20\n".encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.commander).post(reverse("risk-area-import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "pink" in page
    assert RiskArea.objects.count() == 1


def test_a_risk_area_file_over_the_size_limit_is_refused_in_chinese_and_nothing_is_kept(
    settings, personas
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_BYTES = 1_000_000
    padding = "卫健委公告" * 70_000  # over 1 MB in UTF-8
    upload = SimpleUploadedFile(
        "areas.csv", f"地区代码,风险等级,开始日期,来源\n210211,high,2022-01-20,{padding}\n".encode()
    )
    response = login(personas.commander).post(reverse("risk-area-import"), {"file": upload})
    assert response.status_code == 400
    assert "文件超过 1 MB，请拆分后上传。" in response.content.decode()
    assert not RiskArea.objects.exists()


def test_what_if_compares_another_pack_without_saving(county, personas, under_p14):
    before = (Measure.objects.count(), Obligation.objects.count())
    response = login(personas.commander).get(
        reverse("what-if"), {"unit": county.hq.pk, "pack_id": "P01-rural-winter"}
    )
    page = response.content.decode()
    # Under P01 the returnee gets 14 days of home monitoring instead of 28 days of measures.
    assert 'data-earlier="1" data-later="0"' in page
    assert (Measure.objects.count(), Obligation.objects.count()) == before


def test_what_if_with_changed_rules_and_a_bad_change(county, personas, under_p14):
    client = login(personas.commander)
    shorter = client.get(
        reverse("what-if"),
        {
            "unit": county.hq.pk,
            "pack_id": "P14-school-spring-festival",
            "changes": "arrival_rules:\n  - id: risk-area\n    measures:\n"
            "      - {kind: central_quarantine, days: 7}\n",
        },
    ).content.decode()
    assert 'data-earlier="1" data-later="0"' in shorter
    bad = client.get(
        reverse("what-if"),
        {
            "unit": county.hq.pk,
            "pack_id": "P14-school-spring-festival",
            "changes": "arrival_rules:\n  - id: risk-area\n    measures:\n"
            "      - {kind: spa, days: 7}\n",
        },
    ).content.decode()
    assert "changes:4: arrival_rules.1.measures.0.kind" in bad


def test_person_page_shows_measures_and_releases(county, personas, under_p14):
    page = login(personas.worker_a).get(reverse("person-detail", args=[under_p14.pk]))
    # the plan by its title and the rule by what makes it apply, not their ids
    assert "春节期间疫情防控工作方案（白云区第一高级中学）" in page.content.decode()
    assert "14天内有高风险、中风险地区旅居史" in page.content.decode()


def test_api_evaluate_gives_the_cli_result(personas):
    scenario = {
        "kind": "arrival",
        "as_of": "2022-02-01T10:00:00+08:00",
        "risk_areas": [
            {"region": "210211", "level": "high", "from": "2022-01-20", "to": "2022-03-01"}
        ],
        "travel": [{"region": "210211", "from": "2022-01-25", "to": "2022-02-01"}],
        "arrival": {"at": "2022-02-01T10:00:00+08:00", "region": "520113"},
    }
    client = login(personas.viewer)
    response = client.post(
        "/api/plans/P14-school-spring-festival/evaluate/",
        json.dumps(scenario),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["measures"][0] == {
        "kind": "central_quarantine",
        "start": "2022-02-01",
        "end": "2022-02-15",
    }
    bad = client.post(
        "/api/plans/P14-school-spring-festival/evaluate/",
        json.dumps({**scenario, "arrival": {"at": "at ten", "region": "520113"}}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "arrival.at" in bad.json()


def test_api_obligations_are_scoped_and_met(personas, under_p14):
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
        mine = login(personas.worker_a).get("/api/obligations/?state=overdue").json()
        assert len(mine["results"]) == 2
        assert (
            login(personas.worker_b).get("/api/obligations/?state=overdue").json()["results"] == []
        )
        target = mine["results"][0]["id"]
        denied = login(personas.worker_b).post(f"/api/obligations/{target}/meet/", {})
        assert denied.status_code == 404
        done = login(personas.worker_a).post(
            f"/api/obligations/{target}/meet/", {"note": "补"}, content_type="application/json"
        )
        assert done.json()["status"] == "met"


def test_api_risk_areas_need_the_plan_manager(personas, django_capture_on_commit_callbacks):
    body = {"region": "210211", "level": "high", "start_date": "2022-01-20"}
    assert login(personas.worker_a).post("/api/risk-areas/", body).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        created = login(personas.commander).post("/api/risk-areas/", body)
    assert created.status_code == 201
    assert created.json()["region"] == "210211"
    unknown = login(personas.commander).post("/api/risk-areas/", {**body, "level": "purple"})
    assert unknown.status_code == 400
    assert "level" in unknown.json()


def test_inbox_lists_missed_deadlines(personas, under_p14):
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
    page = login(personas.worker_a).get(reverse("inbox")).content.decode()
    # The grid has no members: its village's worker is told, naming the grid.
    assert "甲村第1网格" in page
    assert login(personas.worker_b).get(reverse("inbox")).content.decode().count("甲村") == 0


def _active_phases(person) -> list[tuple[str, str, str]]:
    return [
        (m.kind, m.start_date.isoformat(), m.end_date.isoformat() if m.end_date else "")
        for m in Measure.objects.filter(person=person, status="active").order_by("phase")
    ]


def test_d13_an_early_release_from_the_page_is_refused_with_the_reason_keeping_the_note(
    personas, under_p14
):
    # given: 14 days' central quarantine from 02-01 to 02-15, then 14 days' home health
    # monitoring; today is 02-01, the date the person page fills in
    worker = login(personas.worker_a)
    person_page = worker.get(reverse("person-detail", args=[under_p14.pk])).content.decode()
    form = re.search(
        r'<form method="get" action="([^"]+)"[^>]*>.*?name="on" value="([^"]+)"', person_page, re.S
    )
    assert form is not None
    release_url, prefilled = form.groups()
    assert prefilled == "2022-02-01"
    before = _active_phases(under_p14)

    # when: the release page says whether the release is allowed, and changes nothing
    confirm = worker.get(release_url, {"on": prefilled, "note": "提前解除"})

    # then
    assert confirm.status_code == 200
    verdict = re.search(
        r'data-testid="release-verdict" data-allowed="(\w+)">([^<]+)<', confirm.content.decode()
    )
    assert verdict is not None
    assert verdict.groups() == ("no", "可以解除：否，缺少：措施期满（2022-02-15）")
    assert _active_phases(under_p14) == before

    # when: confirmed anyway, the release is refused with the reason, the note kept as typed
    done = worker.post(release_url, {"on": prefilled, "note": "提前解除"})
    assert done.status_code == 400
    page = done.content.decode()
    assert "可以解除：否，缺少：措施期满（2022-02-15）" in page
    assert 'value="提前解除"' in page
    assert _active_phases(under_p14) == before
    assert not Measure.objects.filter(person=under_p14, status="released").exists()


def test_release_before_the_measure_began_is_refused_on_the_page_keeping_the_date(
    personas, under_p14
):
    before = _active_phases(under_p14)
    worker = login(personas.worker_a)
    for method in (worker.get, worker.post):
        response = method(reverse("person-release", args=[under_p14.pk]), {"on": "2022-01-20"})
        assert response.status_code == 400
        page = response.content.decode()
        assert "解除日期早于措施开始日期（2022-02-01）" in page
        assert 'value="2022-01-20"' in page
    assert _active_phases(under_p14) == before


def test_a_test_of_a_day_is_due_today_until_the_midnight_that_ends_it(personas, under_p14):
    # given: P14 asks for a test on day 1 (2022-02-02), due at the midnight ending that day
    def tests_due_today() -> list[str]:
        rows = login(personas.worker_a).get("/api/obligations/?state=due_today").json()
        return [row["due_at"] for row in rows["results"] if row["kind"] == "test"]

    # when / then: on day 0 it is not yet due today; late on day 1 it is, and it is still that day's
    assert tests_due_today() == []
    with clock.frozen(at("2022-02-02T23:30")):
        assert tests_due_today() == ["2022-02-03T00:00:00+08:00"]
        assert clock.day_ended_by(clock.day_end(clock.localdate())) == dt.date(2022, 2, 2)


def test_meet_and_release_ask_for_confirmation_before_they_act(personas, under_p14):
    # given overdue deadlines and a person under a measure
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
        worker = login(personas.worker_a)
        # when the grid worker opens the deadlines and the release page
        deadlines = worker.get(reverse("obligation-list")).content.decode()
        release = worker.get(
            reverse("person-release", args=[under_p14.pk]), {"on": "2022-02-04"}
        ).content.decode()
    # then every 完成 and the release's confirm button sit in a form that asks first
    meet_forms = re.findall(
        r'<form method="post" action="/plans/obligations/\d+/meet/"[^>]*>', deadlines
    )
    assert meet_forms
    assert all('data-confirm="确认将此项标记为已完成？"' in form for form in meet_forms)
    (bulk,) = re.findall(r'<form method="post" action="/plans/obligations/meet/"[^>]*>', deadlines)
    assert 'data-confirm="将所选时限标记为完成？"' in bulk
    assert 'data-confirm="确认现在解除此人的管控措施？"' in release
    assert "core/confirm.js" in release


def test_what_if_form_shows_the_plans_numbers_in_chinese(county, personas):
    page = (
        login(personas.commander)
        .get(reverse("what-if"), {"pack_id": "P14-school-spring-festival"})
        .content.decode()
    )
    assert "发热：体温超过（°C）" in page
    assert 'name="temperature-above" value="37.3"' in page
    assert "14天内有高风险、中风险地区旅居史" in page  # the rule, by what makes it apply
    assert 'name="days-risk-area-0" value="14"' in page
    assert 'name="tests-risk-area" value="1 2 3 4 5 7 10 13 14 16 21 28"' in page


def test_what_if_a_shorter_phase_in_the_form_releases_earlier(county, personas, under_p14):
    before = (Measure.objects.count(), Obligation.objects.count())
    page = (
        login(personas.commander)
        .get(
            reverse("what-if"),
            {
                "unit": county.hq.pk,
                "pack_id": "P14-school-spring-festival",
                "adjusting": "P14-school-spring-festival",
                "days-risk-area-0": "7",
                "tests-risk-area": "1、4、7",
            },
        )
        .content.decode()
    )
    assert 'data-earlier="1" data-later="0"' in page
    changes = page.split('data-testid="what-if-changes"')[1].split("</ul>")[0]
    assert "集中隔离天数：14 → <strong>7</strong>" in changes
    assert "1 2 3 4 5 7 10 13 14 16 21 28 → <strong>1 4 7</strong>" in changes
    assert (Measure.objects.count(), Obligation.objects.count()) == before


def test_what_if_numbers_of_another_plan_are_not_carried_over(county, personas, under_p14):
    # the form showed P14's numbers; choosing P01 tries P01 as it is
    page = (
        login(personas.commander)
        .get(
            reverse("what-if"),
            {
                "unit": county.hq.pk,
                "pack_id": "P01-rural-winter",
                "adjusting": "P14-school-spring-festival",
                "temperature-above": "38.5",
            },
        )
        .content.decode()
    )
    assert 'name="temperature-above" value="37.3"' in page
    assert 'data-testid="what-if-changes"' not in page


@pytest.mark.parametrize("value", ["0", "a b", "91"])
def test_what_if_refuses_impossible_test_days_in_chinese(county, personas, value):
    page = (
        login(personas.commander)
        .get(
            reverse("what-if"),
            {
                "unit": county.hq.pk,
                "pack_id": "P14-school-spring-festival",
                "adjusting": "P14-school-spring-festival",
                "tests-risk-area": value,
            },
        )
        .content.decode()
    )
    assert "请写1至90之间的天数，用空格分隔：1 4 7。" in page
    assert f'name="tests-risk-area" value="{value}"' in page
    assert 'data-testid="what-if-summary"' not in page


def test_what_if_yaml_example_of_every_plan_loads(county, personas):
    client = login(personas.commander)
    for pack in packs_all().values():
        example = changes_example(pack)
        page = client.get(
            reverse("what-if"), {"pack_id": pack.id, "unit": county.hq.pk, "changes": example}
        ).content.decode()
        assert f"例如 {example}" in page.replace("&#x27;", "'"), pack.id
        assert 'data-testid="what-if-summary"' in page, (pack.id, example)


def test_i13_the_scenario_form_takes_a_country_by_its_name(personas, under_p14):
    # when a stay abroad is typed as 日本 rather than JPN
    response = login(personas.worker_a).post(
        reverse("plan-detail", args=["P14-school-spring-festival"]),
        {
            "kind": "arrival",
            "stay_country": "日本",
            "stay_from": "2022-01-25",
            "stay_to": "2022-02-01",
            "arrival_at": "2022-02-01T10:00",
            "arrival_region": "520113",
        },
    )
    # then the plan answers as for JPN: the stay abroad rule applies
    page = response.content.decode()
    result = page[page.index("方案判定结果") :]
    assert "14天内有境外旅居史" in result
    assert 'value="日本"' in page


def test_i13_an_unknown_country_is_refused_as_typed(personas, under_p14):
    response = login(personas.worker_a).post(
        reverse("plan-detail", args=["P14-school-spring-festival"]),
        {"kind": "departure", "destination_country": "火星"},
    )
    page = response.content.decode()
    assert "没有名为“火星”的国家或地区" in page
    assert 'value="火星"' in page


def test_i13_a_changed_risk_area_is_audited_by_its_place_and_level(personas):
    commander = login(personas.commander)
    commander.post(
        reverse("risk-area-list"),
        {"region": "210211", "level": "medium", "start_date": "2022-01-20", "source": "公告"},
    )
    area = RiskArea.objects.get()
    # when the commander raises it to high
    commander.post(
        reverse("risk-area-detail", args=[area.pk]),
        {"region": "210211", "level": "high", "start_date": "2022-01-20", "source": "公告"},
    )
    # then the audit trail names the place and both levels, not the rows' numbers
    trail = commander.get(reverse("audit-list")).content.decode()
    assert "甘井子区 中风险地区 2022-01-20– 改为 " in trail
    assert "甘井子区 高风险地区 2022-01-20–" in trail
    assert f"{area.pk} → " not in trail


def test_d13_the_person_page_says_whether_the_person_may_be_released_and_links_the_release(
    personas, under_p14
):
    # given: 14 days' central quarantine from 02-01; today is 02-01
    page = login(personas.worker_a).get(reverse("person-detail", args=[under_p14.pk]))

    check = re.search(
        r'data-testid="release-check" data-allowed="(\w+)">.*?>([^<]+)</span>.*?href="([^"]+)"',
        page.content.decode(),
        re.S,
    )
    assert check is not None
    assert check.groups() == (
        "no",
        "可以解除：否，缺少：措施期满（2022-02-15）",
        reverse("person-release", args=[under_p14.pk]),
    )
    # the link leads to the release page, where the missing facts are recorded
    release = login(personas.worker_a).get(check.group(3)).content.decode()
    title = re.search(r"<title>(.*?)</title>", release, re.S)
    assert title is not None
    assert "<form" not in title.group(1)
    assert 'data-testid="release-fact-form"' in release.split("</head>")[1]
    # a viewer who may not release is told the decision, without the link
    viewer = login(personas.viewer).get(reverse("person-detail", args=[under_p14.pk]))
    assert "可以解除：否" in viewer.content.decode()
    assert reverse("person-release", args=[under_p14.pk]) not in viewer.content.decode()


def test_i13_the_measures_api_gives_reasons_naming_regions_and_countries(personas, under_p14):
    # given: back from abroad too, after the stay in 大连市甘井子区 (210211)
    travel_add(
        actor=personas.worker_a,
        person=under_p14,
        data=TravelInput(dt.date(2022, 1, 22), dt.date(2022, 1, 24), country="JPN"),
    )

    # when
    measures = login(personas.worker_a).get("/api/measures/").json()["results"]

    # then: the reader is told the places by name, never by code
    reasons = [e["because"] for m in measures for e in m["explanation"]]
    assert reasons
    assert any("辽宁省 大连市 甘井子区" in reason for reason in reasons)
    assert any("日本" in reason for reason in reasons)
    assert not any(re.search(r"210211|\bJPN\b", reason) for reason in reasons)


def test_i13_the_deadlines_filter_by_a_unit_picked_by_name_keeping_the_unit_link(
    county, personas, under_p14
):
    with clock.frozen(at("2022-02-04T08:00")):
        obligations_tick()
        client = login(personas.commander)
        page = client.get(reverse("obligation-list")).content.decode()
        assert 'data-picker="/org/pick/units/?for=view_people"' in page
        assert '<select class="form-select" name="unit"' not in page

        # ?unit=<id> (the link a drill-down or a message gives) still filters, named in the picker
        mine = client.get(reverse("obligation-list"), {"unit": county.grid_a.pk}).content.decode()
        theirs = client.get(reverse("obligation-list"), {"unit": county.grid_b.pk}).content.decode()
    assert mine.count(under_p14.name) == 2
    assert f'name="unit_text" value="{county.grid_a.name}"' in mine
    assert under_p14.name not in theirs
