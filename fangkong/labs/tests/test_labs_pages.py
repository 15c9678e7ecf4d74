"""Testing pages and API, by persona."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import TODAY, login, make_resident_id, make_user
from fangkong.config.menu import tab_opens
from fangkong.core import clock
from fangkong.labs.models import Box, Sample, ScreeningRound, Tube, TubeResult
from fangkong.labs.results import results_record
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import (
    lab,
    pool,
    result,
    screening,
    technician,
    villagers,
)
from fangkong.obligations.models import Notification, NotificationTopic, Obligation
from fangkong.org.roles import Role

__all__ = ["lab", "screening", "technician"]  # fixtures shared with the service tests


def api(user) -> APIClient:
    client = APIClient()
    token = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_commander_starts_a_round_and_sees_coverage_and_the_planner(county, personas, lab):
    villagers(county, personas, 3)
    commander = login(personas.commander)
    response = commander.post(
        reverse("round-list"),
        {"name": "第二轮", "unit": county.township.pk, "lab": lab.pk, "pool_size": 10},
    )
    screening = ScreeningRound.objects.get(name="第二轮")
    assert response["Location"] == reverse("round-detail", args=[screening.pk])
    assert (screening.deadline - screening.starts_at).total_seconds() == 24 * 3600  # F-05
    page = commander.get(response["Location"] + "?positivity=0.01").content.decode()
    assert 'data-testid="coverage"' in page
    assert "<strong>11</strong>" in page  # Dorfman's k for 1 %
    drill = commander.get(f"{response['Location']}?unit={county.grid_a.pk}").content.decode()
    assert 'data-testid="missing"' in drill
    assert "村民0" in drill


def test_the_sampling_screen_records_a_tube_keeps_it_open_and_shows_refused_lines(
    county, personas, screening, person_b
):
    people = villagers(county, personas, 2)
    worker = login(personas.worker_a)
    response = worker.post(
        reverse("sampling"),
        {
            "round": screening.pk,
            "unit": county.village_a.pk,
            "kind": "pool",
            "tube": "T1000",
            "people": f"{people[0].pk}\n{make_resident_id(sequence='101')}\n{person_b.pk}\n",
        },
    )
    page = response.content.decode()
    assert Sample.objects.filter(tube__barcode="T1000").count() == 2
    assert 'data-testid="refused"' in page
    assert f"<code>{person_b.pk}</code>" in page
    assert 'value="T1000"' in page  # room left: the tube stays for the next people
    assert 'data-testid="filled"' in page


def test_a_lab_imports_a_file_and_sees_its_tubes_without_names(
    county, personas, screening, lab, technician
):
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("T2000", villagers(county, personas, 2)),
    )  # fmt: skip
    client = login(technician)
    upload = pytest.importorskip("django.core.files.uploadedfile").SimpleUploadedFile(
        "results.csv", "条码,结果,Ct值\nT2000,阳性,29.5\nT9999,阴性,\n".encode("gbk")
    )
    page = client.post(reverse("lab-results"), {"lab": lab.pk, "file": upload}).content.decode()
    assert 'data-testid="outcome"' in page
    assert "T9999" in page
    assert TubeResult.objects.get().outcome == "positive"
    tube_page = client.get(reverse("tube", args=["T2000"])).content.decode()
    assert "29.5" in tube_page
    assert "村民0" not in tube_page  # the lab sees tubes, not the register
    assert "村民0" in login(personas.worker_a).get(reverse("tube", args=["T2000"])).content.decode()
    assert login(personas.worker_b).get(reverse("tube", args=["T2000"])).status_code == 404


def test_boxes_are_sent_and_received_on_the_page(county, personas, screening, lab, technician):
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("T3000", villagers(county, personas, 1)),
    )  # fmt: skip
    login(personas.worker_a).post(
        reverse("boxes"),
        {"code": "BOX-1", "unit": county.village_a.pk, "lab": lab.pk, "tubes": "T3000\n"},
    )
    box = Box.objects.get(code="BOX-1")
    assert Tube.objects.get(barcode="T3000").sealed
    login(technician).post(reverse("boxes"), {"receive": box.pk})
    box.refresh_from_db()
    assert box.received_at is not None


def test_api_sampling_results_tubes_rounds_and_pool_size(
    county, personas, screening, lab, technician
):
    people = villagers(county, personas, 3)
    sampler = api(personas.worker_a)
    body = {
        "round": screening.pk,
        "unit": "VA",
        "samples": [
            {"tube": "A0001", "person": people[0].pk},
            {"tube": "A0001", "person": people[1].pk},
            {"tube": "A0001", "person": "x"},
            {"tube": "A0002", "id_number": make_resident_id(sequence="102")},
        ],
    }
    answer = sampler.post("/api/sampling/", json.dumps(body), content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["samples"] == 3
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [(2, "person")]
    again = sampler.post("/api/sampling/", json.dumps(body), content_type="application/json")
    assert again.json()["unchanged"] == 3
    results = api(technician).post(
        "/api/lab-results/",
        json.dumps({"lab": "LAB", "results": [{"tube": "A0001", "result": "negative", "ct": 38}]}),
        content_type="application/json",
    )
    assert results.json()["accepted"] == 1
    tube = sampler.get("/api/tubes/A0001/").json()
    assert sorted(tube["members"]) == sorted([people[0].pk, people[1].pk])
    assert tube["results"][0]["result"] == "negative"
    assert api(personas.worker_b).get("/api/tubes/A0001/").status_code == 404
    coverage = api(personas.commander).get(f"/api/rounds/{screening.pk}/coverage/").json()
    assert {"unit": "VA", "registered": 3, "sampled": 3} in coverage
    listed = login(personas.commander).get(reverse("round-list")).context["rounds"]
    assert [(r.pk, r.sampled) for r in listed] == [(screening.pk, 3)]
    plan = sampler.get("/api/pool-size/?positivity=0.01").json()
    assert plan["pool_size"] == 11
    assert sampler.get("/api/pool-size/?positivity=abc").status_code == 400
    created = api(personas.commander).post(
        "/api/rounds/",
        {"name": "API 轮", "unit": "T1", "starts_at": "2022-02-01T08:00:00+08:00", "pool_size": 20},
        format="json",
    )
    assert created.status_code == 201, created.content
    refused = api(personas.worker_a).post(
        "/api/rounds/",
        {"name": "x", "unit": "T1", "starts_at": "2022-02-01T08:00:00+08:00"},
        format="json",
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("name", ["round-list", "sampling", "boxes", "lab-results"])
def test_testing_pages_render_for_every_persona_who_may_open_them(
    county, personas, screening, name
):
    for user in (*vars(personas).values(), make_user("sampler", Role.SAMPLER, county.village_a)):
        opens = name == "round-list" or tab_opens(name, user)
        assert login(user).get(reverse(name)).status_code == (200 if opens else 403), (user, name)
    assert (
        login(personas.commander).get(reverse("round-detail", args=[screening.pk])).status_code
        == 200
    )


def test_bad_round_and_box_forms_say_why_and_keep_what_was_typed(county, personas, lab):
    commander = login(personas.commander)
    for bad in ({"starts_at": "2022-13-45T99:00"}, {"pool_size": "abc"}, {"pool_size": "7"}):
        page = commander.post(
            reverse("round-list"), {"name": "第三轮", "unit": county.township.pk, **bad}
        ).content.decode()
        assert 'value="第三轮"' in page
        assert "alert" in page
    assert not ScreeningRound.objects.exists()
    page = (
        login(personas.worker_a)
        .post(
            reverse("boxes"),
            {"code": "BOX-9", "unit": county.village_a.pk, "lab": lab.pk, "tubes": "NOPE1\nNOPE2"},
        )
        .content.decode()
    )
    assert "NOPE1\nNOPE2</textarea>" in page
    assert 'value="BOX-9"' in page
    assert not Box.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite lets no second upload write while the first one's transaction reads",
)
def test_new_positives_are_this_uploads_own_rows_not_a_concurrent_uploads(
    county, personas, screening, lab, technician
):
    # given: a positive pool's result sent twice at once (the lab system retried)
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("T5000", villagers(county, personas, 2)),
    )  # fmt: skip
    body = json.dumps({"lab": "LAB", "results": [{"tube": "T5000", "result": "阳性", "ct": 27}]})
    answers = {}

    def upload(name: str) -> None:
        with clock.frozen(TODAY):
            answers[name] = api(technician).post(
                "/api/lab-results/", body, content_type="application/json"
            )

    def other_upload() -> None:
        try:
            upload("other")
        finally:
            connections.close_all()

    def other_upload_commits_first(execute, sql, params, many, context):
        # The other upload commits between this one's start and its INSERT of the results.
        if sql.startswith("INSERT INTO labs_tuberesult") and "other" not in answers:
            thread = threading.Thread(target=other_upload)
            thread.start()
            thread.join()
        return execute(sql, params, many, context)

    # when
    with connection.execute_wrapper(other_upload_commits_first):
        upload("this")

    # then: the other upload's positive is its own; this one recorded nothing new
    assert (answers["other"].json()["accepted"], answers["other"].json()["positives"]) == (
        1,
        ["T5000"],
    )
    assert (answers["this"].json()["accepted"], answers["this"].json()["positives"]) == (0, [])
    assert answers["this"].json()["unchanged"] == 1
    told = Counter(
        Notification.objects.filter(topic=NotificationTopic.POSITIVE).values_list(
            "user_id", flat=True
        )
    )
    assert told
    assert set(told.values()) == {1}  # pushed once to each, not once per upload
    assert Obligation.objects.filter(rule_id="pool-positive").count() == 2  # a re-test each


def test_pool_size_is_capped_and_answers_at_once(county, personas, screening):
    # given a sampler's token and the round page's planner form
    sampler = api(personas.worker_a)
    commander = login(personas.commander)
    page = reverse("round-detail", args=[screening.pk])
    # when the largest pool asked for is past the cap (a pool is at most a few dozen)
    for largest in ("51", "999999999", "9" * 5000):
        answer = sampler.get(f"/api/pool-size/?positivity=0.01&max_size={largest}")
        form = commander.get(f"{page}?positivity=0.01&max_size={largest}")
        # then both refuse it, on that field, in the user's language, keeping what was typed
        assert answer.status_code == 400
        assert answer.json()["max_size"] == ["最大混采数为 1 至 50 人。"]
        assert "最大混采数为 1 至 50 人。" in form.content.decode()
        assert form.context["planner"]["max_size"] == largest
    assert sampler.get("/api/pool-size/?positivity=0.01&max_size=50").json()["pool_size"] == 11
    assert sampler.get("/api/pool-size/?positivity=0&max_size=50").json()["pool_size"] == 50


def test_a_lab_result_csv_cell_over_the_field_limit_is_a_clear_error(lab, technician):
    content = "条码,结果,Ct值\nT2000,阳性,29.5\n" + "T2001,阴性," + "9" * 131_073 + "\n"
    upload = SimpleUploadedFile("results.csv", content.encode())
    client = login(technician)
    response = client.post(reverse("lab-results"), {"lab": lab.pk, "file": upload}, follow=True)
    assert response.status_code == 200
    assert "第 3 行有一个单元格超过 131072 个字符" in response.content.decode()
    assert TubeResult.objects.count() == 0


def test_25_a_positive_result_reaches_email_not_only_the_inbox(
    county, personas, screening, lab, technician, settings, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.FANGKONG_REMINDER_CHANNELS = ["email"]
    personas.worker_a.email = "worker-a@example.org"
    personas.worker_a.save()
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("P0001", villagers(county, personas, 2)),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(technician).post(
            "/api/lab-results/",
            json.dumps({"lab": "LAB", "results": [{"tube": "P0001", "result": "positive"}]}),
            content_type="application/json",
        )
    assert answer.json()["positives"] == ["P0001"]
    mail = next(m for m in mailoutbox if m.to == ["worker-a@example.org"])
    assert "P0001" in mail.subject
    assert Notification.objects.get(user=personas.worker_a, topic="positive").sent_at is not None


def test_round_page_shows_positivity_as_a_percent_with_one_decimal(
    county, personas, screening, lab, technician
):
    # given a round with three tubes tested, one of them positive
    people = villagers(county, personas, 3)
    for index, person in enumerate(people):
        samples_record(actor=personas.worker_a, round=screening, rows=pool(f"T09{index}", [person]))
    results_record(
        actor=technician,
        lab=lab,
        rows=[result("T090", "阳性", "30"), result("T091", "阴性"), result("T092", "阴性")],
    )
    # when the commander opens the round
    page = login(personas.commander).get(reverse("round-detail", args=[screening.pk]))
    # then the positivity is a percent, and the planner's field a short fraction
    text = page.content.decode()
    assert '<strong data-testid="positivity">33.3%</strong>' in text
    assert "0.3333333" not in text
    assert 'value="0.3333"' in text


def test_rounds_table_heads_its_name_column_with_the_round_name(county, personas, screening):
    text = login(personas.commander).get(reverse("round-list")).content.decode()
    assert "<th>轮次名称</th>" in text
    assert "<th>姓名</th>" not in text


def test_i13_an_open_round_reads_in_progress_while_an_open_deadline_reads_to_do(
    county, personas, screening, person_a
):
    # given an open round and a grid worker's open deadline
    Obligation.objects.create(
        person=person_a,
        unit=county.grid_a,
        kind="checkin",
        source="event",
        due_at=clock.now(),
        created_at=clock.now(),
        clause="每日健康打卡",
    )
    # then the rounds table says 进行中 (a round going on), the deadline list still 待办
    rounds = login(personas.commander).get(reverse("round-list")).content.decode()
    assert 'data-label="状态">进行中</td>' in rounds
    assert "待办" not in rounds
    answer = login(personas.worker_a).get(reverse("obligation-list"), {"state": "open"})
    deadlines = answer.content.decode()
    assert 'data-label="状态">待办' in deadlines
