"""The spreadsheets people exchange with Fangkong: reading an uploaded table, writing a workbook.

Every import (the register, risk areas, lab results) reads its file through ``read_rows``: an .xlsx
workbook or a CSV file in UTF-8 (with or without a BOM) or GBK, bounded in size, rows and time,
with a header row mapped to field names by the Chinese and English names offices write. The
imports that keep each good row and report each refused one (risk areas, pharmacy sales, doses)
run their rows through ``rows_import``.
"""

from __future__ import annotations

import csv
import io
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell

TABLE_SUFFIXES = (".xlsx", ".csv")
# A cell starting with one of these can run as a formula once the sheet is opened or re-saved
# as CSV (OWASP "CSV injection"): =HYPERLINK(…) in a name would be a live link.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Row = tuple[int, list[object]]
KeyedRow = tuple[int, dict[str, object]]
_Input = TypeVar("_Input")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a table, too large, no header, a required column
    missing); the message says so in the user's language."""


@dataclass(frozen=True)
class Column:
    """A column an import reads: its field name, the header users see, the other ways offices
    write that header (any language), whether a file must have it."""

    key: str
    label: Any  # lazy translation
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 0


class TableColumns:
    """The columns of one kind of import, and how a header row maps to them."""

    def __init__(self, *columns: Column, hint: Any = "") -> None:
        self.columns = columns
        self.by_key = {column.key: column for column in columns}
        self.hint = hint  # lazy translation: where to see the columns, added to a header error

    def label(self, key: str) -> str:
        return str(self.by_key[key].label)

    def _names(self) -> dict[str, str]:
        """{header as written, normalised: field name}; a label matches in every language."""
        names: dict[str, str] = {}
        for column in self.columns:
            labels = []
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    labels.append(str(column.label))
            for name in (column.key, *column.aliases, *labels):
                names[_normalised(name)] = column.key
        return names

    def keys(self, number: int, header: list[object]) -> list[str | None]:
        """The field name of each cell of the header row; ImportFileError naming the required
        columns it lacks (and the headers it did not recognise)."""
        names = self._names()
        written = [str(cell or "").strip() for cell in header]
        keys = [names.get(_normalised(text)) for text in written]
        missing = [self.label(c.key) for c in self.columns if c.required and c.key not in keys]
        if missing:
            message = _("Row %(row)d is the header, and it has no column %(cols)s.") % {
                "row": number,
                "cols": "、".join(missing),
            }
            unknown = [text for text, key in zip(written, keys, strict=True) if text and not key]
            if unknown:
                message += " " + _("Headers not recognised: %(headers)s.") % {
                    "headers": "、".join(unknown)
                }
            if self.hint:
                message += " " + str(self.hint)
            raise ImportFileError(message)
        return keys

    def rows(self, table: Iterable[Row]) -> Iterator[KeyedRow]:
        """The rows under the header as {field name: cell}, blank rows skipped.

        The header (the first row that is not blank) is checked before this returns.
        """
        iterator = iter(table)
        for number, header in iterator:
            if _blank(header):
                continue
            keys = self.keys(number, header)
            return _keyed(iterator, keys)
        raise ImportFileError(_("The file has no rows."))


def _normalised(header: str) -> str:
    # "*姓名" in our template marks a required column; "CT值" and "Ct值" are one header.
    return header.strip().lstrip("*").strip().casefold()


def _blank(row: list[object]) -> bool:
    return all(cell in (None, "") for cell in row)


def _keyed(rows: Iterator[Row], keys: list[str | None]) -> Iterator[KeyedRow]:
    columns = [(index, key) for index, key in enumerate(keys) if key is not None]
    for number, row in rows:
        if _blank(row):
            continue
        yield number, {key: row[i] if i < len(row) else None for i, key in columns}


def read_rows(
    path: Path, columns: TableColumns, *, seconds: float | None = None
) -> Iterator[KeyedRow]:
    """The data rows of an uploaded table as {field name: cell}, numbered as the spreadsheet
    shows them; the header is checked before this returns."""
    return columns.rows(read_table(path, seconds=seconds))


