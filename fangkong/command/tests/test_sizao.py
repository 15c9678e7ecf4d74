"""The 四早 board (早发现、早报告、早隔离、早治疗) and the cases panel of the command view, through
the pages and the API users open."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import login
from fangkong.core import clock
from fangkong.obligations.models import Obligation
from fangkong.policy.services import plan_assign
from fangkong.tracing.models import Case
from fangkong.tracing.services import exposure_record

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def response(county, personas, person_a, person_b, django_capture_on_commit_callbacks):
    """Under P01, both villages report a confirmed case at 09:00 (the 2 h direct report, G-04);
    village A reports it up at 12:30, 1 h 30 min late, village B at 10:00, on time. The county
    groups them into an outbreak at 09:30 (transfer in 2 h, investigation in 24 h: G-06, G-07,
    N-11), transfers at 13:00 (1 h 30 min late), determines the investigation at 13:30 and finds a
    contact of village A's case at 14:00."""
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P01-rural-winter",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    village_a, village_b = login(personas.worker_a), login(personas.worker_b)
    county_office = login(personas.commander)
    with clock.frozen(at("2022-02-01T09:00")), django_capture_on_commit_callbacks(execute=True):
        for village, person in ((village_a, person_a), (village_b, person_b)):
            created = village.post("/api/cases/", {"person": person.pk, "kind": "confirmed"})
            assert created.status_code == 201
    with clock.frozen(at("2022-02-01T09:30")), django_capture_on_commit_callbacks(execute=True):
        cases = list(Case.objects.values_list("pk", flat=True))
        assert county_office.post(reverse("outbreak-list"), {"cases": cases}).status_code == 302

    def meet(client, kind: str, person=None, moment: str = "") -> None:
        rows = Obligation.objects.filter(kind=kind, status="open")
        obligation = (
            rows.get(detail__case=Case.objects.get(person=person).pk) if person else (rows.get())
        )
        with clock.frozen(at(moment)):
            met = client.post(reverse("obligation-meet", args=[obligation.pk]), {"note": "已办"})
        assert met.status_code == 302

    meet(village_b, "direct_report", person_b, "2022-02-01T10:00")
    meet(village_a, "direct_report", person_a, "2022-02-01T12:30")
    meet(county_office, "transfer", moment="2022-02-01T13:00")
    meet(county_office, "investigation", moment="2022-02-01T13:30")
    with clock.frozen(at("2022-02-01T14:00")):
        exposure_record(
            actor=personas.commander, person=person_b, kind="close_contact",
            last_exposed_at=at("2022-01-31T20:00"), via=person_a,
        )  # fmt: skip


def _row(page: str, kind: str) -> str:
    found = re.search(rf'<tr data-kind="{kind}">(.*?)</tr>', page, re.S)
    assert found, kind
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_g04_g06_a_deadline_met_late_shows_as_late_by_the_right_amount_on_the_board(
    county, personas, response
):
    county_office = login(personas.commander)
    # when the county opens the board in the afternoon, up to tomorrow (the investigation's day)
    period = {"from": "2022-01-26", "to": "2022-02-02"}
    with clock.frozen(at("2022-02-01T15:00")):
        page = county_office.get(reverse("sizao"), period).content.decode()
        api = county_office.get("/api/command/sizao/", period).json()
    # then the direct report (G-04) shows one of two late, by 1 h 30 min, and who answers for it
    kinds = {row["kind"]: row for row in api["kinds"]}
    direct = kinds["direct_report"]
    assert (direct["label"], direct["due"], direct["on_time"], direct["met_late"]) == (
        "网络直报", 2, 1, 1,
    )  # fmt: skip
    assert (direct["median_late_minutes"], direct["worst_late_minutes"]) == (90, 90)
    assert [(u["name"], u["late"], u["open_late"]) for u in direct["units"]] == [
        ("甲村第1网格", 1, 0)
    ]
    assert direct["units"][0]["link"] == (
        f"{reverse('obligation-list')}?state=met&unit={county.grid_a.pk}&only=1&kind=direct_report"
    )
    assert "网络直报 2 1 1 0 0 50.0% 1小时30分 1小时30分 甲村第1网格 1" in _row(
        page, "direct_report"
    )
    # and the outbreak's transfer (G-06) 1 h 30 min late, its investigation (G-07) on time
    assert (kinds["transfer"]["met_late"], kinds["transfer"]["worst_late_minutes"]) == (1, 90)
    assert (kinds["investigation"]["on_time"], kinds["investigation"]["median_late_minutes"]) == (
        1, None,
    )  # fmt: skip
    assert "流行病学调查 1 1 0 0 0 100.0% — —" in _row(page, "investigation")
    # and each case's time from step to step, with the medians (N-11)
    steps = {row["case"]: row for row in api["cases"]}
    village_a_case = Case.objects.get(unit=county.grid_a).pk
    assert {
        key: steps[village_a_case][key] for key in steps[village_a_case] if "minutes" in key
    } == {
        "onset_minutes": None,  # no onset date recorded
        "reported_up_minutes": 210,  # 09:00 → 12:30
        "investigated_minutes": 60,  # 12:30 → 13:30
        "contacts_minutes": 30,  # 13:30 → 14:00
        "transferred_minutes": 240,  # 09:00 → 13:00
        "placed_minutes": None,  # its one contact is a case herself: no room awaited
    }
    assert [(i["label"], i["median_minutes"]) for i in api["intervals"]] == [
        ("发病 → 报告", None),
        ("报告 → 上报", 135),  # (60 + 210) / 2
        ("上报 → 流调判定", 135),  # (210 + 60) / 2
        ("流调 → 判定首个密接", 30),
        ("报告 → 转运", 240),
        ("判定首个密接 → 密接全部隔离到位", None),
    ]
    # and the case's page shows the same steps
    case_page = county_office.get(reverse("case-detail", args=[village_a_case])).content.decode()
    assert "3小时30分" in case_page


