"""Writing exported rows as CSV or XLSX, safe to open in a spreadsheet.

A cell that starts like a formula (``=``, ``+``, ``-``, ``@``) is run by Excel when the file is
opened, so such text is prefixed with an apostrophe in CSV (OWASP "CSV injection") and always
written as a string cell in XLSX; a phone number like ``+7 999 ...`` is left alone.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a number, or several joined by "; " (a contact's phones): no letters, so nothing a spreadsheet could run
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]+(?:;\s*[+-]?[\d\s().-]+)*$")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def cell(value: Any) -> str:
    """A value as the text of one cell (lists joined with "; ")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(cell(item) for item in value)
    return str(value)


def defused(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def columns_of(rows: list[dict[str, Any]]) -> list[str]:
    """Every column of the rows, in the order first seen."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def write_csv(rows: list[dict[str, Any]], columns: list[str], *, delimiter: str = ",",
              headings: list[str] | None = None) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens Cyrillic correctly; headed by headings (else the columns)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([defused(name) for name in headings or columns])
    for row in rows:
        writer.writerow([defused(cell(row.get(name))) for name in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: list[dict[str, Any]], columns: list[str], *, title: str = "Export",
               headings: list[str] | None = None) -> bytes:
    """An XLSX workbook of one sheet, every cell a string (never a formula), headed by headings (else the columns)."""
    from openpyxl import Workbook  # heavy: only when a workbook is asked for
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def text_cell(text: str) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))  # XML forbids them
        written.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
        return written

    sheet.append([text_cell(name) for name in headings or columns])
    for row in rows:
        sheet.append([text_cell(cell(row.get(name))) for name in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
