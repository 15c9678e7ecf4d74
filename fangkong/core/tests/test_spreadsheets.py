"""Reading uploaded tables: every import reads its file through one bounded reader."""

import io
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from fangkong.core.spreadsheets import Column, ImportFileError, TableColumns, read_rows

COLUMNS = TableColumns(
    Column("barcode", gettext_lazy("barcode"), ("管码",), required=True),
    Column("result", gettext_lazy("result"), required=True),
    Column("ct", gettext_lazy("Ct value")),
)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b"")],
    ids=["utf-8", "utf-8 with BOM (Excel's CSV UTF-8)", "GBK (Excel's plain CSV)"],
)
def test_csv_in_every_encoding_excel_saves_reads_the_same(tmp_path, encoding, bom):
    content = bom + "条码,结果,Ct值\nT001,阳性,23.5\n,,\nT002,阴性,\n".encode(encoding)
    rows = list(read_rows(write(tmp_path, "results.csv", content), COLUMNS))
    # the blank row is skipped, rows are numbered as the spreadsheet shows them
    assert rows == [
        (2, {"barcode": "T001", "result": "阳性", "ct": "23.5"}),
        (4, {"barcode": "T002", "result": "阴性", "ct": ""}),
    ]


def test_xlsx_headers_in_english_aliases_and_a_blank_first_row_are_mapped(tmp_path):
    content = xlsx([[], ["Result", "序号", "*管码", "CT值"], ["阴性", 1, "T003", 30.1]])
    rows = list(read_rows(write(tmp_path, "results.xlsx", content), COLUMNS))
    assert rows == [(3, {"result": "阴性", "barcode": "T003", "ct": 30.1})]


def test_a_missing_required_header_is_named_in_chinese_with_the_headers_not_recognised(tmp_path):
    path = write(tmp_path, "results.csv", "编号,结果\nT001,阴性\n".encode())
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as error:
        read_rows(path, COLUMNS)
    assert str(error.value) == "第 1 行为表头，缺少“条码”列。 未识别的表头：编号。"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "文件中没有数据"), (b"\xff\xfe\x00\xd8", "既不是 UTF-8 也不是 GBK")],
)
def test_an_empty_or_undecodable_csv_is_refused_in_chinese(tmp_path, content, message):
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as error:
        list(read_rows(write(tmp_path, "x.csv", content), COLUMNS))
    assert message in str(error.value)


def test_too_many_rows_stop_the_reading_with_the_row_and_the_limit(settings, tmp_path):
    settings.IMPORT_MAX_ROWS = 3
    content = "条码,结果\n" + "".join(f"T{n},阴性\n" for n in range(5))
    read: list[int] = []

    def read_all() -> None:
        for number, _cells in read_rows(write(tmp_path, "x.csv", content.encode()), COLUMNS):
            read.append(number)

    with translation.override("zh-hans"), pytest.raises(ImportFileError) as error:
        read_all()
    assert read == [2, 3, 4]
    assert "第 4 行之后" in str(error.value)
    assert "最多 3 行" in str(error.value)


def test_a_file_over_the_size_limit_or_of_another_kind_is_refused_before_reading(
    settings, tmp_path
):
    settings.IMPORT_MAX_BYTES = 1_000_000
    large = write(tmp_path, "x.csv", b"a" * 1_000_001)
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as error:
        read_rows(large, COLUMNS)
    assert "文件超过 1 MB" in str(error.value)
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as error:
        read_rows(write(tmp_path, "x.pdf", b"%PDF"), COLUMNS)
    assert ".xlsx 或 .csv" in str(error.value)
