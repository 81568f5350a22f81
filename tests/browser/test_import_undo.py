"""Undoing a whole import from Settings → Data (#20 item 17): a wrong import of many rows is one click, confirmed,
its progress shown; the contacts it made go to the trash and the ones made by hand stay. The import is found again in
the list of recent imports after the user has left the screen. On a phone and a laptop, in English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up
from tests.browser.test_data import run_dataio_jobs
from tests.seeds.dataio import ensure_bucket

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
CSV = ("First name,Last name,Phone\n" + "".join(f"Guest{n},Wrongcolumn,+1 415 555 {n:04d}\n" for n in range(1, 41))
       + ",,not-a-phone\n")  # nothing but a bad phone: the row fails, saying the phone is why
TEXT = {
    "en": {"settings": "Settings", "file": "File", "upload": "Upload and preview", "start": "Start import",
           "done": "Done", "undo": "Undo this import", "undone": "Import undone: 40 records moved to the trash.",
           "contacts": "Contacts", "first_name": "First name", "bad_phone": "Not a valid phone number", "row": "row",
           "made": "40 created", "failed": "1 with an error", "open": "Open the import of guests.csv",
           "undone_badge": "Undone"},
    "ru": {"settings": "Настройки", "file": "Файл", "upload": "Загрузить и проверить", "start": "Начать импорт",
           "done": "Готово", "undo": "Отменить этот импорт", "undone": "Импорт отменён: 40 записей в корзине.",
           "contacts": "Контакты", "first_name": "Имя", "bad_phone": "Неверный номер телефона", "row": "строка",
           "made": "40 создано", "failed": "1 с ошибкой", "open": "Открыть импорт файла guests.csv",  # noqa: RUF001
           "undone_badge": "Отменён"},
}


@pytest.mark.parametrize(("size", "lang"), [("laptop", "en"), ("phone", "ru")])
def test_a_wrong_import_is_undone_in_one_click(browser: Any, live_url: str, screens: Screens, size: str,
                                               lang: str) -> None:
    ensure_bucket()
    text = TEXT[lang]
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    sign_up(page, company="Undo Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    open_screen(page, "/contacts", text["contacts"])
    page.locator("main form[aria-label] input[name=first_name]").fill("Kept")
    page.locator("main form[aria-label] button[type=submit]").last.click()
    page.locator("#page-title", has_text="Kept").wait_for()

    open_screen(page, "/settings/data", text["settings"])
    page.get_by_label(text["file"], exact=True).set_input_files(
        {"name": "guests.csv", "mimeType": "text/csv", "buffer": CSV.encode()})
    page.get_by_role("button", name=text["upload"]).click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    # the CRM's fields by their names in the reader's language (not first_name, phone), the bad row's problem too
    assert preview.locator("select[data-column='First name'] option:checked").inner_text() == text["first_name"]
    assert "first_name" not in preview.inner_text()
    assert text["bad_phone"] in preview.locator(".row-errors").inner_text()
    assert preview.locator("table").last.locator("thead th").first.inner_text().lower() == text["row"]
    preview.get_by_role("button", name=text["start"]).click()
    progress = page.locator('[data-test="import-progress"]')
    progress.wait_for()
    run_dataio_jobs()
    progress.get_by_text(text["done"], exact=True).wait_for(timeout=15_000)

    # Leaving the screen and coming back, the import is found in the list of recent imports, opened from there
    open_screen(page, "/contacts", text["contacts"])
    open_screen(page, "/settings/data", text["settings"])
    listed = page.locator('[data-test="import-list"] li', has_text="guests.csv")
    assert text["made"] in listed.inner_text() and text["failed"] in listed.inner_text(), listed.inner_text()
    listed.get_by_role("button", name=text["open"]).click()
    detail = page.locator('[data-test="import-detail"]')
    assert text["bad_phone"] in detail.locator(".row-errors").inner_text()
    detail.get_by_role("button", name=text["undo"]).click()
    page.locator("dialog[open]").get_by_role("button", name=text["undo"]).click()  # confirmed
    page.locator('[data-test="undo-status"]').wait_for()
    run_dataio_jobs()
    page.locator('[data-test="undo-status"]', has_text=text["undone"]).wait_for(timeout=15_000)
    listed.locator(".badge", has_text=text["undone_badge"]).wait_for()  # the list says so too
    if size == "phone":
        assert_fits_a_phone(page, screens, lang)
    else:
        screens.shoot(page, lang)

    open_screen(page, "/contacts", text["contacts"])
    page.locator(".contact-list a", has_text="Kept").wait_for()
    assert page.locator(".contact-list li", has_text="Wrongcolumn").count() == 0
    assert_no_problems(page)
    page.context.close()
