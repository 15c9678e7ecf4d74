"""Daily monitoring pages and API, by persona."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import TODAY, login
from fangkong.core import clock
from fangkong.monitoring.models import Checkin, FeverEvent, UnitReport
from fangkong.monitoring.selectors import FIGURES
from fangkong.monitoring.services import self_link_create
from fangkong.monitoring.tests.test_monitoring import as_, under
from fangkong.people.models import PersonUnit


def test_e01_e10_a_teacher_records_the_whole_class_on_one_screen(
    county, personas, person_a, person_b
):
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    teacher = login(personas.teacher)
    page = teacher.get(reverse("class-checkin", args=[county.class_1.pk])).content.decode()
    assert person_a.name in page
    assert person_b.name not in page
    response = teacher.post(
        reverse("class-checkin", args=[county.class_1.pk]), {f"t{person_a.pk}": "36.6"}
    )
    assert response.status_code == 302
    checkin = Checkin.objects.get()
    assert (checkin.celsius, checkin.unit) == (Decimal("36.6"), county.class_1)


def test_a_bad_temperature_on_the_class_screen_is_named_and_not_stored(county, personas, person_a):
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    response = login(personas.teacher).post(
        reverse("class-checkin", args=[county.class_1.pk]), {f"t{person_a.pk}": "45"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="row-error"' in page
    assert 'value="45"' in page  # what was typed stays, next to the reason
    assert not Checkin.objects.exists()


def test_e01_e10_the_class_register_counts_present_absent_not_seen_and_short_of_checks(
    county, personas, person_a, person_b
):
    from conftest import make_resident_id
    from fangkong.core import clock
    from fangkong.monitoring.models import Absence
    from fangkong.monitoring.selectors import class_day
    from fangkong.people.services import PersonInput, person_create

    under("P11-school-winter-exams", county, personas)  # E-11: twice a day by default
    third = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="王五", id_type="resident", id_number=make_resident_id(sequence="033"),
            unit=county.class_1, categories=["student"],
        ),
    )  # fmt: skip
    today = clock.localdate()
    for person in (person_a, person_b):
        PersonUnit.objects.create(person=person, unit=county.class_1, relation="student")
    teacher = login(personas.teacher)
    url = reverse("class-checkin", args=[county.class_1.pk])
    # Morning: person_a measured, person_b reported ill with a cough, nobody saw the third.
    response = teacher.post(
        url, {f"t{person_a.pk}": "36.5", f"a{person_b.pk}": "illness", f"s{person_b.pk}": "cough"}
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.person, absence.illness, absence.symptoms) == (person_b, True, ["cough"])
    register = class_day(county.class_1, today)
    assert register.required == 2
    assert {r.person.name: r.state for r in register.rows} == {
        person_a.name: "present",
        person_b.name: "absent",
        third.name: "missing",
    }
    assert register.counts == {"expected": 3, "present": 1, "absent": 1, "missing": 1, "short": 1}
    page = teacher.get(url).content.decode()
    assert "未见到 1" in page.replace("<strong>", "").replace("</strong>", "")
    # Noon: the second check of person_a; an absent pupil is not asked again.
    teacher.post(url, {f"t{person_a.pk}": "36.6"})
    assert class_day(county.class_1, today).counts["short"] == 0
    assert f'name="a{person_b.pk}"' not in teacher.get(url).content.decode()


def test_the_class_screen_finds_by_part_of_a_name_and_pages_with_save_and_next(
    county, personas, person_a, person_b, monkeypatch
):
    from fangkong.monitoring import views

    monkeypatch.setattr(views, "CLASS_PAGE_SIZE", 1)
    for person in (person_a, person_b):
        PersonUnit.objects.create(person=person, unit=county.class_1, relation="student")
    teacher = login(personas.teacher)
    url = reverse("class-checkin", args=[county.class_1.pk])
    # Part of a name finds the one person; the counts still cover the whole class.
    found = teacher.get(url, {"q": "三"})
    page = found.content.decode()
    assert (page.count('data-testid="class-row"'), person_b.name in page) == (1, False)
    assert f'name="t{person_a.pk}"' in page
    assert "应到 2" in page
    # One person a page: saving page 1 with "next" lands on page 2 with the same filter, and the
    # one statement stores the one check-in.
    first_page = teacher.get(url).content.decode()
    first, second = (
        (person_a, person_b) if f'name="t{person_a.pk}"' in first_page else (person_b, person_a)
    )
    assert f'name="t{second.pk}"' not in first_page
    saved = teacher.post(f"{url}?state=&page=1", {f"t{first.pk}": "36.5", "next": "1"})
    assert saved.status_code == 302
    assert saved["Location"] == f"{url}?state=&page=2"
    assert f'name="t{second.pk}"' in teacher.get(saved["Location"]).content.decode()
    assert Checkin.objects.get().person == first
    # Among those not seen, the saved person leaves the list and "next" stays on page 1.
    unseen = teacher.get(url, {"state": "missing"}).content.decode()
    assert (second.name in unseen, first.name in unseen) == (True, False)
    again = teacher.post(f"{url}?state=missing", {f"t{second.pk}": "36.6", "next": "1"})
    assert again["Location"] == f"{url}?state=missing"


def test_the_class_screen_refuses_a_tampered_page_and_hides_from_a_neighbour(
    county, personas, person_a
):
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    url = reverse("class-checkin", args=[county.class_1.pk])
    assert login(personas.teacher).get(url, {"page": "1e9"}).status_code == 400
    neighbour = login(personas.worker_b)
    assert neighbour.get(url, {"q": "张"}).status_code == 404
    assert neighbour.post(url, {f"t{person_a.pk}": "36.5"}).status_code == 404
    assert not Checkin.objects.exists()


def test_the_personal_link_works_without_an_account_and_is_rate_limited(
    county, personas, person_a, client
):
    cache.clear()
    token = self_link_create(actor=personas.worker_a, person=person_a)
    url = reverse("self-checkin", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert person_a.name in page.content.decode()
    done = client.post(url, {"celsius": "36.4", "symptoms": ["cough"], "health_code": "green"})
    assert 'data-testid="done"' in done.content.decode()
    checkin = Checkin.objects.get()
    assert (checkin.via, checkin.symptoms, checkin.recorded_by) == ("self", ["cough"], None)
    bad = client.post(url, {"celsius": "30"})
    assert bad.status_code == 400
    assert 'data-field="celsius"' in bad.content.decode()
    for _ in range(10):
        client.post(url, {"celsius": "36.4"})
    assert client.post(url, {"celsius": "36.4"}).status_code == 429
    assert client.get(reverse("self-checkin", args=["forged"])).status_code == 404


def test_the_link_page_shows_a_qr_code(county, personas, person_a):
    response = login(personas.worker_a).post(reverse("self-link", args=[person_a.pk]))
    page = response.content.decode()
    assert "<svg" in page
    link = re.search(r'data-testid="link">([^<]+)<', page)
    assert link is not None
    assert "/c/" in link.group(1)
    assert (
        login(personas.worker_b).post(reverse("self-link", args=[person_a.pk])).status_code == 404
    )


def test_n03_e15_the_fever_page_shows_the_clock_and_records_history_and_disposition(
    county, personas, person_a
):
    under("P15-kindergarten-drill", county, personas)
    as_(person_a, "staff")
    api = login(personas.worker_a)
    for value in ("37.9", "38.0"):
        api.post("/api/checkins/", {"person": person_a.pk, "celsius": value})
    event = FeverEvent.objects.get()
    page = api.get(reverse("fever-detail", args=[event.pk])).content.decode()
    assert "口头报告" in page
    assert "书面报告" in page
    api.post(
        reverse("fever-detail", args=[event.pk]),
        {"disposition": "sent_home", "travel_history": "无", "contact_history": "无"},
    )
    event.refresh_from_db()
    assert event.disposition == "sent_home"
    assert event.closed_at is not None
    assert login(personas.worker_b).get(reverse("fever-detail", args=[event.pk])).status_code == 404


def test_api_single_and_batch_check_ins(county, personas, person_a, person_b):
    client = login(personas.worker_a)
    one = client.post("/api/checkins/", {"person": person_a.pk, "celsius": "36.5"})
    assert one.status_code == 201
    assert one.json()["status"] == "normal"
    refused = client.post("/api/checkins/", {"person": person_b.pk, "celsius": "36.5"})
    assert refused.status_code == 400
    assert "person" in refused.json()
    batch = client.post(
        "/api/checkins/batch/",
        json.dumps(
            [
                {"person": person_a.pk, "celsius": "36.7"},
                {"person": person_a.pk, "celsius": "hot"},
                {"person": person_b.pk, "celsius": "36.7"},
                {"person": person_a.pk, "celsius": "36.8", "symptoms": ["cough"]},
            ]
        ),
        content_type="application/json",
    )
    body = batch.json()
    assert body["created"] == 2
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "celsius"), (2, "person")]
    assert Checkin.objects.count() == 3
    too_many = client.post(
        "/api/checkins/batch/",
        json.dumps([{"person": person_a.pk, "celsius": "36.5"}] * 501),
        content_type="application/json",
    )
    assert too_many.status_code == 400


def test_a_plain_api_check_in_costs_one_statement_after_the_token(
    county, personas, person_a, person_b, django_assert_num_queries
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    teacher = APIClient()
    teacher.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.teacher).key}"
    )
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    outside = teacher.post("/api/checkins/", {"person": person_b.pk, "celsius": 36.5}, "json")
    # person_b is no pupil of the class: the checked INSERT wrote nothing and the general path
    # explains.
    assert outside.status_code == 400
    assert not Checkin.objects.exists()
    # person_a lives in grid A but sits in the teacher's class: recorded at home.
    tied = teacher.post("/api/checkins/", {"person": person_a.pk, "celsius": 36.5}, "json")
    assert tied.status_code == 201
    worker = APIClient()
    worker.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.worker_a).key}"
    )
    with django_assert_num_queries(2):  # the token with its roles, then the checked INSERT
        plain = worker.post("/api/checkins/", {"person": person_a.pk, "celsius": 36.6}, "json")
    assert plain.status_code == 201
    row = Checkin.objects.get(pk=plain.json()["id"])
    assert (row.unit, row.recorded_by, row.status, row.celsius) == (
        county.grid_a,
        personas.worker_a,
        "normal",
        Decimal("36.6"),
    )
    assert plain.json()["at"] == row.at.isoformat()


def test_api_reports_are_filed_for_own_units_only(county, personas):
    client = login(personas.worker_a)
    filed = client.post(
        "/api/reports/", {"unit": "VA", "kind": "daily_report", "day": "2022-02-01", "zero": True}
    )
    assert filed.status_code == 201
    assert filed.json()["zero"] is True
    other = client.post(
        "/api/reports/", {"unit": "VB", "kind": "daily_report", "day": "2022-02-01"}
    )
    assert other.status_code == 400
    assert UnitReport.objects.count() == 1


def test_the_rollup_page_drills_down(county, personas):
    under("P11-school-winter-exams", county, personas)
    from fangkong.policy.services import reports_open

    reports_open(dt.date(2022, 2, 1))
    page = login(personas.commander).get(
        reverse("rollup"), {"unit": county.hq.pk, "day": "2022-02-01"}
    )
    assert county.township.name in page.content.decode()
    deeper = login(personas.commander).get(
        reverse("rollup"), {"unit": county.township.pk, "day": "2022-02-01"}
    )
    assert county.school.name in deeper.content.decode()


def test_the_rollup_heads_the_count_of_reports_due_as_due_reports_not_a_deadline(county, personas):
    page = login(personas.commander).get(reverse("rollup"), {"unit": county.hq.pk})
    text = page.content.decode()
    assert "<th>应报</th>" in text
    assert "截止时间" not in text


def test_monitoring_pages_render_for_every_persona(county, personas, person_a):
    for user in (personas.commander, personas.worker_a, personas.teacher, personas.viewer):
        client = login(user)
        for name in ("monitoring", "absences", "reports", "rollup"):
            assert client.get(reverse(name)).status_code == 200, (user, name)


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_report_posts_file_one_and_refuse_the_rest_with_400(county, personas):
    # given eight clients of one grid worker, each on its own connection (PostgreSQL: really at
    # once; SQLite allows one writer, so there they take turns and meet the constraint in order)
    concurrent = connection.vendor == "postgresql"
    token = Token.objects.create(user=personas.worker_a).key
    posts = 8
    start = threading.Barrier(posts) if concurrent else None
    responses = []

    def file_report() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        client.raise_request_exception = False  # a crash is a 500 to count, as a user sees it
        with clock.frozen(TODAY):
            if start is not None:
                start.wait(timeout=30)
            response = client.post(
                "/api/reports/", {"unit": "VA", "kind": "daily_report", "day": "2022-02-01"}, "json"
            )
        responses.append(response)

    def file_report_on_own_connection() -> None:
        try:
            file_report()
        finally:
            connections.close_all()

    # when
    if concurrent:
        threads = [threading.Thread(target=file_report_on_own_connection) for _ in range(posts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(posts):
            file_report()

    # then
    assert sorted(response.status_code for response in responses) == [201] + [400] * (posts - 1)
    refusals = [response.json() for response in responses if response.status_code == 400]
    assert refusals == [{"day": ["该报告已报送。"]}] * (posts - 1)
    assert UnitReport.objects.get().unit == county.village_a


def test_checked_in_today_reads_the_same_on_the_unit_figures_and_the_group_screens(
    county, personas, person_a, person_b
):
    # given person_a (home: grid A) sits in class 1 and is checked in on the class screen, and
    # person_b (home: grid B) is checked in at home
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    teacher = login(personas.teacher)
    saved = teacher.post(
        reverse("class-checkin", args=[county.class_1.pk]), {f"t{person_a.pk}": "36.5"}
    )
    assert saved.status_code == 302
    login(personas.worker_b).post("/api/checkins/", {"person": person_b.pk, "celsius": "36.6"})
    commander = login(personas.commander)

    def figures(unit):
        page = commander.get(reverse("monitoring"), {"unit": unit.pk})
        return page.context["figures"]["expected"], page.context["figures"]["checked_in"]

    def present(unit):
        counts = commander.get(reverse("class-checkin", args=[unit.pk])).context["register"].counts
        return counts["expected"], counts["present"]

    # then the grid screen, its village's figures and the report pre-filled all count person_a,
    # wherever the check-in was taken; the class and its school count their pupil too
    assert present(county.grid_a) == figures(county.grid_a) == figures(county.village_a) == (1, 1)
    assert present(county.class_1) == figures(county.class_1) == figures(county.school) == (1, 1)
    assert figures(county.township) == (2, 2)
    prefilled = login(personas.worker_a).get(reverse("reports"), {"unit": county.village_a.pk})
    assert prefilled.context["figures"]["checked_in"] == 1


def test_report_form_refused_keeps_the_note_and_names_the_figure_in_chinese(county, personas):
    # given a report with a figure that is not a whole number, and a note
    data = dict.fromkeys(FIGURES, "0") | {
        "unit": str(county.village_a.pk),
        "day": "2022-02-01",
        "expected": "十二",
        "checked_in": "7",
        "note": "网格员请假，明日补报",
        "kind": "weekly_report",
    }
    # when the grid worker files it
    answer = login(personas.worker_a).post(reverse("reports"), data)
    # then it comes back as typed, the field named in Chinese, and nothing is filed
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "应到：请填写整数。" in page
    assert "expected：" not in page
    assert 'value="十二"' in page
    assert 'value="7"' in page
    assert 'value="网格员请假，明日补报"' in page
    assert 'value="weekly_report" selected' in page
    assert not UnitReport.objects.exists()


def test_e05_an_absence_reads_in_the_audit_trail_as_a_sentence(personas, person_a):
    worker = login(personas.worker_a)
    # when: an absence through illness, with symptoms, and one of another cause
    worker.post(
        reverse("absences"),
        {
            "person": str(person_a.pk),
            "day": "2022-01-31",
            "illness": "1",
            "symptoms": ["fever", "cough"],
        },
    )
    worker.post(
        reverse("absences"), {"person": str(person_a.pk), "day": "2022-01-30", "cause": "家中有事"}
    )
    # then
    trail = login(personas.commander).get(reverse("audit-list")).content.decode()
    assert "2022-01-31起因病缺勤（症状：发热、咳嗽）" in trail
    assert "2022-01-30起因其他原因缺勤，原因：家中有事" in trail
