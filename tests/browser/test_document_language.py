"""The documents' language on the screens where it is used. Settings -> Requisites shows the language documents
print in today and only suggests the country's ("Use German"), so a Berlin agency saving a new IBAN keeps its
documents' language; a new company starts at its country's. The deal card's and the order card's Documents panel
offer a language per document (default: the company's documents' language), and the document keeps it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_app import assert_no_problems
from tests.browser.test_eu_invoice import at_the_requisites, documents_panel, on_a_laptop
from tests.browser.test_sensitive import russian_phone
from tests.factories import signup
from tests.support import ApiClient, body

REQUISITES = "/api/v1/document-settings/requisites"


def _agency(client: ApiClient, name: str) -> Any:
    """A Berlin agency working in the app in English whose requisites were saved before it could choose a language."""
    agency = signup(client, company=name, country="DE", timezone="Europe/Berlin")
    assert client.put(REQUISITES, {"version": 0, "legal_name": f"{name} GmbH", "tax_id": "DE312345678",
                                   "iban": "DE89370400440532013000", "default_tax_rate": "19"},
                      token=agency.owner.token).status_code == 200
    return agency


def test_saving_a_new_iban_keeps_the_documents_language_and_german_is_one_click_away(
        browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    agency = _agency(client, "Prenzlauer Pixel")
    token = agency.owner.token
    page = on_a_laptop(browser, live_url, agency.owner, "Prenzlauer Pixel", "/#/settings/requisites")
    language = page.get_by_label("Language of documents")
    # the language its documents print in today, German only suggested
    expect(language).to_have_value("en")
    expect(page.get_by_text("in the app’s language, English, as before")).to_be_visible()  # noqa: RUF001
    offer = page.locator(".doc-language-offer")
    expect(offer).to_contain_text("Companies in your country usually send documents in German.")
    expect(page.get_by_label("Invoice number prefix")).to_have_value("INV")
    page.get_by_label("IBAN").fill("DE02120300000000202051")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".toast", has_text="Saved").wait_for()
    saved = body(client.get(REQUISITES, token=token))
    assert saved["iban"] == "DE02120300000000202051", saved
    assert saved["document_locale"] is None and saved["number_prefixes"]["invoice"] == "INV", saved

    page.reload()
    page.get_by_role("button", name="Use German").click()
    expect(page.get_by_label("Language of documents")).to_have_value("de")
    expect(page.get_by_label("Invoice number prefix")).to_have_value("RE")
    expect(page.locator(".doc-language-offer")).to_be_hidden()
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".toast", has_text="Saved").wait_for()
    saved = body(client.get(REQUISITES, token=token))
    assert saved["document_locale"] == "de" and saved["number_prefixes"]["invoice"] == "RE", saved
    assert_no_problems(page)
    page.context.close()


def test_a_new_company_starts_at_its_countrys_language_and_a_russian_one_reads_why(
        browser: Any, live_url: str, app: Any) -> None:
    client, _, page = at_the_requisites(browser, live_url, app, "Neukölln Neu")
    expect(page.get_by_label("Language of documents")).to_have_value("de")
    expect(page.get_by_text("Your company has issued no documents yet, so they start in German")).to_be_visible()
    expect(page.get_by_label("Invoice number prefix")).to_have_value("RE")
    assert_no_problems(page)
    page.context.close()

    # a Moscow salon working in Russian: its documents are Russian already, nothing to suggest
    salon = signup(client, company="Салон Сирень", locale="ru", country="RU", timezone="Europe/Moscow")
    assert client.put(REQUISITES, {"version": 0, "legal_name": "Сирень"}, token=salon.owner.token).status_code == 200
    page = russian_phone(browser, live_url, salon.owner, "Салон Сирень")
    page.goto("/#/settings/requisites")
    expect(page.get_by_label("Язык документов")).to_have_value("ru")
    expect(page.get_by_text("документы, как и раньше, пишутся на языке приложения — русский")).to_be_visible()
    expect(page.locator(".doc-language-offer")).to_have_count(0)
    assert_no_problems(page)
    page.context.close()


def test_the_deal_and_order_cards_issue_a_document_in_a_language_of_its_own(
        browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    agency = _agency(client, "Moabit Media")
    token = agency.owner.token
    settings = body(client.get(REQUISITES, token=token))
    assert client.put(REQUISITES, {"version": settings["version"], "legal_name": "Moabit Media GmbH",
                                   "document_locale": "de"}, token=token).status_code == 200
    deal = body(client.post("/api/v1/deals", {"title": "Relaunch", "amount": {"minor": 100000, "currency": "EUR"}},
                            token=token))
    contact = body(client.post("/api/v1/contacts", {"first_name": "Claire"}, token=token))
    made = body(client.post("/api/v1/orders", {"currency": "EUR", "contact_id": contact["id"], "lines": [
        {"description": "Hosting", "quantity": "1", "unit_price_minor": 5000, "tax_rate": "19"}]}, token=token))
    order = made.get("order", made)

    page = on_a_laptop(browser, live_url, agency.owner, "Moabit Media", f"/#/deals/{deal['id']}")
    panel = documents_panel(page)
    expect(panel.get_by_label("Language of the document")).to_have_value("de")  # the company's documents' language
    panel.get_by_label("Language of the document").select_option("en")  # to a French client
    panel.get_by_role("button", name="Create invoice").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"RE-\d{4}-0001$"), timeout=15_000)
    dialog.get_by_role("button", name="Close").click()
    issued = body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=token))["items"]
    assert [(d["locale"], d["number"][:3]) for d in issued] == [("en", "RE-")], issued  # the company's numbers
    expect(panel.locator(".doc-row")).to_contain_text("English")  # named: not the company's documents' language

    page.goto(f"/#/orders/{order['id']}")
    panel = page.locator(".doc-panel")
    panel.locator("summary").click()
    expect(panel.get_by_label("Language of the document")).to_have_value("de")
    panel.get_by_role("button", name="Create quote").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"AN-\d{4}-0001$"), timeout=15_000)
    dialog.get_by_role("button", name="Close").click()
    panel.get_by_label("Language of the document").select_option("en")
    panel.get_by_role("button", name="Create delivery note").click()
    expect(dialog.locator("h2")).to_have_text(re.compile(r"LS-\d{4}-0001$"), timeout=15_000)
    dialog.get_by_role("button", name="Close").click()
    issued = body(client.get(f"/api/v1/orders/{order['id']}/documents", token=token))["items"]
    assert [(d["type"], d["locale"]) for d in issued] == [("quote", "de"), ("delivery_note", "en")], issued
    assert_no_problems(page)
    page.context.close()
