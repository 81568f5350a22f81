"""Reading uploaded spreadsheets: CSV in any of the encodings and delimiters people export, and XLSX.

A CSV from Russian Excel is cp1251 with ``;`` between cells; one from Google Sheets is UTF-8 with
``,``; "Unicode text" from Excel is UTF-16 with tabs. Bitrix24's "Export to Excel" is an HTML table
saved as .xls, which Excel opens: its rows are read as a CSV's. A file may open with a title line
before its header row. Everything here is pure: bytes in, a :class:`Sheet` of strings out.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from typing import Any

from chalicelib.core import errors

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL = 20_000
MAX_XLSX_UNPACKED = 100 * 1024 * 1024  # a zip bomb stops here, before any XML is parsed
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 10
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    """The header and data rows of a file, every cell a string, rows as long as the header."""

    headers: list[str]
    rows: list[list[str]]
    file_format: str  # csv | xlsx | html
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1  # 1-based row of the header in the file
    numbers: list[int] = field(default_factory=list)  # 1-based row of each data row, as Excel numbers it


def unreadable(message: str) -> errors.ValidationError:
    """422 for a file that cannot be read as a table."""
    return errors.ValidationError(message, code="unreadable_file",
                                  details=[{"loc": ["content_base64"], "msg": message, "type": "unreadable_file"}])


# -- CSV ------------------------------------------------------------------------------------


def decode(content: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-16 or UTF-8 (with or without BOM), else cp1251."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "utf-16"
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # not UTF-8: in our markets that is a Windows export, Cyrillic code page
        return content.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as exc:
        raise unreadable("The file's text encoding is not UTF-8, UTF-16 or Windows-1251.") from exc


def _parse(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False):
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    return rows


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns, consistently."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        sample = [row for row in _parse(text, delimiter, limit=20) if any(cell.strip() for cell in row)]
        if not sample:
            continue
        widths = [len(row) for row in sample]
        widest = max(widths)
        # Rows as wide as the widest count most: a comma inside names must not beat the real ';'.
        score = (sum(1 for width in widths if width == widest) if widest > 1 else 0, widest)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(content: bytes) -> tuple[list[list[str]], str, str]:
    """Rows of a CSV file, its encoding and its delimiter."""
    text, encoding = decode(content)
    rows, delimiter = csv_rows(text)
    return rows, encoding, delimiter


def csv_rows(text: str) -> tuple[list[list[str]], str]:
    """Rows of a CSV file's text, and its delimiter."""
    if "\x00" in text:
        raise unreadable("The file is not a text table (CSV) or an Excel workbook (XLSX).")
    delimiter = sniff_delimiter(text)
    try:
        rows = _parse(text, delimiter)
    except csv.Error as exc:
        raise unreadable("The CSV file is malformed.") from exc
    return rows, delimiter


# -- an HTML table (Bitrix24's "Excel" export) -----------------------------------------------

_HTML_TABLE = re.compile(r"^\s*<(?:!doctype|html|head|meta|table|style)\b.*?<table\b", re.IGNORECASE | re.DOTALL)


