"""Writing rows of a workbook that people open in Excel or WPS."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these can run as a formula once the sheet is opened or re-saved
# as CSV (OWASP "CSV injection"): =HYPERLINK(…) in a name would be a live link.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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
