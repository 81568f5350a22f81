"""A Berlin agency whose staff read the CRM in English chooses German for its documents in Settings -> Requisites
(German suggested, as its country's language, and chosen with "Use German"), and the invoice it then issues from a
deal is German, its number RE-."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_app import assert_no_problems
from tests.browser.test_eu_invoice import on_a_laptop
from tests.documents.test_documents import fetch, pdf_text
from tests.factories import signup
from tests.support import ApiClient, body


def test_a_german_company_chooses_german_and_its_invoice_is_german(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    agency = signup(client, company="Friedrichshain Design", country="DE", timezone="Europe/Berlin")
    token = agency.owner.token
    assert client.put("/api/v1/document-settings/requisites", {"version": 0, "legal_name": "Friedrichshain Design GmbH",
                                                               "tax_id": "DE312345678", "default_tax_rate": "19"},
                      token=token).status_code == 200
    deal = body(client.post("/api/v1/deals", {"title": "Website-Relaunch",
                                              "amount": {"minor": 123456, "currency": "EUR"}}, token=token))
    page = on_a_laptop(browser, live_url, agency.owner, "Friedrichshain Design", "/#/settings/requisites")
    language = page.get_by_label("Language of documents")
    # not chosen yet: the form shows what its documents print in today (English) and suggests German, one click away
    expect(language).to_have_value("en")
    expect(page.get_by_text("Not chosen yet")).to_be_visible()
    expect(page.get_by_label("Invoice number prefix")).to_have_value("INV")
    page.get_by_role("button", name="Use German").click()
    expect(language).to_have_value("de")
    expect(page.get_by_label("Invoice number prefix")).to_have_value("RE")
    language.select_option("en")  # the prefixes follow the language while they are its defaults
    expect(page.get_by_label("Invoice number prefix")).to_have_value("INV")
    language.select_option("de")
    expect(page.get_by_label("Quote number prefix")).to_have_value("AN")
    page.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").wait_for()
    saved = body(client.get("/api/v1/document-settings/requisites", token=token))
    assert saved["document_locale"] == "de" and saved["number_prefixes"]["invoice"] == "RE", saved
    # the web app itself stays in English
    expect(page.get_by_role("heading", name="Requisites")).to_be_visible()

    page.goto(f"/#/deals/{deal['id']}")
    panel = page.locator(".doc-panel")
    panel.locator("summary").click()
    panel.get_by_role("button", name="Create invoice").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"RE-\d{4}-0001$"), timeout=15_000)
    expect(dialog.locator("iframe.doc-frame")).to_be_attached()
    dialog.get_by_role("button", name="Close").click()
    made = body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=token))["items"]
    assert [d["locale"] for d in made] == ["de"]
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{made[0]['id']}/link", token=token))["url"]))
    for expected in (f"Rechnung Nr. {made[0]['number']}", "Rechnungsdatum:", "Leistungsdatum:",
                     "USt-IdNr. DE312345678", "Nettobetrag: 1.234,56 €", "zzgl. 19 % USt.: 234,57 €",
                     "Gesamtbetrag: 1.469,13 €"):
        assert expected in text, (expected, text)
    assert "Invoice" not in text and "Total" not in text, text

    # a template of its own starts from the German built-in one
    page.goto("/#/settings/documents")
    expect(page.get_by_label("Language of the built-in text")).to_have_value("de")
    expect(page.locator("textarea[name=body]")).to_have_value(re.compile("Gesamtbetrag"))
    assert_no_problems(page)
    page.context.close()
