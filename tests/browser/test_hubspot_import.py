"""An Austin HVAC installer leaving HubSpot's free CRM previews its deals export: the associated contact taken as the
deal's contact, "Closed Won" suggested as the pipeline's won stage, HubSpot's "Sales Pipeline" named as going to the
pipeline chosen here, and the columns no field holds ("Record ID") kept in the record's note, where before the
screen offered only to skip them. On a phone and a laptop, in English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient

DEALS = ("Record ID,Deal Name,Pipeline,Deal Stage,Amount,Associated Contact\n"
         "7001,Rooftop unit replacement,Sales Pipeline,Closed Won,18450.00,"
         "Maria Gonzalez (maria.gonzalez@bartoncreekdental.example)\n")
LAPTOP = {"width": 1280, "height": 800}



def _previewed(browser: Any, live_url: str, app: Any, viewport: dict[str, int], entity: str, filename: str,
               text: str, before: Callable[[ApiClient, Company], None] | None = None) -> tuple[Any, Any]:
    """An Austin HVAC company's owner uploads a HubSpot export on Settings → Data; the page and its preview."""
    ensure_bucket()
    client = ApiClient(app)
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    if before is not None:
        before(client, company)
    page = new_page(browser, live_url, viewport=viewport)
    log_in(page, company.owner, "Lone Star Air")
    page.goto("/#/settings/data")
    page.get_by_label("What").first.select_option(entity)
    page.get_by_label("File").set_input_files({"name": filename, "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Upload and preview").click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    return page, preview

@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_hubspot_deals_preview_keeps_what_no_field_holds_and_maps_its_closed_stage(
        browser: Any, live_url: str, app: Any, screens: Screens, viewport: dict[str, int]) -> None:
    def known_customer(client: ApiClient, company: Company) -> None:
        made = client.post("/api/v1/contacts", {"first_name": "Maria", "last_name": "Gonzalez", "emails": [
            {"address": "maria.gonzalez@bartoncreekdental.example"}]}, token=company.owner.token)
        assert made.status_code == 201, made.body

    page, preview = _previewed(browser, live_url, app, viewport, "deal", "hubspot-crm-exports-all-deals.csv", DEALS,
                               known_customer)
    chosen = preview.locator("select[data-column] option:checked")
    assert chosen.all_inner_texts() == ["— in a note —", "Title", "Pipeline", "Stage", "Amount",
                                        "Contact"]
    assert preview.locator("select[data-stage='Closed Won'] option:checked").inner_text() == "Won"
    problems = preview.locator("table.row-errors").inner_text()
    assert "the deal goes to the pipeline chosen for the import" in problems, problems
    if viewport is PHONE:
        assert_fits_a_phone(page, screens, "hubspot-deals-preview")
    else:
        screens.shoot(page, "hubspot-deals-preview")
    assert_no_problems(page)
    page.context.close()


CONTACTS = ("Record ID,First Name,Last Name,Email,Lead Status,Create Date,Last Activity Date,Marketing contact status\n"
            "51001,Maria,Gonzalez,maria.gonzalez@bartoncreekdental.example,Connected,2026-03-04 10:15,"
            "10/28/2026 16:20,Marketing contact\n")


def test_the_first_rows_keep_the_note_of_unmapped_columns_readable_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    """The note of a HubSpot contact's unmapped columns, in a column of a few letters, made each of the first rows
    some 600 px tall on a phone; it reads now a line a column."""
    page, preview = _previewed(browser, live_url, app, PHONE, "contact", "hubspot-crm-exports-all-contacts.csv",
                               CONTACTS)
    note = preview.locator("td.sample-notes")
    assert note.inner_text().splitlines() == [
        "Record ID: 51001", "Lead Status: Connected", "Create Date: 2026-03-04 10:15",
        "Last Activity Date: 10/28/2026 16:20", "Marketing contact status: Marketing contact"]
    assert note.bounding_box()["height"] < 240  # some 600 px before
    assert_fits_a_phone(page, screens, "hubspot-contacts-preview")
    assert_no_problems(page)
    page.context.close()
