"""Issue 13, item 7: lists leave as .xlsx or .csv, streamed, readable by spreadsheet programs."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from conftest import body
from fangkong.core.exports import csv_chunks, export_response, xlsx_chunks

HEADER = ["编号", "姓名", "出生日期", "备注"]
ROWS = [
    [1, "张三", dt.date(1990, 3, 7), '=HYPERLINK("http://x")'],
    [2, "李四\x01", None, "<b>&</b>"],
]


def test_a_streamed_workbook_opens_with_its_values_and_keeps_formulas_as_text():
    data = b"".join(xlsx_chunks("人员台账", HEADER, iter(ROWS)))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "人员台账"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        HEADER,
        [1, "张三", dt.datetime(1990, 3, 7), '=HYPERLINK("http://x")'],  # noqa: DTZ001
        [2, "李四", None, "<b>&</b>"],  # a control character XML cannot hold is dropped
    ]
    assert sheet["D2"].data_type == "s"
    assert sheet["D2"].quotePrefix


def test_a_streamed_csv_opens_in_excel_as_chinese_and_keeps_formulas_as_text():
    data = b"".join(csv_chunks(HEADER, iter(ROWS)))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert rows[1] == ["1", "张三", "1990-03-07", '\'=HYPERLINK("http://x")']


def test_the_download_streams_and_names_its_file_in_chinese():
    rows_read = []

    def rows():
        for row in ROWS:
            rows_read.append(row)
            yield row

    response = export_response("人员台账", "csv", HEADER, rows())
    assert response.streaming
    assert rows_read == []  # nothing read before the response is sent
    assert response["Content-Disposition"].endswith("%E4%BA%BA%E5%91%98%E5%8F%B0%E8%B4%A6.csv")
    body(response)
    assert rows_read == ROWS
