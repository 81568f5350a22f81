"""Reading uploaded files: encodings, delimiters, header rows, XLSX, and files that are not tables."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from chalicelib.core import errors
from chalicelib.dataio import sheets

KNOWN = {"name", "phone", "email", "имя", "телефон", "почта"}


def read(content: bytes) -> sheets.Sheet:
    return sheets.read(content, known=lambda header: header.strip().lower() in KNOWN)


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_utf8_with_commas() -> None:
    sheet = read(b"Name,Phone,Email\nAnna Smith,+1 202 555 0147,anna@example.com\n")
    assert (sheet.file_format, sheet.encoding, sheet.delimiter) == ("csv", "utf-8", ",")
    assert sheet.headers == ["Name", "Phone", "Email"]
    assert sheet.rows == [["Anna Smith", "+1 202 555 0147", "anna@example.com"]]
    assert sheet.numbers == [2]


def test_russian_excel_export_cp1251_with_semicolons() -> None:
    text = "\r\n".join(["Имя;Телефон;Почта", "Иван Петров;8 (999) 123-45-67;ivan@example.ru",
                        "Ёлкин, Пётр;+79991234568;", ""])
    sheet = read(text.encode("cp1251"))
    assert (sheet.encoding, sheet.delimiter) == ("cp1251", ";")
    assert sheet.headers == ["Имя", "Телефон", "Почта"]
    assert sheet.rows[1] == ["Ёлкин, Пётр", "+79991234568", ""]  # a comma in a name does not split it


def test_utf8_with_bom_and_tabs() -> None:
    sheet = read("\ufeffName\tPhone\nAnna\t+1 202 555 0147\n".encode())
    assert (sheet.encoding, sheet.delimiter, sheet.headers) == ("utf-8-sig", "\t", ["Name", "Phone"])


def test_utf16_unicode_text_from_excel() -> None:
    text = "\r\n".join(["\t".join(["Имя", "Телефон"]), "\t".join(["Ольга", "+79990000000"]), ""])
    sheet = read(text.encode("utf-16"))
    assert (sheet.encoding, sheet.delimiter, sheet.rows) == ("utf-16", "\t", [["Ольга", "+79990000000"]])


def test_title_lines_before_the_header_and_blank_rows_are_skipped() -> None:
    text = "Contacts exported 01.02.2024;;\n;;\nName;Phone;Email\nAnna;+12025550147;a@example.com\n;;\nBob;;\n"
    sheet = read(text.encode())
    assert sheet.header_row == 3 and sheet.headers == ["Name", "Phone", "Email"]
    assert [row[0] for row in sheet.rows] == ["Anna", "Bob"]
    assert sheet.numbers == [4, 6]  # the rows as a spreadsheet numbers them


def test_quoted_cells_keep_delimiters_and_newlines() -> None:
    sheet = read(b'Name,Notes\n"Smith, Anna","line one\nline two"\n')
    assert sheet.rows == [["Smith, Anna", "line one\nline two"]]


def test_short_rows_are_padded_and_unnamed_columns_named() -> None:
    sheet = read(b"Name,,Phone\nAnna\nBob,x,+1\n")
    assert sheet.headers == ["Name", "Column 2", "Phone"]
    assert sheet.rows[0] == ["Anna", "", ""]


def test_duplicate_header_names_stay_distinct() -> None:
    assert read(b"Phone,Phone\n1,2\n").headers == ["Phone", "Phone (2)"]


def test_xlsx_cells_read_as_people_see_them() -> None:
    content = xlsx([["Report"], ["Name", "Phone", "Born", "Called at", "VIP"],
                    ["Anna", 79991234567, date(1990, 5, 17), datetime(2024, 1, 2, 3, 4, 5), True],
                    [None, None, None, None, None],
                    ["Bob", "+1 202 555 0147", None, None, False]])
    sheet = read(content)
    assert sheet.file_format == "xlsx" and sheet.header_row == 2
    assert sheet.rows == [["Anna", "79991234567", "1990-05-17", "2024-01-02T03:04:05", "true"],
                          ["Bob", "+1 202 555 0147", "", "", "false"]]
    assert sheet.numbers == [3, 5]


@pytest.mark.parametrize("content", [b"", b"   \n", b"PK\x03\x04not really a zip", b"\x00\x01\x02binary\x00"])
def test_files_that_are_not_tables_answer_422(content: bytes) -> None:
    with pytest.raises(errors.ValidationError) as raised:
        read(content)
    assert raised.value.code == "unreadable_file"


def test_too_many_rows_answer_422(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    with pytest.raises(errors.ValidationError):
        read(b"Name\n" + b"x\n" * 4)
    assert len(read(b"Name\n" + b"x\n" * 3).rows) == 3


def test_a_zip_bomb_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_XLSX_UNPACKED", 1000)
    with pytest.raises(errors.ValidationError):
        read(xlsx([["Name"], ["x" * 5000]]))
