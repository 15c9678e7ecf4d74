"""Import of registers: every bad row named, every good row kept, a file twice changes nothing."""

import csv
import io
import itertools
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.core.spreadsheets import ImportFileError, read_table
from fangkong.people.importing import (
    import_job_create,
    import_job_execute,
    import_template_xlsx,
)
from fangkong.people.models import Household, ImportJob, Person, PersonCategory

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "证件号码", "手机号码", "所属单位编码", "户编号", "人员类别"]


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(user, unit, content, name="register.csv") -> ImportJob:
    job = import_job_create(user=user, unit=unit, file_name=name, content=content)
    return import_job_execute(job.pk)


def errors_of(job: ImportJob):
    return [(e.row_number, e.column, e.message) for e in job.row_errors.all()]


def test_good_rows_are_kept_and_each_bad_row_is_named(county: County, personas: Personas):
    good_1, good_2 = make_resident_id(sequence="101"), make_resident_id(sequence="102")
    bad_checksum = make_resident_id(sequence="103")[:-1] + (
        "0" if make_resident_id(sequence="103")[-1] != "0" else "1"
    )
    content = csv_bytes(
        [
            ["甲", good_1, "13800000001", "VA-G1", "H1", "常住居民、返乡人员"],
            ["乙", bad_checksum, "13800000002", "", "", ""],  # row 3: check digit
            ["丙", good_2, "12345", "", "", ""],  # row 4: phone
            ["丁", good_1, "", "", "", ""],  # row 5: same ID as row 2
            ["", make_resident_id(sequence="104"), "", "VB-G1", "", "学生"],  # row 6: no name
        ]
    )
    job = run(personas.commander, county.grid_a, content)
    assert (job.status, job.total_rows, job.created_count, job.error_count) == ("done", 5, 1, 4)
    errors = errors_of(job)
    assert [row for row, _column, _message in errors] == [3, 4, 5, 6]
    assert errors[0][1] == "证件号码"
    assert "校验码" in errors[0][2]
    assert errors[1][1] == "手机号码"
    assert "第 2 行" in errors[2][2]
    assert errors[3][1] == "姓名"
    person = Person.objects.get()
    assert (person.name, person.unit_id, person.phone) == ("甲", county.grid_a.pk, "13800000001")
    assert set(PersonCategory.objects.values_list("category_id", flat=True)) == {
        "resident",
        "returnee",
    }
    assert Household.objects.get().code == "H1"


def test_reimporting_the_same_file_changes_nothing(county: County, personas: Personas):
    rows = [
        [f"人{i}", make_resident_id(sequence=f"{i:03d}"), "", "", f"H{i // 3}", "常住居民"]
        for i in range(30)
    ]
    first = run(personas.commander, county.grid_a, csv_bytes(rows))
    snapshot = list(
        Person.objects.order_by("pk").values_list(
            "pk", "name", "id_hash", "household_id", "updated_at"
        )
    )
    second = run(personas.commander, county.grid_a, csv_bytes(rows))
    assert (
        first.created_count,
        second.created_count,
        second.existing_count,
        second.error_count,
    ) == (30, 0, 30, 0)
    assert (
        list(
            Person.objects.order_by("pk").values_list(
                "pk", "name", "id_hash", "household_id", "updated_at"
            )
        )
        == snapshot
    )
    assert PersonCategory.objects.count() == 30
    assert Household.objects.count() == 10


def test_duplicate_of_an_existing_person_with_another_name_is_rejected(county, personas, person_a):
    job = run(
        personas.commander,
        county.grid_a,
        csv_bytes([["张冠李戴", make_resident_id(sequence="011"), "", "", "", ""]]),
    )
    assert (job.created_count, job.existing_count, job.error_count) == (0, 0, 1)
    assert "张三" in errors_of(job)[0][2]
    assert Person.objects.get(pk=person_a.pk).name == "张三"


def test_missing_required_column_fails_the_file_and_imports_nothing(
    county: County, personas: Personas
):
    content = csv_bytes([["甲", "13800000001"]], header=["姓名", "手机号码"])
    with pytest.raises(ImportFileError) as error:
        import_job_create(
            user=personas.commander, unit=county.grid_a, file_name="x.csv", content=content
        )
    assert "证件号码" in str(error.value)
    assert Person.objects.count() == 0


def test_unit_codes_outside_the_importers_scope_are_rejected(county: County, personas: Personas):
    content = csv_bytes(
        [
            ["甲", make_resident_id(sequence="201"), "", "VB-G1", "", ""],
            ["乙", make_resident_id(sequence="202"), "", "VA-G1", "", ""],
        ]
    )
    job = run(personas.worker_a, county.grid_a, content)
    assert (job.created_count, job.error_count) == (1, 1)
    assert errors_of(job)[0][:2] == (2, "所属单位编码")
    assert not Person.objects.filter(unit=county.grid_b).exists()


