"""A car-repair shop moving from amoCRM imports its deals in Russian on a phone: the rows whose stage, contact, company
or amount the CRM cannot read say why in Russian (they read in English before), and the valid row is counted."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

DEALS = ("Название сделки;Контакт;Компания;Бюджет;Этап\n"
         "Замена масла;m.kuz@yandex.ru;;12 500;Переговоры\n"
         "Кузовной ремонт;m.kuz@yandex.ru;;45 000;Первичный контакт\n"
         "Шиномонтаж;volkov@mail.ru;;3000;Новая\n"
         "Диагностика;m.kuz@yandex.ru;Такси Невский;3000;Новая\n"
         "Покраска;m.kuz@yandex.ru;;много;Новая\n")


def test_an_amocrm_deals_file_says_in_russian_why_rows_cannot_be_imported(browser: Any, live_url: str, app: Any,
                                                                           screens: Screens) -> None:
    ensure_bucket()
    client = ApiClient(app)
    company = signup(client, company="Автосервис Нева", locale="ru", country="RU")
    made = client.post("/api/v1/contacts", {"first_name": "Мария", "emails": [{"address": "m.kuz@yandex.ru"}]},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Автосервис Нева")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/settings/data")
    page.get_by_label("Что").first.select_option("deal")
    page.get_by_label("Файл").set_input_files({"name": "amocrm_leads.csv", "mimeType": "text/csv",
                                               "buffer": DEALS.encode("cp1251")})
    page.get_by_role("button", name="Загрузить и проверить").click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    errors = preview.locator("table.row-errors")
    text = errors.inner_text()
    assert "В воронке нет этапа с таким названием" in text  # row 3: amoCRM's stage  # noqa: RUF001
    assert "Нет контакта с такой эл. почтой, телефоном или именем" in text  # row 4  # noqa: RUF001
    assert "Нет компании с таким названием или сайтом" in text  # row 5  # noqa: RUF001
    assert "Не сумма" in text  # row 6  # noqa: RUF001
    assert "No " not in text and "Not " not in text, text
    assert_fits_a_phone(page, screens, "amo-deals-preview")
    assert_no_problems(page)
    page.context.close()


def test_a_file_with_no_row_to_import_says_so_in_russian_and_starts_nothing(browser: Any, live_url: str, app: Any,
                                                                             screens: Screens) -> None:
    ensure_bucket()
    client = ApiClient(app)
    company = signup(client, company="Шиномонтаж Пустой", locale="ru", country="RU")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Шиномонтаж Пустой")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/settings/data")
    page.get_by_label("Файл").set_input_files({"name": "empty.csv", "mimeType": "text/csv",
                                               "buffer": "Имя;Телефон;Email\n;;\n;;\n".encode("cp1251")})
    page.get_by_role("button", name="Загрузить и проверить").click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    preview.get_by_role("button", name="Начать импорт").click()
    page.locator(".toast", has_text="Ни одну строку этого файла нельзя импортировать").wait_for()
    assert preview.is_visible()  # still there to be corrected, and no import listed as done
    assert body(client.get("/api/v1/imports", token=company.owner.token))["items"] == []
    screens.shoot(page, "nothing-to-import")
    page.context.close()