@dataclass
class ImportReport:
    """What an import did: rows added, rows already on record, and each problem of a refused row
    (its row number, column, header, value as shown and reason)."""

    created: int = 0
    unchanged: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)

    def summary(self, file_name: str) -> str:
        """The import's audit summary."""
        return _("%(file)s: %(created)d new, %(unchanged)d unchanged, %(errors)d refused") % {
            "file": file_name,
            "created": self.created,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


def rows_import(
    path: Path,
    columns: TableColumns,
    row_input: Callable[[dict[str, object]], tuple[_Input | None, dict[str, str]]],
    insert: Callable[[_Input], bool],
    *,
    other_column: str,
    masked: Mapping[str, Callable[[str], str]] | None = None,
) -> ImportReport:
    """Import a table row by row: ``row_input`` reads a row's cells as an input and its problems
    by column; ``insert`` writes a good one in its own savepoint and says whether it added a row
    (False: already on record) or raises ValidationError, so that a refused row leaves nothing
    behind. A problem not of a column is reported under ``other_column``; a problem shows its cell
    as it was read, through ``masked``'s function for its column (an ID number masked)."""
    report = ImportReport()
    for number, cells in read_rows(path, columns):
        data, problems = row_input(cells)
        if data is not None and not problems:
            try:
                with transaction.atomic():
                    created = insert(data)
            except ValidationError as error:
                problems = {key: "；".join(value) for key, value in error.message_dict.items()}
            else:
                report.created += created
                report.unchanged += not created
                continue
        for key, reason in problems.items():
            column = key if key in columns.by_key else other_column
            value = cells.get(column)
            if masked and column in masked and value is not None:
                value = masked[column](str(value).strip())
            report.errors.append(
                {
                    "row": number,
                    "column": column,
                    "label": columns.label(column),
                    "value": value,
                    "reason": reason,
                }
            )
    return report


def table_suffix(file_name: str) -> str:
    """The suffix of an uploaded table's name; ImportFileError for anything but .xlsx or .csv."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ImportFileError(_("Upload an .xlsx or .csv file."))
    return suffix


def table_size_check(size: int) -> None:
    """ImportFileError for a file over ``IMPORT_MAX_BYTES``."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB; split it.")
            % {"mb": settings.IMPORT_MAX_BYTES // 1_000_000}
        )


@contextmanager
def uploaded_table(upload: Any, stem: str) -> Iterator[Path]:
    """An uploaded table (a Django ``UploadedFile``) as a temporary file named ``stem`` while an
    import reads it; ImportFileError for a file that is not .xlsx or .csv, or too large."""
    suffix = table_suffix(upload.name or "")
    table_size_check(upload.size or 0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}{suffix}"
        path.write_bytes(upload.read())
        yield path


def read_table(path: Path, seconds: float | None = None) -> Iterator[Row]:
    """Rows of the first sheet (xlsx) or of the CSV file, numbered as the spreadsheet shows them.

    A file over ``IMPORT_MAX_BYTES`` is refused before it is read; reading stops with
    ImportFileError past ``IMPORT_MAX_ROWS`` rows under a header, or once it has taken
    ``seconds`` (``IMPORT_READ_SECONDS`` by default: someone is waiting for the page).
    """
    table_suffix(path.name)
    table_size_check(path.stat().st_size)
    return _bounded(
        _stored_rows(path), settings.IMPORT_READ_SECONDS if seconds is None else seconds
    )


def _bounded(rows: Iterator[Row], seconds: float) -> Iterator[Row]:
    # The wall clock, not clock.now(): this measures work done, and the controlled clock may be
    # frozen.
    deadline = time.monotonic() + seconds
    last_row = settings.IMPORT_MAX_ROWS + 1
    for number, row in rows:
        if number > last_row:
            raise ImportFileError(
                _(
                    "The file goes on past row %(row)d, and an import takes at most %(limit)d "
                    "rows under the header. Split the file, or delete what lies below the data."
                )
                % {"row": last_row, "limit": settings.IMPORT_MAX_ROWS}
            )
        if time.monotonic() > deadline:
            raise ImportFileError(
                _(
                    "Reading the file took longer than %(seconds)d seconds and stopped at "
                    "row %(row)d. Split it into smaller files."
                )
                % {"seconds": seconds, "row": number}
            )
        yield number, row


def _stored_rows(path: Path) -> Iterator[Row]:
    if path.suffix.lower() == ".xlsx":
        return _workbook_rows(path)
    return _csv_rows(path)


def _workbook_rows(path: Path) -> Iterator[Row]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares (A1:XFD1048576 costs nothing to write) would pad every
        # row to 16,384 cells and fill in every missing row: read the rows as stored.
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[Row]:
    raw = path.read_bytes()
    # Excel saves "CSV UTF-8" with a BOM and plain "CSV" in the system's code page (GBK in
    # China); GB 18030 reads GBK and everything GBK lacks.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK text."))
    number = 0
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, list(row)
    except csv.Error as error:  # the only one this dialect raises: a cell past the field limit
        raise ImportFileError(
            _(
                "Row %(row)d has a cell longer than %(limit)d characters, more than any column "
                "holds; check that every quote in it is closed."
            )
            % {"row": number + 1, "limit": csv.field_size_limit()}
        ) from error


def sheet_append(sheet: Any, values: Iterable[object]) -> None:
    """Append a row; text that would start a formula is written as a text cell, shown as typed.

    Every workbook of data (exports, rejected-row files) appends its rows through this.
    """
    row: list[object] = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
            row.append(cell)
        else:
            row.append(value)
    sheet.append(row)
