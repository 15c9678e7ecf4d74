"""Vaccination (issue 17, item 4): doses entered on the page or imported from the vaccination
system's export, the P13 booster six months after the second dose, coverage by unit and age band
(60+ apart) and the grid worker's outreach list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.services import plan_assign
from fangkong.vaccination.models import Dose

pytestmark = pytest.mark.django_db

# The frozen clock reads 2022-02-01.


@pytest.fixture
def elder(personas, county):
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name="王奶奶",
            id_type="resident",
            id_number=make_resident_id(birth="19500101", sequence="033"),
            unit=county.grid_a,
            phone="13700137000",
            categories=["resident"],
        ),
    )


@pytest.fixture
def p13(county, personas):
    plan_assign(
        actor=personas.commander,
        unit=county.hq,
        pack_id="P13-may-day-county",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
    )


def _dose(person, number, day, **changes) -> dict:
    return {
        "name": person.name,
        "id_number": make_resident_id(
            birth="19500101" if person.name == "王奶奶" else "19900307",
            sequence={"王奶奶": "033", "张三": "011", "李四": "022"}[person.name],
        ),
        "number": number,
        "given_on": day,
        "vaccine": "新冠病毒灭活疫苗(Vero细胞)",
        "site": "泉湖街道社区卫生服务中心",
        **changes,
    }


def _csv(*rows: str) -> SimpleUploadedFile:
    text = "姓名,身份证号,剂次,接种日期,疫苗名称,接种单位\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("doses.csv", text.encode("utf-8-sig"), content_type="text/csv")


def test_m02_p13_booster_due_six_months_after_the_second_dose_on_the_outreach_list(
    county, personas, person_a, elder, p13
):
    worker = login(personas.worker_a)
    # given the grid worker enters two doses for 张三, the second seven months ago
    for number, day in ((1, "2021-06-01"), (2, "2021-07-01")):
        response = worker.post(reverse("vaccination"), _dose(person_a, number, day))
        assert response.status_code == 302
    # and 王奶奶 (72) has only her first dose
    worker.post(reverse("vaccination"), _dose(elder, 1, "2021-12-20"))
    # then the outreach list shows her first (60+), to complete the course, then 张三's booster
    shown = worker.get(reverse("vaccination-outreach")).content.decode()
    assert shown.index("王奶奶") < shown.index("张三")
    assert "完成全程接种" in shown
    assert "自2022-01-01起可接种加强针" in shown
    assert person_a.id_masked in shown
    assert make_resident_id(sequence="011") not in shown
    api = worker.get(reverse("dose-outreach"), {"unit": county.village_a.pk}).json()
    assert [p["name"] for p in api["people"]] == ["王奶奶", "张三"]
    assert api["people"][1]["booster_from"] == "2022-01-01"
    assert api["people"][0]["aged_60_plus"] is True
    # when 张三 has the booster, he leaves the list
    worker.post(reverse("vaccination"), _dose(person_a, 3, "2022-01-20"))
    api = worker.get(reverse("dose-outreach"), {"unit": county.village_a.pk}).json()
    assert [p["name"] for p in api["people"]] == ["王奶奶"]
    assert AuditEvent.objects.filter(object_type="dose").count() == 4


def test_m02_a_second_dose_under_six_months_ago_is_not_yet_due_a_booster(
    county, personas, person_a, p13
):
    worker = login(personas.worker_a)
    worker.post(reverse("vaccination"), _dose(person_a, 1, "2021-09-01"))
    worker.post(reverse("vaccination"), _dose(person_a, 2, "2021-10-01"))
    api = worker.get(reverse("dose-outreach"), {"unit": county.village_a.pk}).json()
    assert api["people"] == []


def test_m01_m02_coverage_by_unit_and_age_band_with_60_plus_apart(
    county, personas, person_a, person_b, elder, p13
):
    commander = login(personas.commander)
    for person in (person_a, elder):
        for number, day in ((1, "2021-06-01"), (2, "2021-07-01")):
            assert (
                commander.post(reverse("dose-list"), _dose(person, number, day)).status_code == 201
            )
    api = commander.get(reverse("dose-coverage"), {"unit": county.township.pk}).json()
    assert api["total"]["people"] == 3
    assert api["total"]["full"] == 2
    assert api["total"]["booster_due"] == 2
    assert api["bands"]["60_plus"] == {
        "people": 1, "full": 1, "boosted": 0, "booster_due": 1, "percent": 100.0
    }  # fmt: skip
    assert api["bands"]["12_59"]["people"] == 2
    assert {u["name"]: u["all"]["full"] for u in api["units"]} == {"甲村": 2, "乙村": 0}
    shown = commander.get(reverse("vaccination"), {"unit": county.township.pk}).content.decode()
    assert "60岁及以上" in shown
    assert "66.7%" in shown
    assert "王奶奶" in shown
    assert elder.id_masked in shown
    # the command view's panel: everyone and those aged 60 and over
    home = commander.get("/").content.decode()
    assert "2 / 3 · <b>66.7%</b>" in home
    assert "1 / 1 · <b>100.0%</b>" in home


def test_m02_import_keeps_good_rows_names_bad_ones_and_reimport_changes_nothing(
    county, personas, person_a, elder
):
    commander = login(personas.commander)
    id_a = make_resident_id(sequence="011")
    id_e = make_resident_id(birth="19500101", sequence="033")
    rows = (
        f"张三,{id_a},1,2021-06-01,科兴,泉湖卫生院",
        f"张三,{id_a},2,2021/07/01,科兴,泉湖卫生院",
        f"王奶奶,{id_e},第1剂,2021-06-03,国药,泉湖卫生院",
        f"王奶奶,{id_e},2,2021-13-40,国药,泉湖卫生院",
        f"赵六,{make_resident_id(sequence='099')},1,2021-06-01,国药,泉湖卫生院",
    )
    response = commander.post(reverse("dose-import"), {"file": _csv(*rows)})
    assert response.status_code == 200
    shown = response.content.decode()
    assert "3条新增，0条已有记录，2条被拒绝" in shown
    assert "不是日期" in shown
    assert "登记册中没有此身份证号的人员" in shown
    assert make_resident_id(sequence="099") not in shown
    assert Dose.objects.count() == 3
    again = commander.post(reverse("dose-import"), {"file": _csv(*rows)})
    assert "0条新增，3条已有记录，2条被拒绝" in again.content.decode()
    assert Dose.objects.count() == 3
    # a file with another day for a dose on record: that row refused, naming the dose
    clash = commander.post(
        reverse("dose-import"), {"file": _csv(f"张三,{id_a},1,2021-06-09,科兴,泉湖卫生院")}
    )
    assert "第1剂已登记为2021-06-01接种" in clash.content.decode()
    assert Dose.objects.get(person=person_a, number=1).given_on == dt.date(2021, 6, 1)


def test_m02_bad_doses_are_refused_naming_the_field_and_a_neighbour_sees_nothing(
    county, personas, person_a
):
    worker = login(personas.worker_a)
    response = worker.post(reverse("dose-list"), _dose(person_a, 7, "2021-06-01"))
    assert response.status_code == 400
    assert "number" in response.json()
    response = worker.post(reverse("dose-list"), _dose(person_a, 1, "2022-03-01"))
    assert response.status_code == 400
    assert "未来" in response.json()["given_on"][0]
    response = worker.post(reverse("vaccination"), _dose(person_a, 1, "2021-06-01", name="张四"))
    assert response.status_code == 400
    assert "登记册中此身份证号的姓名不同" in response.content.decode()
    assert Dose.objects.count() == 0
    worker.post(reverse("vaccination"), _dose(person_a, 1, "2021-06-01"))
    # the grid worker of the other village sees none of it and cannot enter a dose for 张三
    neighbour = login(personas.worker_b)
    assert neighbour.get(reverse("dose-list")).json()["results"] == []
    assert "张三" not in neighbour.get(reverse("vaccination")).content.decode()
    assert "张三" not in neighbour.get(reverse("vaccination-outreach")).content.decode()
    assert neighbour.get(reverse("vaccination"), {"unit": county.village_a.pk}).status_code == 404
    assert neighbour.get(reverse("dose-coverage"), {"unit": county.village_a.pk}).status_code == 404
    answer = neighbour.post(reverse("dose-list"), _dose(person_a, 2, "2021-07-01"))
    assert answer.status_code == 400
    assert "登记册中没有此身份证号的人员" in answer.json()["id_number"][0]
    assert Dose.objects.count() == 1
