"""Spreadsheet formulas in exported files (OWASP "CSV injection"): a value a customer or a colleague typed that
starts with = + - @, a tab or a carriage return never runs as a formula in Excel or LibreOffice."""

from __future__ import annotations

import csv
import io

from tests.events.conftest import Feed, feed  # noqa: F401 - the stream fixture, for these tests too
from tests.factories import signup
from tests.support import ApiClient

# Each start OWASP names, as a visitor's UTM source could carry it into the lead-sources report.
STARTS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
          "@SUM(1+1)*cmd|' /C calc'!A0", "\t=cmd|' /C calc'!A1", "\r=cmd|' /C calc'!A2", " =cmd|' /C calc'!A3"]


def _runs(cell: str) -> bool:
    """Whether a spreadsheet would take the cell for a formula (it starts with one of OWASP's characters)."""
    return cell.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_a_visitors_utm_source_is_no_formula_in_the_sources_report(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    """A tab, a carriage return or a space before the formula is trimmed on the way in, the rest is defused."""
    company = signup(client, company="Formulas")
    for source in STARTS:
        made = client.post("/api/v1/contacts", {"first_name": "Eve", "utm": {"source": source}},
                           token=company.owner.token)
        assert made.status_code == 201, made.body
    feed.deliver()
    text = client.get("/api/v1/reports/sources?format=csv", token=company.owner.token).body.decode()
    cells = [row["source"] for row in csv.DictReader(io.StringIO(text))]
    assert len(cells) == len(STARTS) and not any(_runs(cell) for cell in cells), cells


def test_every_export_cell_that_could_run_is_defused_and_a_phone_is_not() -> None:
    """The contacts', companies', deals' and segments' exports write through dataio.files: each OWASP start is
    prefixed in CSV (header cells too: a custom field's label), and XLSX cells are strings, never formulas."""
    import openpyxl

    from chalicelib.dataio import files

    owasp = [start for start in STARTS if not start.startswith(" ")]  # the characters OWASP names
    rows = [{"Name": start, "Phone": "+7 916 123-45-67; -1 (800) 555"} for start in owasp]
    text = files.write_csv(rows, ["Name", "Phone"], headings=["=label", "Phone"]).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["'=label", "Phone"]
    assert all(row[0].startswith("'") for row in read[1:]), read
    assert {row[1] for row in read[1:]} == {"+7 916 123-45-67; -1 (800) 555"}  # numbers stay numbers
    sheet = openpyxl.load_workbook(io.BytesIO(files.write_xlsx(rows, ["Name", "Phone"]))).active
    assert sheet is not None
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