class _TableRows(HTMLParser):
    """The rows of the first table of a page, each cell's text (entities read, a <br> a line break)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._depth = 0  # tables open: a table inside a cell is that cell's text
        self._done = False

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif tag == "tr" and self._depth == 1:
            self._end_row()
            self._row = []
        elif tag in ("td", "th") and self._depth == 1 and self._row is not None:
            self._end_cell()
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._done:
            return
        if tag in ("td", "th") and self._depth == 1:
            self._end_cell()
        elif tag == "tr" and self._depth == 1:
            self._end_row()
        elif tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._end_row()
                self._done = True

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_table(text: str) -> bool:
    """Whether a text file is a page holding a table (Bitrix24's .xls), not a CSV."""
    return _HTML_TABLE.match(text[:4096]) is not None


def read_html(text: str) -> list[list[str]]:
    """Rows of the first table of an HTML page, each row as many cells as it has."""
    parser = _TableRows()
    parser.feed(text)
    parser.close()
    if len(parser.rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise unreadable(f"The file has more than {MAX_ROWS} rows; split it.")
    return [[cell.strip() for cell in row] for row in parser.rows]


# -- XLSX -----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees (phones typed as numbers lose no digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _check_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise unreadable("The Excel file is damaged.") from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise unreadable("The Excel file unpacks to more than 100 MB.")


def read_xlsx(content: bytes) -> list[list[str]]:
    """Rows of the first worksheet of an XLSX workbook, formulas as their cached values."""
    from openpyxl import load_workbook  # heavy: only when a workbook is uploaded

    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file; all of them mean "unreadable"
        raise unreadable("The Excel file could not be read.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([cell_text(value) for value in values[:MAX_COLUMNS + 1]])
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
        return rows
    finally:
        workbook.close()


# -- the header -----------------------------------------------------------------------------


def _filled(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def find_header(rows: list[list[str]], known: Callable[[str], bool]) -> int:
    """Index of the header row: the early row naming the most known columns, else the first full one."""
    candidates = [(index, row) for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if _filled(row)]
    if not candidates:
        raise unreadable("The file has no rows.")
    scored = [(sum(1 for cell in row if known(cell)), index) for index, row in candidates]
    best_known, best_index = max(scored, key=lambda pair: (pair[0], -pair[1]))
    if best_known:
        return best_index
    widest = max(_filled(row) for _, row in candidates)
    return next(index for index, row in candidates if _filled(row) == widest)


def _headers(row: list[str]) -> list[str]:
    names: list[str] = []
    for position, cell in enumerate(row, start=1):
        name = " ".join(cell.split()) or f"Column {position}"
        while name in names:  # two columns both called "Phone" stay distinguishable
            name = f"{name} ({position})"
        names.append(name)
    return names


def _trimmed(rows: list[list[str]], width: int, first_number: int) -> tuple[list[list[str]], list[int]]:
    body: list[list[str]] = []
    numbers: list[int] = []
    for offset, row in enumerate(rows):
        if not _filled(row):
            continue
        if any(len(cell) > MAX_CELL for cell in row):
            raise unreadable(f"A cell is longer than {MAX_CELL} characters.")
        body.append([cell.strip() for cell in (row + [""] * width)[:width]])
        numbers.append(first_number + offset)
        if len(body) > MAX_ROWS:
            raise unreadable(f"The file has more than {MAX_ROWS} rows; split it.")
    return body, numbers


def _last_used(row: list[str]) -> int:
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if row[i].strip()), 0)


def _width(header: list[str], rows: list[list[str]]) -> int:
    """Columns up to the last one with a name or a value (Excel keeps empty trailing columns)."""
    return max([_last_used(header), *(_last_used(row) for row in rows)])


def read(content: bytes, *, known: Callable[[str], bool], header_row: int | None = None) -> Sheet:
    """A sheet from an uploaded CSV or XLSX file (told apart by content, not by name).

    header_row (1-based) fixes the header found when the file was first read, so a job reading it
    again sees the same columns whatever custom fields were defined since.
    """
    if not content.strip():
        raise unreadable("The file is empty.")
    encoding = delimiter = None
    if content.startswith(XLSX_MAGIC):
        rows, file_format = read_xlsx(content), "xlsx"
    else:
        text, encoding = decode(content)
        if html_table(text):
            rows, file_format = read_html(text), "html"
        else:
            rows, delimiter = csv_rows(text)
            file_format = "csv"
    header_index = header_row - 1 if header_row else find_header(rows, known)
    if header_index >= len(rows):
        raise unreadable("The file has no rows.")
    data = rows[header_index + 1:]
    width = _width(rows[header_index], data)
    if width > MAX_COLUMNS:
        raise unreadable(f"The file has more than {MAX_COLUMNS} columns.")
    headers = _headers((rows[header_index] + [""] * width)[:width])
    body, numbers = _trimmed(data, width, header_index + 2)
    return Sheet(headers=headers, rows=body, file_format=file_format, encoding=encoding, delimiter=delimiter,
                 header_row=header_index + 1, numbers=numbers)