def test_importing_into_another_village_is_refused(county: County, personas: Personas):
    with pytest.raises(ImportFileError):
        import_job_create(
            user=personas.worker_b,
            unit=county.grid_a,
            file_name="x.csv",
            content=csv_bytes([["甲", make_resident_id(), "", "", "", ""]]),
        )
    assert ImportJob.objects.count() == 0


def test_gbk_csv_as_saved_by_excel_is_read(county: County, personas: Personas):
    job = run(
        personas.commander,
        county.grid_a,
        csv_bytes([["欧阳娜娜", make_resident_id(), "", "", "", ""]], encoding="gb18030"),
    )
    assert job.created_count == 1
    assert Person.objects.get().name == "欧阳娜娜"


def test_xlsx_with_an_id_typed_as_a_number_explains_the_lost_digits(
    county: County, personas: Personas
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "证件类型", "证件号码"])
    sheet.append(["甲", "居民身份证", make_resident_id(sequence="301")])
    sheet.append(["乙", "居民身份证", float(make_resident_id(sequence="302")[:17] + "1")])
    sheet.append(["丙", "护照", "E12345678"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run(personas.commander, county.grid_a, buffer.getvalue(), name="register.xlsx")
    assert (job.created_count, job.error_count) == (2, 1)
    assert "文本格式" in errors_of(job)[0][2]
    assert Person.objects.get(name="丙").id_type == "passport"


def test_not_a_spreadsheet_is_refused_clearly(county: County, personas: Personas):
    with pytest.raises(ImportFileError):
        import_job_create(
            user=personas.commander, unit=county.grid_a, file_name="x.xlsx", content=b"not a zip"
        )
    with pytest.raises(ImportFileError):
        import_job_create(
            user=personas.commander, unit=county.grid_a, file_name="x.pdf", content=b"%PDF"
        )


def test_import_is_audited_with_its_counts(county: County, personas: Personas):
    job = run(
        personas.commander, county.grid_a, csv_bytes([["甲", make_resident_id(), "", "", "", ""]])
    )
    event = AuditEvent.objects.get(action="import")
    assert (event.object_id, event.actor_id) == (str(job.pk), personas.commander.pk)
    assert "1" in event.summary


def test_a_job_runs_once_even_if_delivered_twice(county: County, personas: Personas):
    job = import_job_create(
        user=personas.commander,
        unit=county.grid_a,
        file_name="r.csv",
        content=csv_bytes([["甲", make_resident_id(), "", "", "", ""]]),
    )
    import_job_execute(job.pk)
    again = import_job_execute(job.pk)
    assert (again.created_count, Person.objects.count()) == (1, 1)


def test_english_headers_and_messages_for_an_english_user(county: County, personas: Personas):
    content = csv_bytes([["A", "110105194912310021"]], header=["Name", "ID number"])
    with translation.override("en"):
        job = run(personas.commander, county.grid_a, content)
        assert errors_of(job) == [
            (2, "ID number", "The check digit is wrong (the number is mistyped).")
        ]


def test_template_has_the_headers_the_importer_reads(reference_data):
    workbook = load_workbook(io.BytesIO(import_template_xlsx()))
    header = [cell.value for cell in workbook.active[1]]
    assert header[:3] == ["*姓名", "证件类型", "*证件号码"]


@pytest.mark.slow
def test_a_200000_row_file_imports_in_one_go(county: County, personas: Personas):
    rows = []
    for i in range(200_000):
        region = ("520113", "110105", "440106", "310115")[i % 4]
        birth = f"{1950 + i % 60}{1 + i % 12:02d}{1 + i % 28:02d}"
        rows.append(
            [
                f"人{i}",
                make_resident_id(region=region, birth=birth, sequence=f"{i // 240 % 1000:03d}"),
                f"138{i:08d}",
                "",
                f"H{i // 4}",
                "常住居民",
            ]
        )
    unique = {r[1] for r in rows}
    rows.append(["坏", "110105194912310021", "", "", "", ""])
    job = run(personas.commander, county.grid_a, csv_bytes(rows))
    assert job.status == "done"
    assert job.created_count == len(unique)
    assert job.error_count == len(rows) - len(unique)
    assert Person.objects.count() == len(unique)
    assert errors_of(job)[-1][0] == len(rows) + 1


def test_a_nul_character_rejects_its_row_only(county: County, personas: Personas):
    content = csv_bytes(
        [
            ["甲\x00乙", make_resident_id(sequence="611"), "", "", "", ""],
            ["丙", make_resident_id(sequence="612"), "", "", "", ""],
        ]
    )
    job = run(personas.commander, county.grid_a, content)
    assert (job.status, job.created_count, job.error_count) == ("done", 1, 1)
    assert errors_of(job)[0][:2] == (2, "姓名")


def test_b01_returnee_register_is_kept_grid_by_grid(county: County, personas: Personas):
    # the township imports one register; each grid worker then follows the returnees of their own
    content = csv_bytes(
        [
            ["归一", make_resident_id(sequence="801"), "", "VA-G1", "", "返乡人员"],
            ["归二", make_resident_id(sequence="802"), "", "VB-G1", "", "返乡人员"],
            ["居三", make_resident_id(sequence="803"), "", "VA-G1", "", "常住居民"],
        ]
    )
    job = run(personas.commander, county.township, content)
    assert job.created_count == 3
    client = login(personas.worker_a)
    page = client.get("/people/", {"category": "returnee"}).content.decode()
    assert "归一" in page
    assert "归二" not in page
    assert "居三" not in page


def test_b08_family_members_share_a_household_shown_on_each_file(
    county: County, personas: Personas
):
    content = csv_bytes(
        [
            ["父亲", make_resident_id(sequence="811"), "", "", "H-88", ""],
            ["女儿", make_resident_id(birth="20100101", sequence="812"), "", "", "H-88", "学生"],
        ]
    )
    run(personas.commander, county.grid_a, content)
    father, daughter = Person.objects.get(name="父亲"), Person.objects.get(name="女儿")
    assert father.household_id == daughter.household_id
    page = login(personas.worker_a).get(f"/people/{daughter.pk}/").content.decode()
    assert f'<a href="/people/{father.pk}/">父亲</a>' in page


def whole_sheet_xlsx(last_row: int) -> bytes:
    """1-2 KB that declares A1:XFD1048576 (every cell of a sheet) with a cell at ``last_row``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.cell(row=last_row, column=1, value="甲")
    buffer = io.BytesIO()
    workbook.save(buffer)
    patched = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(item, data)
    return patched.getvalue()


def test_a_whole_sheet_xlsx_is_read_as_stored_and_stops_at_the_row_limit(settings, tmp_path):
    # given a file that declares every cell of the sheet and holds a cell in its last row
    settings.IMPORT_MAX_ROWS = 1000
    path = tmp_path / "whole-sheet.xlsx"
    path.write_bytes(whole_sheet_xlsx(1_048_576))
    # when it is read (a broken reader pads rows to 16,384 cells: the islice keeps that short)
    widths: dict[int, int] = {}

    def read() -> None:
        for number, row in itertools.islice(read_table(path), 1002):
            widths[number] = len(row)

    with pytest.raises(ImportFileError) as error:
        read()
    # then rows are read as stored, and reading stops at the limit with a clear error
    assert list(widths) == list(range(1, 1002))
    assert max(widths.values()) == len(HEADER)
    assert "第 1001 行" in str(error.value)
    assert "1000" in str(error.value)


def test_upload_of_a_whole_sheet_xlsx_gets_a_clear_error(settings, personas: Personas, county):
    settings.IMPORT_MAX_ROWS = 1000
    response = login(personas.worker_a).post(
        "/people/import/",
        {
            "file": SimpleUploadedFile("台账.xlsx", whole_sheet_xlsx(1200)),
            "unit": county.grid_a.pk,
        },
    )
    assert response.status_code == 200
    assert "第 1001 行" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == 0


def test_preview_and_import_stop_at_their_time_budget(settings, personas: Personas, county):
    content = csv_bytes([["甲", make_resident_id(sequence="301"), "", "", "", ""]])
    job = import_job_create(
        user=personas.worker_a, unit=county.grid_a, file_name="x.csv", content=content
    )
    settings.IMPORT_READ_SECONDS = 0
    settings.IMPORT_RUN_SECONDS = 0
    client = login(personas.worker_a)
    preview = client.get(f"/people/import/{job.pk}/", follow=True)
    assert "读取文件超过 0 秒" in preview.content.decode()
    job = import_job_execute(job.pk)
    assert (job.status, job.created_count) == ("failed", 0)
    assert "读取文件超过 0 秒" in job.failure


def test_a_csv_cell_over_the_field_limit_is_a_clear_error(personas: Personas, county: County):
    content = csv_bytes(
        [
            ["甲", make_resident_id(sequence="302"), "", "", "", ""],
            ["乙", make_resident_id(sequence="303"), "", "", "", "x" * 131_073],
        ]
    )
    response = login(personas.worker_a).post(
        "/people/import/",
        {"file": SimpleUploadedFile("台账.csv", content), "unit": county.grid_a.pk},
    )
    assert response.status_code == 200
    assert "第 3 行" in response.context["form"].errors["file"][0]
    assert "131072" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == 0


def test_aged_60_plus_row_of_someone_born_in_1990_is_refused_by_the_import(
    county: County, personas: Personas
):
    # given a sheet putting someone born in 1990 and someone born in 1950 in 60岁以上老人
    young = make_resident_id(birth="19900307", sequence="111")
    old = make_resident_id(birth="19500307", sequence="112")
    content = csv_bytes(
        [["赵六", young, "", "", "", "60岁以上老人"], ["钱七", old, "", "", "", "60岁以上老人"]]
    )
    # when it is imported
    job = run(personas.commander, county.grid_a, content)
    # then the 1990 row is named on its category column and the other row is kept
    [(row, column, message)] = errors_of(job)
    assert (row, column) == (2, "人员类别")
    assert "60岁以上老人" in message
    assert "1990-03-07" in message
    assert list(Person.objects.values_list("name", flat=True)) == ["钱七"]