def test_g04_a_neighbour_sees_nothing_of_another_unit_on_the_board(county, personas, response):
    village_b = login(personas.worker_b)
    with clock.frozen(at("2022-02-01T15:00")):
        api = village_b.get("/api/command/sizao/").json()
        page = village_b.get(reverse("sizao")).content.decode()
        # a unit of the neighbour is refused, naming the field
        refused = village_b.get(reverse("sizao"), {"unit": county.grid_a.pk})
        refused_api = village_b.get("/api/command/sizao/", {"unit": county.grid_a.pk})
    direct = next(row for row in api["kinds"] if row["kind"] == "direct_report")
    assert (direct["due"], direct["on_time"], direct["units"]) == (1, 1, [])
    assert {row["case"] for row in api["cases"]} == {Case.objects.get(unit=county.grid_b).pk}
    assert "甲村" not in page
    assert "张三" not in page
    assert refused.status_code == 400
    assert "单位" in refused.content.decode()
    assert refused_api.status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2022-02-02", "to": "2022-02-01"}, "from"),
        ({"from": "2021-01-01", "to": "2022-02-01"}, "to"),
        ({"from": "2022-13-45"}, "from"),
        ({"to": "1900-01-01"}, "to"),
        ({"unit": "abc"}, "unit"),
        ({"unit": "999999999"}, "unit"),
    ],
)
def test_g04_a_tampered_period_or_unit_is_refused(personas, query, field):
    client = login(personas.commander)
    page = client.get(reverse("sizao"), query)
    api = client.get("/api/command/sizao/", query)
    assert page.status_code == 400
    assert api.status_code == 400
    assert field in api.json()


def test_g04_the_command_view_shows_the_cases_panel(county, personas, response):
    county_office = login(personas.commander)
    with clock.frozen(at("2022-02-01T15:00")):
        page = county_office.get(reverse("home")).content.decode()
        api = county_office.get("/api/command/").json()["cases"]
    # two confirmed cases in course, both new today, one outbreak; of the 4 deadlines due by
    # now (two direct reports, the outbreak's report and its transfer) one was met on time
    assert api == {
        "in_course": [
            {
                "kind": "confirmed",
                "kind_label": "确诊病例",
                "status": "reported",
                "status_label": "已报告",
                "count": 2,
            }
        ],
        "new_today": 2,
        "outbreaks_open": 1,
        "days": 7,
        "deadlines_settled": 4,
        "deadlines_on_time": 1,
    }
    assert f'href="{reverse("case-list")}?kind=confirmed&amp;status=reported"' in page
    assert 'data-testid="sizao-share">25.0% (1 / 4)' in page
    # and the list it links to shows the cases of that kind and status
    listed = county_office.get(reverse("case-list"), {"kind": "confirmed", "status": "reported"})
    assert listed.content.decode().count('href="/cases/') >= 2
    assert county_office.get(reverse("case-list"), {"status": "bogus"}).status_code == 400
