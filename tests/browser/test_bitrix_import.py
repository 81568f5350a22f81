# ruff: noqa: RUF001
"""A Yekaterinburg fastener wholesaler leaving Bitrix24 chooses its "Экспорт в Excel" file (contacts.xls, an HTML
table) on Settings → Data, in Russian, on a phone and on a laptop: the file picker offers it, the hint names it, and
its contacts come over with their e-mails."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.dataio.test_bitrix import bitrix_excel
from tests.factories import signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

LAPTOP = {"width": 1280, "height": 800}
EXCEL = bitrix_excel(["ID", "Имя", "Фамилия", "Отчество", "Мобильный телефон", "Рабочий e-mail", "Компания"],
                     ["101", "Сергей", "Волков", "Петрович", "+7 912 600-11-22", "volkov@stroymontazh.ru",
                      'ООО "СтройМонтаж"'])


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_bitrix24_s_excel_export_is_chosen_and_imported_in_russian(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens, viewport: dict[str, int]) -> None:
    ensure_bucket()
    client = ApiClient(app)
    name = f"УралКрепёж {viewport['width']}"
    company = signup(client, company=name, locale="ru", country="RU")
    page = new_page(browser, live_url, viewport=viewport)
    log_in(page, company.owner, name)
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/settings/data")
    picker = page.get_by_label("Файл")
    assert ".xls" in (picker.get_attribute("accept") or "").split(",")
    assert "Битрикс24" in page.locator("form", has=picker).inner_text()
    picker.set_input_files({"name": "contacts.xls", "mimeType": "application/vnd.ms-excel",
                            "buffer": EXCEL.encode("utf-8")})
    page.get_by_role("button", name="Загрузить и проверить").click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    mapped = preview.locator("select[data-column='Рабочий e-mail'] option:checked").inner_text()
    assert mapped == "Эл. почта"
    if viewport is PHONE:
        fits_the_phone(page, screens, "bitrix-excel-preview")
    from tests.browser.test_data import run_dataio_jobs

    preview.get_by_role("button", name="Начать импорт").click()
    progress = page.locator('[data-test="import-progress"]')
    progress.wait_for()
    run_dataio_jobs()
    progress.get_by_text("Готово", exact=True).wait_for(timeout=15_000)
    assert re.search(r"Создано\s*1", progress.inner_text()), progress.inner_text()
    found = body(client.get("/api/v1/contacts?q=volkov@stroymontazh.ru", token=company.owner.token))["items"]
    assert [c["email"] for c in found] == ["volkov@stroymontazh.ru"]
    assert_no_problems(page)
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_client_company_s_e_mail_shows_and_its_switchboard_is_added_on_its_card(
        browser: Any, live_url: str, app: Any, screens: Screens, viewport: dict[str, int]) -> None:
    """The imported client's "Рабочий e-mail" was nowhere on its card, and a client company's switchboard number
    could not be added or changed in the web app at all (so its calls found nobody)."""
    client = ApiClient(app)
    name = f"УралКрепёж Карточка {viewport['width']}"
    company = signup(client, company=name, locale="ru", country="RU")
    token = company.owner.token
    firm = body(client.post("/api/v1/companies", {"name": "ООО «СтройМонтаж»",
                                                  "emails": [{"address": "info@stroymontazh.ru"}]}, token=token))
    page = new_page(browser, live_url, viewport=viewport)
    log_in(page, company.owner, name)
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/companies/{firm['id']}")
    props = page.locator("dl.props")
    props.get_by_text("info@stroymontazh.ru").wait_for()
    page.get_by_text("Изменить", exact=True).first.click()
    page.get_by_label("Телефон 1", exact=True).fill("+7 (343) 310-20-30")
    page.get_by_label("Эл. почта 2", exact=True).fill("buh@stroymontazh.ru")
    page.get_by_role("button", name="Сохранить").click()
    props.get_by_text("+7 343 310-20-30").wait_for()
    saved = body(client.get(f"/api/v1/companies/{firm['id']}", token=token))
    assert [(p["number"], p["kind"]) for p in saved["phones"]] == [("+73433102030", "work")]
    assert [e["address"] for e in saved["emails"]] == ["info@stroymontazh.ru", "buh@stroymontazh.ru"]
    if viewport is PHONE:
        fits_the_phone(page, screens, "company-card-emails")
    assert_no_problems(page)
    page.context.close()
