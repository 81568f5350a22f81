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
