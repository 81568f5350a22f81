"""A car-repair shop moving from amoCRM imports its deals and contacts in Russian on a phone: the rows whose stage,
contact, company or amount the CRM cannot read say why in Russian (they read in English before), the valid row is
counted, and amoCRM's contacts export comes over whole (names, every phone and e-mail, the extension said)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PHONE, Screens, assert_fits_a_phone, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

DEALS = ("Название сделки;Контакт;Компания;Бюджет;Этап\n"
         "Замена масла;m.kuz@yandex.ru;;12 500;Переговоры\n"
         "Кузовной ремонт;m.kuz@yandex.ru;;45 000;Первичный контакт\n"
         "Шиномонтаж;volkov@mail.ru;;3000;Новая\n"
         "Диагностика;m.kuz@yandex.ru;Такси Невский;3000;Новая\n"
         "Покраска;m.kuz@yandex.ru;;много;Новая\n")


def _russian(app: Any, name: str) -> tuple[ApiClient, Company]:
    """A Russian car-repair shop of that name, with the bucket its files go to."""
    ensure_bucket()
    client = ApiClient(app)
    return client, signup(client, company=name, locale="ru", country="RU")


def _upload(browser: Any, live_url: str, company: Company, name: str, filename: str, content: bytes, *,
            kind: str | None = None) -> Any:
    """The owner's phone, in Russian, on Settings → Data with the file uploaded for its preview."""
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, name)
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/settings/data")
    if kind:
        page.get_by_label("Что").first.select_option(kind)
    page.get_by_label("Файл").set_input_files({"name": filename, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Загрузить и проверить").click()
    return page


def _imported(page: Any) -> Any:
    """The previewed file imported to its end (the import's jobs run as the schedule would): its progress panel."""
    from tests.browser.test_data import run_dataio_jobs

    page.get_by_role("button", name="Начать импорт").click()
    progress = page.locator('[data-test="import-progress"]')
    progress.wait_for()
    run_dataio_jobs()
    progress.get_by_text("Готово", exact=True).wait_for(timeout=15_000)
    return progress


def test_an_amocrm_deals_file_says_in_russian_why_rows_cannot_be_imported(browser: Any, live_url: str, app: Any,
                                                                           screens: Screens) -> None:
    client, company = _russian(app, "Автосервис Нева")
    made = client.post("/api/v1/contacts", {"first_name": "Мария", "emails": [{"address": "m.kuz@yandex.ru"}]},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    page = _upload(browser, live_url, company, "Автосервис Нева", "amocrm_leads.csv",
                   DEALS.encode("cp1251"), kind="deal")
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
    client, company = _russian(app, "Шиномонтаж Пустой")
    page = _upload(browser, live_url, company, "Шиномонтаж Пустой", "empty.csv",
                   "Имя;Телефон;Email\n;;\n;;\n".encode("cp1251"))
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    preview.get_by_role("button", name="Начать импорт").click()
    page.locator(".toast", has_text="Ни одну строку этого файла нельзя импортировать").wait_for()
    assert preview.is_visible()  # still there to be corrected, and no import listed as done
    assert body(client.get("/api/v1/imports", token=company.owner.token))["items"] == []
    screens.shoot(page, "nothing-to-import")
    page.context.close()


AMO_STAGES = ("Название сделки;Бюджет;Этап;Ответственный;Email\n"
              "Замена масла;12 500;Переговоры;;new@mail.ru\n"
              "Кузовной ремонт;45 000;Первичный контакт;;\n"
              "Шиномонтаж;3000;Принимают решение;Никто Никтоев;\n"
              "Диагностика;3000;Успешно реализовано;;\n")


def test_an_amocrm_deals_file_maps_its_stages_to_the_pipelines_on_a_phone(browser: Any, live_url: str, app: Any,
                                                                         screens: Screens) -> None:
    client, company = _russian(app, "Автосервис Этапы")
    sales = body(client.get("/api/v1/pipelines", token=company.owner.token))["items"][0]
    stage = {s["name"]: s["id"] for s in sales["stages"]}
    page = _upload(browser, live_url, company, "Автосервис Этапы", "amocrm_leads.csv",
                   AMO_STAGES.encode("cp1251"), kind="deal")
    mapping = page.locator('[data-test="stage-mapping"]')
    mapping.wait_for()
    # each stage of the file, pre-filled where the pipeline has its name or it is amoCRM's won stage
    assert page.get_by_label("Этап для Переговоры").input_value() == stage["Переговоры"]
    assert page.get_by_label("Этап для Успешно реализовано").input_value() == stage["Успешно"]
    assert page.get_by_label("Этап для Первичный контакт").input_value() == ""
    assert "В воронке нет этапа с таким названием" in page.locator("table.row-errors").inner_text()  # noqa: RUF001
    assert_fits_a_phone(page, screens, "amo-stage-mapping")
    page.get_by_label("Этап для Первичный контакт").select_option(stage["Новая"])
    page.get_by_label("Этап для Принимают решение").select_option(stage["Квалификация"])
    progress = _imported(page)
    assert re.search(r"Создано\s*4", progress.inner_text()), progress.inner_text()
    # a responsible person who is nobody in the company: the deal is the importer's, and the row says so
    assert "Нет активного сотрудника с такой почтой или именем" in progress.inner_text()  # noqa: RUF001
    # a contact's e-mail that finds nobody: the deal is made without a contact, and the row says so
    assert "Нет контакта с таким телефоном или почтой" in progress.inner_text()  # noqa: RUF001
    deals = body(client.get(f"/api/v1/deals?owner_id={company.owner.user_id}&limit=50", token=company.owner.token))
    assert {d["title"]: d["stage_id"] for d in deals["items"]} == {
        "Замена масла": stage["Переговоры"], "Кузовной ремонт": stage["Новая"],
        "Шиномонтаж": stage["Квалификация"], "Диагностика": stage["Успешно"]}
    assert_no_problems(page)
    page.context.close()


def test_an_amocrm_contacts_export_comes_over_whole_on_a_phone_in_russian(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    from tests.dataio.test_amo_contacts import AMO_CONTACTS

    client, company = _russian(app, "Автосервис Контакты")
    car = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "car", "label": "Марка автомобиля",
                                                "type": "text"}, token=company.owner.token)
    assert car.status_code == 201, car.body
    page = _upload(browser, live_url, company, "Автосервис Контакты", "amocrm_contacts.csv",
                   AMO_CONTACTS.encode("utf-8-sig"))
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()

    def mapped(column: str) -> str:
        return str(preview.locator(f"select[data-column='{column}'] option:checked").inner_text())

    # the whole name under amoCRM's "Имя" (no "Фамилия" column), its e-mail columns, the company's own field by name
    assert [mapped(c) for c in ("Имя", "Рабочий email", "Личный email", "Марка автомобиля", "Примечание")] == [
        "Полное имя", "Эл. почта", "Эл. почта", "Доп. поле «Марка автомобиля»", "Примечания (каждое — заметка в ленте)"]
    errors = preview.locator("table.row-errors").inner_text()
    assert "Добавочный не сохранён" in errors and "В файле: +7 495 123-45-00 доб. 12" in errors, errors  # noqa: RUF001
    assert "extension" not in errors
    sample = preview.locator("table").last.inner_text()  # the first rows as the card will show them
    assert "+7 495 123-45-00, +7 916 555-00-00, +7 903 111-22-00" in sample and "+7495" not in sample, sample
    assert_fits_a_phone(page, screens, "amo-contacts-preview")
    progress = _imported(page)
    assert re.search(r"Создано\s*30", progress.inner_text()), progress.inner_text()
    assert "В файле: +7 495 123-45-00 доб. 12" in progress.locator("table.row-errors").inner_text()  # noqa: RUF001
    found = body(client.get("/api/v1/contacts?q=%2B74951234500", token=company.owner.token))["items"]
    assert [(c["first_name"], c["last_name"]) for c in found] == [("Иван", "Петров")]
    page.goto(f"/#/contacts/{found[0]['id']}")
    page.locator("#page-title", has_text="Иван Петров").wait_for()
    card = page.locator("main").inner_text()
    assert all(number in card for number in ("+7 495 123-45-00", "+7 916 555-00-00", "+7 903 111-22-00")), card
    assert "c0@yandex.ru" in card and "Лада Веста" in card
    # at the brief's 390 px the card scrolls only downwards (at 360 px it does not yet: a long field label beside a
    # phone with its WA/TG links, the contact card's own layout)
    fits_the_phone(page, screens, "amo-contact-card")
    assert_no_problems(page)
    page.context.close()


COMBINED = ("Тип;Название;Имя;Телефон;Примечание\n"
            "Контакт;;Иван Петров;+7 916 123-45-67 (моб);Звонить после 18:00\n"
            "Компания;ООО Такси Невский;;8 (812) 123-45-67 раб.;\n"  # noqa: RUF001
            "Контакт;;Мария Кузнецова;+7 916 765-43-21 (только WhatsApp);\n")


def test_a_combined_amocrm_export_says_in_russian_which_rows_are_companies(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    client, company = _russian(app, "Автосервис Смешанный")
    page = _upload(browser, live_url, company, "Автосервис Смешанный", "amocrm_export.csv",
                   COMBINED.encode("utf-8-sig"))
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    assert preview.locator("select[data-column='Тип'] option:checked").inner_text() == "Тип (контакт или компания)"
    errors = preview.locator("table.row-errors").inner_text()
    # the company's row is not made a contact, and says what to do; a remark that is no kind of phone is named
    assert "Это компания: импортируйте этот файл ещё раз как компании" in errors, errors
    assert "Пометка после номера не сохранена" in errors, errors
    assert "В файле: +7 916 765-43-21 (только WhatsApp)" in errors, errors  # noqa: RUF001
    assert "company" not in errors and "remark" not in errors
    assert_fits_a_phone(page, screens, "amo-combined-preview")
    progress = _imported(page)
    assert re.search(r"Создано\s*2", progress.inner_text()), progress.inner_text()
    found = body(client.get("/api/v1/contacts?q=%2B79161234567", token=company.owner.token))["items"]
    page.goto(f"/#/contacts/{found[0]['id']}")
    page.locator("#page-title", has_text="Иван Петров").wait_for()
    page.get_by_text("Звонить после 18:00").first.wait_for()  # the file's note, on the contact's timeline
    assert_no_problems(page)
    page.context.close()
