"""A London office supplier leaving Pipedrive sees, in the preview of its deals export, the status column taken as the
deal's status beside its stage column, and what the import does for its rows: a lost deal without a reason kept
with a neutral one, a contact named otherwise found by the row's e-mail. On a laptop in English, on a phone in
Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient

DEALS = ('"Deal - Title","Deal - Contact person","Deal - Stage","Deal - Status","Deal - Lost reason",'
         '"Person - Email"\n'
         '"Toner","Dr Raj Patel","Negotiation","won","","raj.patel@blackfriars.example"\n'
         '"Chairs","Raj Patel","Qualified","lost","","raj.patel@blackfriars.example"\n')
TEXT = {
    "en": {"what": "What", "deals": "deal", "file": "File", "upload": "Upload and preview",
           "status": "Status (open, won or lost)", "lost": "A lost deal without a reason", "found": "No one contact"},
    "ru": {"what": "Что", "deals": "deal", "file": "Файл", "upload": "Загрузить и проверить",
           "status": "Статус (открыта, выиграна или проиграна)", "lost": "Проигранная сделка без причины",
           "found": "Нет единственного контакта"},
}
LAPTOP = {"width": 1366, "height": 800}


@pytest.mark.parametrize(("viewport", "lang"), [(LAPTOP, "en"), (PHONE, "ru")])
def test_a_pipedrive_deals_preview_shows_their_status_and_what_becomes_of_their_rows(
        browser: Any, live_url: str, app: Any, screens: Screens, viewport: dict[str, int], lang: str) -> None:
    ensure_bucket()
    client = ApiClient(app)
    company = signup(client, company="Thames Office Supplies Ltd", country="GB", timezone="Europe/London")
    made = client.post("/api/v1/contacts", {"first_name": "Raj", "last_name": "Patel", "emails": [
        {"address": "raj.patel@blackfriars.example"}]}, token=company.owner.token)
    assert made.status_code == 201, made.body
    text = TEXT[lang]
    page = new_page(browser, live_url, viewport=viewport)
    log_in(page, company.owner, "Thames Office Supplies Ltd")
    page.get_by_label("Language", exact=True).select_option(lang)
    page.goto("/#/settings/data")
    page.get_by_label(text["what"]).first.select_option(text["deals"])
    page.get_by_label(text["file"]).set_input_files({"name": "deals-pipedrive.csv", "mimeType": "text/csv",
                                                     "buffer": DEALS.encode()})
    page.get_by_role("button", name=text["upload"]).click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    assert preview.locator("select[data-column='Deal - Status'] option:checked").inner_text() == text["status"]
    problems = preview.locator("table.row-errors").inner_text()
    assert text["lost"] in problems and text["found"] in problems, problems
    if viewport is PHONE:
        assert_fits_a_phone(page, screens, "pipedrive-deals-preview")
    else:
        screens.shoot(page, "pipedrive-deals-preview")
    assert_no_problems(page)
    page.context.close()
