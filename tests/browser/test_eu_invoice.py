"""A Berlin agency invoices a French client under the reverse charge: the client's VAT ID on the company card (in
English, and as a Russian buyer's ИНН in Russian), and on the deal's documents panel the date of supply and the VAT
treatment its invoice is issued with."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_calls import S3_LINK, recording_from_s3
from tests.browser.test_sensitive import log_in, russian_phone
from tests.factories import signup
from tests.support import ApiClient, body

WIDE = {"width": 1280, "height": 900}


def on_a_laptop(browser: Any, live_url: str, member: Any, company: str, path: str) -> Any:
    """The member signed in on a 1280 px laptop at path, documents' PDFs read from the embedded S3."""
    page = new_page(browser, live_url, viewport=WIDE)
    page.route(S3_LINK, recording_from_s3)
    log_in(page, member, company, at=path.removeprefix("/#"))  # the app opened there, not on #/tasks first
    return page


def at_the_requisites(browser: Any, live_url: str, app: Any, name: str) -> tuple[ApiClient, Any, Any]:
    """A new Berlin agency, its API client, and its owner at Settings -> Requisites on a laptop."""
    client = ApiClient(app)
    agency = signup(client, company=name, country="DE", timezone="Europe/Berlin")
    return client, agency, on_a_laptop(browser, live_url, agency.owner, name, "/#/settings/requisites")


def documents_panel(page: Any) -> Any:
    """The card's Documents panel, opened."""
    panel = page.locator(".doc-panel")
    panel.locator("summary").click()
    return panel


def test_the_company_card_keeps_the_clients_vat_id_in_english_and_the_inn_in_russian(
        browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    agency = signup(client, company="Spreeblick Digital", country="DE", timezone="Europe/Berlin")
    firm = body(client.post("/api/v1/companies", {"name": "Atelier Lumière SARL"}, token=agency.owner.token))
    page = on_a_laptop(browser, live_url, agency.owner, "Spreeblick Digital", f"/#/companies/{firm['id']}")
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
    client, agency, page = at_the_requisites(browser, live_url, app, "Kreuzberg Studio")
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


def agency_with_a_deal(client: ApiClient, name: str, tax_number: str | None) -> tuple[Any, dict[str, Any]]:
    """A Berlin agency with its requisites and a deal of EUR 1,000.00 for a French client (its VAT ID, if any)."""
    agency = signup(client, company=name, country="DE", timezone="Europe/Berlin")
    token = agency.owner.token
    assert client.put("/api/v1/document-settings/requisites", {"version": 0, "legal_name": f"{name} GmbH",
                                                               "tax_id": "DE312345678"}, token=token).status_code == 200
    firm = body(client.post("/api/v1/companies", {"name": "Atelier Lumière SARL", "tax_number": tax_number},
                            token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Website relaunch", "company_id": firm["id"],
                                              "amount": {"minor": 100000, "currency": "EUR"}}, token=token))
    return agency, deal


def issued_documents(client: ApiClient, agency: Any, deal: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=agency.owner.token))["items"])


def test_an_invoice_is_issued_with_its_date_of_supply_from_the_deal_card(browser: Any, live_url: str,
                                                                          app: Any) -> None:
    client = ApiClient(app)
    agency, deal = agency_with_a_deal(client, "Mitte Media", "FR40303265045")
    page = on_a_laptop(browser, live_url, agency.owner, "Mitte Media", f"/#/deals/{deal['id']}")
    panel = documents_panel(page)
    expect(panel.locator(".doc-list")).to_contain_text("No documents yet.")
    panel.get_by_label("Date of supply").fill("2026-11-30")
    panel.get_by_role("button", name="Create invoice").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"^Invoice INV-\d{4}-0001$"), timeout=15_000)
    dialog.get_by_role("button", name="Close").click()
    assert [d["supply_date"] for d in issued_documents(client, agency, deal)] == ["2026-11-30"]
    assert_no_problems(page)
    page.context.close()


def test_a_reverse_charge_and_an_exemption_are_chosen_on_the_deal_card(browser: Any, live_url: str,
                                                                         app: Any) -> None:
    client = ApiClient(app)
    agency, deal = agency_with_a_deal(client, "Prenzlauer Pixel", None)
    page = on_a_laptop(browser, live_url, agency.owner, "Prenzlauer Pixel", f"/#/deals/{deal['id']}")
    panel = documents_panel(page)
    expect(panel.get_by_label("Reason for the exemption")).to_be_hidden()
    panel.get_by_label("VAT", exact=True).select_option("reverse_charge")
    panel.get_by_role("button", name="Create invoice").click()
    # the client has no VAT ID on its card: said, and nothing issued
    page.locator(".toast", has_text="client's VAT ID").wait_for()
    assert issued_documents(client, agency, deal) == []

    firm = body(client.get(f"/api/v1/companies/{deal['company_id']}", token=agency.owner.token))
    client.patch(f"/api/v1/companies/{firm['id']}", {"version": firm["version"], "tax_number": "FR40303265045"},
                 token=agency.owner.token)
    panel.get_by_role("button", name="Create invoice").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"^Invoice INV-\d{4}-0001$"), timeout=15_000)
    dialog.get_by_role("button", name="Close").click()

    panel.get_by_label("VAT", exact=True).select_option("exempt")
    panel.get_by_label("Reason for the exemption").fill("Exempt under section 4 no. 21 UStG")
    panel.get_by_role("button", name="Create invoice").click()
    expect(dialog.locator("h2")).to_have_text(re.compile(r"^Invoice INV-\d{4}-0002$"), timeout=15_000)
    dialog.get_by_role("button", name="Close").click()
    made = issued_documents(client, agency, deal)
    assert [(d["vat_treatment"], d["vat_exemption_reason"], d["tax_minor"]) for d in made] == [
        ("reverse_charge", None, 0), ("exempt", "Exempt under section 4 no. 21 UStG", 0)]
    assert_no_problems(page)
    page.context.close()

    # in Russian the panel's boxes speak Russian
    salon = signup(client, company="Салон Ирис", locale="ru", country="RU", timezone="Europe/Moscow")
    russian_deal = body(client.post("/api/v1/deals", {"title": "Свадьба", "amount": {"minor": 500000,
                                                                                      "currency": "RUB"}},
                                    token=salon.owner.token))
    page = russian_phone(browser, live_url, salon.owner, "Салон Ирис")
    page.goto(f"/#/deals/{russian_deal['id']}")
    panel = page.locator(".doc-panel")
    panel.locator("summary").click()
    expect(panel.get_by_label("Дата поставки")).to_be_visible()
    panel.get_by_label("НДС", exact=True).select_option("exempt")
    expect(panel.get_by_label("Основание освобождения")).to_be_visible()
    panel.get_by_label("НДС", exact=True).select_option("reverse_charge")
    panel.get_by_role("button", name="Выставить счёт").click()
    page.locator(".toast", has_text="добавьте его в карточку компании клиента").wait_for()  # noqa: RUF001
    assert issued_documents(client, salon, russian_deal) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert_no_problems(page)
    page.context.close()
