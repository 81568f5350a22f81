"""A Berlin agency invoices a French client under the reverse charge: the client's VAT ID on the company card (in
English, and as a Russian buyer's ИНН in Russian), and on the deal's documents panel the date of supply and the VAT
treatment its invoice is issued with."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in, russian_phone
from tests.factories import signup
from tests.support import ApiClient, body

WIDE = {"width": 1280, "height": 900}


def test_the_company_card_keeps_the_clients_vat_id_in_english_and_the_inn_in_russian(
        browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    agency = signup(client, company="Spreeblick Digital", country="DE", timezone="Europe/Berlin")
    firm = body(client.post("/api/v1/companies", {"name": "Atelier Lumière SARL"}, token=agency.owner.token))
    page = new_page(browser, live_url, viewport=WIDE)
    log_in(page, agency.owner, "Spreeblick Digital")
    page.goto(f"/#/companies/{firm['id']}")
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("VAT ID / tax number").fill(" FR40303265045 ")
    page.get_by_role("button", name="Save").click()
    facts = page.locator("dl.props").first
    expect(facts).to_contain_text("VAT ID / tax number")
    expect(facts).to_contain_text("FR40303265045")
    assert body(client.get(f"/api/v1/companies/{firm['id']}", token=agency.owner.token))["tax_number"] == \
        "FR40303265045"
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("VAT ID / tax number").fill("FR!")  # not a VAT ID: said at the field, nothing saved
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("VAT ID / tax number")).to_have_attribute("aria-invalid", "true")
    assert body(client.get(f"/api/v1/companies/{firm['id']}", token=agency.owner.token))["tax_number"] == \
        "FR40303265045"
    assert_no_problems(page)
    page.context.close()

    salon = signup(client, company="Салон Лилия", locale="ru", country="RU", timezone="Europe/Moscow")
    buyer = body(client.post("/api/v1/companies", {"name": "ООО Лютик"}, token=salon.owner.token))  # noqa: RUF001
    page = russian_phone(browser, live_url, salon.owner, "Салон Лилия")
    page.goto(f"/#/companies/{buyer['id']}")
    page.locator("summary", has_text="Изменить").click()
    page.get_by_label("ИНН", exact=True).fill("1655123456")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("dl.props").first).to_contain_text("1655123456")
    assert body(client.get(f"/api/v1/companies/{buyer['id']}", token=salon.owner.token))["tax_number"] == \
        "1655123456"
    assert_no_problems(page)
    page.context.close()


def test_the_default_vat_rate_is_set_in_the_requisites_in_english_and_russian(
        browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    agency = signup(client, company="Kreuzberg Studio", country="DE", timezone="Europe/Berlin")
    page = new_page(browser, live_url, viewport=WIDE)
    log_in(page, agency.owner, "Kreuzberg Studio")
    page.goto("/#/settings/requisites")
    page.get_by_label("Legal name").fill("Kreuzberg Studio GmbH")
    rate = page.get_by_label("Default VAT rate, %")
    rate.fill("19,5%")  # a comma and a percent sign as people type them
    page.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").wait_for()
    assert body(client.get("/api/v1/document-settings/requisites",
                           token=agency.owner.token))["default_tax_rate"] == "19.5"
    rate.fill("19.0001")  # a fourth decimal: said at the field, the rate kept
    page.get_by_role("button", name="Save").click()
    expect(rate).to_have_attribute("aria-invalid", "true")
    assert body(client.get("/api/v1/document-settings/requisites",
                           token=agency.owner.token))["default_tax_rate"] == "19.5"
    assert_no_problems(page)
    page.context.close()

    salon = signup(client, company="Салон Роза", locale="ru", country="RU", timezone="Europe/Moscow")
    page = russian_phone(browser, live_url, salon.owner, "Салон Роза")
    page.goto("/#/settings/requisites")
    page.get_by_label("Ставка НДС по умолчанию, %").fill("20")
    page.get_by_role("button", name="Сохранить").click()
    page.locator(".toast", has_text="Сохранено").wait_for()
    assert body(client.get("/api/v1/document-settings/requisites",
                           token=salon.owner.token))["default_tax_rate"] == "20"
    assert_no_problems(page)
    page.context.close()
