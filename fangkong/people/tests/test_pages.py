"""The register's pages: forms that explain errors, the import wizard, fixed query counts."""

import datetime as dt
import re
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.people.importing import import_jobs_expire
from fangkong.people.models import ImportJob, ImportRowError, Person
from fangkong.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def test_add_person_form_shows_each_error_in_chinese_and_keeps_the_input(
    personas: Personas, county: County
):
    client = login(personas.worker_a)
    response = client.post(
        "/people/new/",
        {
            "name": "王小明",
            "id_type": "resident",
            "id_number": "110105194912310021",
            "unit": county.grid_a.pk,
            "phone": "12345",
            "nationality": "CHN",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "校验码错误" in page
    assert "不是有效的电话号码" in page
    assert 'value="王小明"' in page
    assert Person.objects.count() == 0


def test_add_person_form_saves_and_opens_the_person_page(personas: Personas, county: County):
    client = login(personas.worker_a)
    response = client.post(
        "/people/new/",
        {
            "name": "王小明",
            "id_type": "resident",
            "id_number": make_resident_id(sequence="777"),
            "unit": county.grid_a.pk,
            "phone": "13812345678",
            "nationality": "CHN",
            "categories": ["student"],
        },
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "王小明" in page
    assert "学生" in page
    assert person.id_masked in page


def test_the_form_offers_only_units_the_user_may_edit(personas: Personas, county: County):
    client = login(personas.worker_a)
    page = client.get("/people/new/").content.decode()
    assert 'data-picker="/org/pick/units/?for=edit_people"' in page
    assert "乙村第1网格" not in page
    offered = client.get("/org/pick/units/", {"for": "edit_people", "q": "第1网格"}).json()
    assert [row["label"] for row in offered["results"]] == ["甲村第1网格"]


def test_person_page_timeline_shows_changes_and_full_id_views(personas: Personas, person_a: Person):
    client = login(personas.commander)
    response = client.post(f"/people/{person_a.pk}/reveal/")
    assert make_resident_id(sequence="011") in response.content.decode()
    page = client.get(f"/people/{person_a.pk}/").content.decode()
    assert "查看了完整证件号码" in page
    assert "新增" in page


def test_reveal_button_only_for_roles_that_may_see_ids(personas: Personas, person_a: Person):
    assert (
        "显示完整号码"
        not in login(personas.worker_a).get(f"/people/{person_a.pk}/").content.decode()
    )
    assert login(personas.worker_a).post(f"/people/{person_a.pk}/reveal/").status_code == 403
    assert not AuditEvent.objects.filter(action="view_full").exists()


def test_travel_form_errors_are_shown_keep_what_was_typed_and_nothing_is_saved(
    personas: Personas, person_a: Person
):
    client = login(personas.worker_a)
    url = f"/people/{person_a.pk}/travel/"
    dates = {"start_date": "2022-01-05", "end_date": "2022-01-01"}
    unknown = client.post(url, {"region": "", "region_text": "火星", **dates})
    assert unknown.status_code == 400
    assert "没有名称或代码为“火星”的行政区划" in unknown.content.decode()
    assert 'name="region_text" value="火星"' in unknown.content.decode()
    # a region chosen in the picker posts its code; a refusal shows it by its name
    backwards = client.post(url, {"region": "520113", "region_text": "白云区", **dates})
    page = backwards.content.decode()
    assert backwards.status_code == 400
    assert "结束日期早于开始日期" in page
    assert 'name="region_text" value="贵州省 贵阳市 白云区"' in page
    assert 'name="region" value="520113"' in page
    assert person_a.travel.count() == 0


def test_import_wizard_upload_preview_import_report(
    personas: Personas, county: County, django_capture_on_commit_callbacks
):
    client = login(personas.worker_a)
    content = (
        "姓名,证件号码,手机号码\n"
        f"甲,{make_resident_id(sequence='401')},13800000001\n"
        "乙,110105194912310021,\n"
    ).encode()
    response = client.post(
        "/people/import/",
        {
            "file": SimpleUploadedFile("台账.csv", content, content_type="text/csv"),
            "unit": county.grid_a.pk,
        },
    )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/people/import/{job.pk}/"
    preview = client.get(response["Location"]).content.decode()
    assert "校验码错误" in preview
    assert Person.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/people/import/{job.pk}/start/")
    assert len(callbacks) == 1  # the task is queued once the request's transaction commits
    assert response["Location"] == f"/people/import/{job.pk}/report/"
    report = client.get(response["Location"]).content.decode()
    assert Person.objects.get().name == "甲"
    assert "已完成" in report
    assert "校验码错误" in report
    assert client.get(f"/people/import/{job.pk}/rejected.xlsx").status_code == 200


def test_import_upload_refuses_a_file_without_the_id_column(personas: Personas, county: County):
    response = login(personas.worker_a).post(
        "/people/import/",
        {"file": SimpleUploadedFile("x.csv", "姓名\n甲\n".encode()), "unit": county.grid_a.pk},
    )
    assert response.status_code == 200
    assert "缺少“证件号码”列" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_template_download(personas: Personas):
    response = login(personas.worker_a).get("/people/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_templates_example_row_imports_as_it_is(
    settings, tmp_path, personas: Personas, county: County, django_capture_on_commit_callbacks
):
    # given the template as downloaded from the import page
    settings.MEDIA_ROOT = tmp_path
    client = login(personas.worker_a)
    template = client.get("/people/import/template.xlsx").content
    # when it is uploaded unchanged and imported
    _upload(client, template, name="register-template.xlsx", unit=county.grid_a.pk)
    job = ImportJob.objects.get()
    preview = client.get(f"/people/import/{job.pk}/").content.decode()
    assert 'data-testid="preview-problems"' not in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{job.pk}/start/")
    # then its example person is registered with the example's categories
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("done", 1, 0)
    person = Person.objects.get()
    assert (person.name, person.unit_id) == ("张三", county.grid_a.pk)
    assert set(person.categories.values_list("code", flat=True)) == {"resident", "returnee"}


def _many_people(county: County, personas: Personas, count: int) -> None:
    for i in range(count):
        person_create(
            actor=personas.commander,
            data=PersonInput(
                name=f"人{i}",
                id_type="resident",
                id_number=make_resident_id(sequence=f"{i:03d}"),
                unit=county.grid_a if i % 2 else county.grid_b,
                household_code=f"H{i}",
                address_region_code="520113",
                categories=["resident"],
            ),
        )


@pytest.mark.parametrize("count", [3, 12])
def test_list_page_query_count_does_not_grow_with_people(
    personas: Personas, county: County, count: int
):
    _many_people(county, personas, count)
    client = login(personas.worker_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/people/").status_code == 200
    # session, user, the user's roles, the page, categories (units are picked by name)
    assert len(queries) == 5


@pytest.mark.parametrize("count", [3, 12])
def test_api_list_query_count_does_not_grow_with_people(
    personas: Personas, county: County, count: int
):
    from rest_framework.test import APIClient

    _many_people(county, personas, count)
    client = APIClient()
    client.force_authenticate(personas.worker_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/people/").status_code == 200
    # the user's roles, the page, its categories
    assert len(queries) == 3


def _upload(client, content: bytes, name: str = "台账.csv", unit=None):
    return client.post("/people/import/", {"file": SimpleUploadedFile(name, content), "unit": unit})


def test_uploaded_files_are_private_and_deleted_when_the_import_ends(
    settings, tmp_path, personas: Personas, county: County, django_capture_on_commit_callbacks
):
    # given an upload folder of its own
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "imports"
    client = login(personas.worker_a)
    content = f"姓名,证件号码\n甲,{make_resident_id(sequence='411')}\n乙,110105194912310021\n"
    # when a file without the ID column is refused, and a good one is uploaded
    refused = _upload(client, "姓名\n甲\n".encode(), unit=county.grid_a.pk)
    assert refused.status_code == 200
    assert list(folder.iterdir()) == []
    _upload(client, content.encode(), unit=county.grid_a.pk)
    job = ImportJob.objects.get()
    stored = Path(job.stored_file)
    # then the accepted file is readable by this account alone while it waits
    assert stored.parent == folder
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # and is gone once the import ends; the rejected rows stay for the report
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{job.pk}/start/")
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("done", 1, 1)
    assert list(folder.iterdir()) == []
    assert "校验码错误" in client.get(f"/people/import/{job.pk}/report/").content.decode()


def test_a_cancelled_import_deletes_its_file_and_leaves_the_home_page(
    settings, tmp_path, personas: Personas, county: County, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = login(personas.worker_a)
    content = f"姓名,证件号码\n甲,{make_resident_id(sequence='412')}\n"
    _upload(client, content.encode(), name="取消的台账.csv", unit=county.grid_a.pk)
    job = ImportJob.objects.get()
    assert "取消的台账.csv" in client.get("/").content.decode()
    # when the user cancels on the preview page
    assert (
        f'formaction="/people/import/{job.pk}/cancel/"'
        in client.get(f"/people/import/{job.pk}/").content.decode()
    )
    response = client.post(f"/people/import/{job.pk}/cancel/")
    # then the file is deleted, the job is cancelled and the start page no longer lists it
    assert response["Location"] == "/people/import/"
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert list((tmp_path / "imports").iterdir()) == []
    assert "取消的台账.csv" not in client.get("/").content.decode()
    assert "取消的台账.csv" not in client.get("/people/import/").content.decode()
    # and starting it afterwards imports nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{job.pk}/start/")
    assert Person.objects.count() == 0


def test_a_waiting_import_opened_from_the_home_page_can_be_cancelled_and_shows_as_cancelled(
    settings, tmp_path, personas: Personas, county: County
):
    # given an upload left waiting, listed on the home page as 等待中
    settings.MEDIA_ROOT = tmp_path
    client = login(personas.worker_a)
    content = f"姓名,证件号码\n甲,{make_resident_id(sequence='413')}\n"
    _upload(client, content.encode(), name="放着的台账.csv", unit=county.grid_a.pk)
    job = ImportJob.objects.get()
    home = client.get("/").content.decode()
    assert f'<a href="/people/import/{job.pk}/">放着的台账.csv</a> — 等待中' in home
    # when the user opens its report and cancels it there
    report = client.get(f"/people/import/{job.pk}/report/").content.decode()
    assert f'action="/people/import/{job.pk}/cancel/"' in report
    client.post(f"/people/import/{job.pk}/cancel/")
    # then the report says 已取消, stops polling and offers no cancel, and the home page no
    # longer lists the import as waiting
    report = client.get(f"/people/import/{job.pk}/report/").content.decode()
    assert "已取消" in report
    assert "hx-get" not in report
    assert 'data-testid="cancel-import"' not in report
    home = client.get("/").content.decode()
    assert "放着的台账.csv" not in home
    assert "等待中" not in home
    assert ImportJob.objects.get().status == "cancelled"


def test_rejected_rows_are_kept_for_the_report_period_then_the_tick_removes_them(
    settings, tmp_path, personas: Personas, county: County, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_REPORT_DAYS = 7
    client = login(personas.worker_a)
    _upload(client, "姓名,证件号码\n乙,110105194912310021\n".encode(), unit=county.grid_a.pk)
    done = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{done.pk}/start/")
    _upload(client, "姓名,证件号码\n丙,110105194912310021\n".encode(), unit=county.grid_a.pk)
    waiting = ImportJob.objects.get(status="pending")
    finished_at = ImportJob.objects.get(pk=done.pk).finished_at
    assert finished_at is not None
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=finished_at)
    # six days on, the report is still there
    with clock.frozen(finished_at + dt.timedelta(days=6)):
        call_command("tick", verbosity=0)
    assert ImportRowError.objects.filter(job=done).count() == 1
    assert ImportJob.objects.get(pk=waiting.pk).status == "pending"
    # eight days on, the tick has deleted it and cancelled the upload left waiting
    with clock.frozen(finished_at + dt.timedelta(days=8)):
        call_command("tick", verbosity=0)
    assert ImportRowError.objects.filter(job=done).count() == 0
    assert ImportJob.objects.get(pk=waiting.pk).status == "cancelled"
    assert list((tmp_path / "imports").iterdir()) == []
    report = client.get(f"/people/import/{done.pk}/report/").content.decode()
    assert 'data-testid="report-expired"' in report
    assert "7 天" in report


def test_travel_form_refused_keeps_every_field_typed_and_names_it_in_chinese(
    personas: Personas, person_a: Person
):
    # given a stay in a country that does not exist
    typed = {"region": "", "country": "ZZZZ", "start_date": "2022-01-05", "end_date": "2022-01-08"}
    # when the grid worker adds it
    response = login(personas.worker_a).post(f"/people/{person_a.pk}/travel/", typed)
    # then the form comes back as typed, the refused field named in Chinese
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="ZZZZ"' in page
    assert 'value="2022-01-05"' in page
    assert 'value="2022-01-08"' in page
    assert "或国家/地区：没有名为“ZZZZ”的国家或地区" in page
    assert person_a.travel.count() == 0


@pytest.mark.parametrize("typed", ["日本", "Japan", "jpn"])
def test_i13_a_stay_abroad_is_typed_and_shown_by_the_country_name(
    personas: Personas, person_a: Person, typed: str
):
    # when the grid worker records a stay abroad typing the country's name (or its code)
    client = login(personas.worker_a)
    stay = {"region": "", "country": typed, "start_date": "2022-01-05", "end_date": "2022-01-08"}
    client.post(f"/people/{person_a.pk}/travel/", stay)
    # then the register keeps the ISO code, and the person's page and timeline read the name
    assert person_a.travel.get().country == "JPN"
    page = client.get(f"/people/{person_a.pk}/").content.decode()
    assert "日本" in page
    assert "JPN" not in page
    assert "2022-01-05至2022-01-08旅居日本" in page.split('data-testid="timeline"')[1]


def test_delete_and_revoke_ask_for_confirmation(
    personas: Personas, person_a: Person, county: County
):
    # given a commander on a person's page and on a unit's page with a member
    commander = login(personas.commander)
    person_page = commander.get(f"/people/{person_a.pk}/").content.decode()
    unit_page = commander.get(f"/org/units/{county.village_a.pk}/").content.decode()
    # then deleting, revoking a role and revoking check-in links each ask first, through the
    # confirmation script (no inline handler)
    assert re.search(
        r'action="/people/\d+/delete/" data-confirm="确定删除该人员档案？"', person_page
    )
    assert re.search(
        r'action="/org/memberships/\d+/revoke/"[^>]* data-confirm="确认撤销此角色？"', unit_page
    )
    assert 'data-confirm="确认撤销此人的打卡链接？已发出的二维码将失效。"' in person_page
    assert "onsubmit=" not in person_page
    assert commander.get("/static/core/confirm.js").status_code == 200


def test_aged_60_plus_is_refused_for_someone_born_in_1990_naming_the_field(
    personas: Personas, county: County
):
    # given a person born on 1990-03-07 (by the ID number) put in 60岁以上老人
    typed = {
        "name": "赵六",
        "id_type": "resident",
        "id_number": make_resident_id(birth="19900307", sequence="061"),
        "unit": county.grid_a.pk,
        "nationality": "CHN",
        "categories": ["aged_60_plus"],
    }
    # when the grid worker adds them
    response = login(personas.worker_a).post("/people/new/", typed)
    # then refused on the categories, in Chinese, keeping what was typed
    page = response.content.decode()
    assert "类别“60岁以上老人”与年龄不符：此人 31 岁（1990-03-07 出生）。" in page
    assert 'data-field="categories"' in page
    assert 'value="赵六"' in page
    assert not Person.objects.filter(name="赵六").exists()


def test_aged_60_plus_is_accepted_for_someone_born_in_1950(personas: Personas, county: County):
    typed = {
        "name": "钱七",
        "id_type": "resident",
        "id_number": make_resident_id(birth="19500307", sequence="062"),
        "unit": county.grid_a.pk,
        "nationality": "CHN",
        "categories": ["aged_60_plus"],
    }
    assert login(personas.worker_a).post("/people/new/", typed).status_code == 302


def test_an_import_whose_worker_stopped_is_failed_by_the_tick_and_says_what_to_do(
    settings, tmp_path, personas: Personas, county: County
):
    # given an import claimed by a worker that died two hours ago, and one running now
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_RUN_SECONDS = 3600
    client = login(personas.worker_a)
    for sequence in ("414", "415"):
        content = f"姓名,证件号码\n甲,{make_resident_id(sequence=sequence)}\n"
        _upload(client, content.encode(), name=f"台账{sequence}.csv", unit=county.grid_a.pk)
    stopped, running = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=stopped.pk).update(
        status="running", updated_at=clock.now() - dt.timedelta(hours=2)
    )
    ImportJob.objects.filter(pk=running.pk).update(status="running", updated_at=clock.now())
    # when the tick's hourly clean-up runs
    import_jobs_expire()
    # then the stopped one has failed, its file is gone and its report says to upload it again
    stopped.refresh_from_db()
    running.refresh_from_db()
    assert (stopped.status, running.status) == ("failed", "running")
    assert not Path(stopped.stored_file).exists()
    report = client.get(f"/people/import/{stopped.pk}/report/").content.decode()
    assert "重新上传同一文件" in report
    assert AuditEvent.objects.filter(object_type="import_job", object_id=str(stopped.pk)).exists()


def test_i13_the_register_filters_by_a_unit_picked_by_name(personas: Personas, county: County):
    _many_people(county, personas, 4)
    client = login(personas.worker_a)
    # the filter is a picker over the units the user sees, not a list of every unit
    page = client.get("/people/").content.decode()
    assert 'data-picker="/org/pick/units/"' in page
    assert '<select class="form-select" name="unit"' not in page
    offered = client.get("/org/pick/units/", {"q": "第1网格"}).json()["results"]
    assert [choice["value"] for choice in offered] == [str(county.grid_a.pk)]

    # the search form posts the picked unit; the list it leads to keeps ?unit=<id>
    found = client.post("/people/", {"unit": str(county.grid_a.pk)}, follow=True)
    assert found.redirect_chain[0][0] == f"/people/?unit={county.grid_a.pk}"
    listed = found.content.decode()
    assert listed.count("人1<") + listed.count("人3<") == 2
    assert "人0<" not in listed
    assert f'name="unit" value="{county.grid_a.pk}"' in listed
    assert f'name="unit_text" value="{county.grid_a.name}"' in listed
