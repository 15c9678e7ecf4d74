"""Lists leave as .csv or .xlsx, streamed while they are read: a million rows are never held in
memory, and the first bytes reach the browser (and its download progress) at once.

The workbook is written here rather than by openpyxl or XlsxWriter, which build it in memory or
in a temporary file at a few thousand rows a second: a sheet of inline strings in a zip written
to a stream (data descriptors, no seeking) is all an export needs. Text that would start a formula
is kept as text in both formats (the same rule as ``core.spreadsheets.sheet_append``); a moment
is written in local time to the minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Literal, cast
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import HttpResponseBase, StreamingHttpResponse
from django.urls import URLPattern, path

from fangkong.core import clock
from fangkong.core.spreadsheets import FORMULA_TRIGGERS

Format = Literal["csv", "xlsx"]
CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FLUSH_BYTES = 256 * 1024
# Characters XML 1.0 cannot hold (a sheet holding one would not open), and those a sheet name
# may not hold.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def export_response(
    file_name: str,
    kind: Format,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    csv_body: Iterator[bytes] | None = None,
) -> StreamingHttpResponse:
    """The download of ``rows`` under ``header``; ``file_name`` (without its suffix) also names
    the workbook's sheet. ``csv_body``: the same rows as CSV already written (by the database's
    COPY), sent instead of writing ``rows`` for a .csv."""
    if kind == "xlsx":
        chunks = xlsx_chunks(file_name, header, rows)
    elif csv_body is not None:
        chunks = itertools.chain(csv_chunks(header, ()), csv_body)
    else:
        chunks = csv_chunks(header, rows)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}.{kind}"
    return response


def export_paths(route: str, view: Callable[..., HttpResponseBase], name: str) -> list[URLPattern]:
    """The two downloads of a list: ``<route>.xlsx`` named ``name``, ``<route>.csv`` named
    ``name-csv``; the view takes the format as ``kind``."""
    return [
        path(f"{route}.xlsx", view, {"kind": "xlsx"}, name=name),
        path(f"{route}.csv", view, {"kind": "csv"}, name=f"{name}-csv"),
    ]


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese from a CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")  # as PostgreSQL's COPY ends its lines
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= _FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _local_time(value: dt.datetime) -> str:
    """A moment as the reader's office writes it: local time to the minute."""
    return (
        f"{value.astimezone(clock.tz()):%Y-%m-%d %H:%M}"
        if value.tzinfo
        else f"{value:%Y-%m-%d %H:%M}"
    )


def _csv_cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return _local_time(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value  # the convention spreadsheet programs read as "text, as typed"
    return "" if value is None else value


class _Pipe:
    """A write-only stream whose bytes are taken as they come: zipfile writes a member with data
    descriptors when it cannot seek."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def xlsx_chunks(
    sheet_name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Iterator[bytes]:
    """A one-sheet workbook, row by row."""
    pipe = _Pipe()
    with zipfile.ZipFile(
        cast(IO[bytes], pipe), "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
    ) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        # A sheet name: at most 31 characters, none of []:*?/\
        title = _SHEET_NAME_FORBIDDEN.sub(" ", sheet_name)[:31] or "1"
        book.writestr("xl/workbook.xml", _WORKBOOK % escape(title, {'"': "&quot;"}))
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            lines = [_row(header)]
            for row in rows:
                lines.append(_row(row))
                if len(lines) >= 1000:
                    sheet.write("".join(lines).encode())
                    lines = []
                    if sum(map(len, pipe.parts)) >= _FLUSH_BYTES:
                        yield pipe.take()
            sheet.write("".join(lines).encode())
            sheet.write(b"</sheetData></worksheet>")
    yield pipe.take()


def _row(values: Sequence[object]) -> str:
    return "<row>" + "".join(map(_xlsx_cell, values)) + "</row>"


def _xlsx_cell(value: object) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | decimal.Decimal):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, dt.datetime):
        return f'<c t="inlineStr"><is><t>{_local_time(value)}</t></is></c>'
    if isinstance(value, dt.date):
        return f'<c s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    text = str(value)
    style = ' s="2"' if text.startswith(FORMULA_TRIGGERS) else ""
    text = escape(_XML_FORBIDDEN.sub("", text))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}"'
    f' xmlns:r="{_DOC_RELS}"><sheets><sheet name="%s" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>"
)
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Style 1: a date (built-in format 14); style 2: text kept as typed (quote prefix).
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"'
        ' xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0"'
        ' applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"'
        ' quotePrefix="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0"'
        ' builtinId="0"/></cellStyles></styleSheet>'
    ),
}
