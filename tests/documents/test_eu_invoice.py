"""A Berlin agency's invoices are ones a German business may send (section 14 (4) UStG; Art. 226 of the VAT
Directive for every EU country): the client's VAT ID from its company card, VAT on a deal's invoice at the company's
default rate, the date of supply, and a reverse charge or an exemption said in the law's words."""
# ruff: noqa: RUF001 (Russian invoices' text, Cyrillic letters that look Latin)

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from tests.documents.test_documents import fetch, pdf_text
from tests.documents.test_german_invoice import REQUISITES
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def agency(app: Any) -> Company:
    """A Berlin web agency with its requisites, a French client with its VAT ID and a deal of EUR 1,000.00."""
    client = ApiClient(app)
    company = signup(client, company="Spreeblick Digital", country="DE", timezone="Europe/Berlin")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=token).status_code == 200
    client_company = body(client.post("/api/v1/companies", {"name": "Atelier Lumière SARL",
                                                            "tax_number": "FR40303265045"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Website relaunch", "company_id": client_company["id"],
                                              "amount": {"minor": 100000, "currency": "EUR"}}, token=token))
    company.extra.update(client_company=client_company, deal=deal)
    return company


def invoice_text(client: ApiClient, company: Company, deal_id: str, **fields: Any) -> tuple[dict[str, Any], str]:
    """An invoice of a deal issued with fields, and its PDF's text."""
    token = company.owner.token
    made = client.post(f"/api/v1/deals/{deal_id}/documents", {"type": "invoice", **fields}, token=token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))
    return body(made), pdf_text(fetch(link["url"]))


def test_the_clients_vat_id_is_printed_from_its_company_card(client: ApiClient, agency: Company) -> None:
    # the client's USt-IdNr. was printed only from a custom field "inn", which no German company has
    document, text = invoice_text(client, agency, agency.extra["deal"]["id"])
    assert "Customer: Atelier Lumière SARL, VAT ID FR40303265045" in text, text
    assert document["customer"]["tax_id"] == "FR40303265045"


def test_a_deals_invoice_charges_the_companys_default_vat_rate(client: ApiClient, agency: Company) -> None:
    # the deal's EUR 1,000.00 was printed as a line with no VAT at all: "No VAT", Total €1,000.00
    token = agency.owner.token
    settings = body(client.get("/api/v1/document-settings/requisites", token=token))
    assert settings["default_tax_rate"] is None
    saved = client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": settings["version"],
                                                                 "default_tax_rate": "19"}, token=token)
    assert saved.status_code == 200, saved.body
    assert body(saved)["default_tax_rate"] == "19"
    document, text = invoice_text(client, agency, agency.extra["deal"]["id"])
    for expected in ("Subtotal excl. VAT: €1,000.00", "VAT: €190.00", "Total: €1,190.00"):
        assert expected in text, (expected, text)
    assert "19%" in text and "No VAT" not in text, text
    assert (document["subtotal_minor"], document["tax_minor"], document["total_minor"]) == (100000, 19000, 119000)
    assert document["lines"][0]["tax_rate"] == "19"
    # lines given with the document keep their own rate, none included ("—"): the default is the deal's own line's
    _, text = invoice_text(client, agency, agency.extra["deal"]["id"], lines=[
        {"description": "Hosting, pass-through", "unit_price_minor": 5000}])
    assert "No VAT" in text and "19%" not in text, text
    # a requisites write that leaves the rate out keeps it; null clears it
    kept = body(client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": body(saved)["version"]},
                           token=token))
    assert kept["default_tax_rate"] == "19"
    for bad in ("19.0001", "101", "-1", "abc"):
        refused = client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": kept["version"],
                                                                       "default_tax_rate": bad}, token=token)
        assert refused.status_code == 422, (bad, refused.body)
    cleared = body(client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": kept["version"],
                                                                        "default_tax_rate": None}, token=token))
    assert cleared["default_tax_rate"] is None
    _, text = invoice_text(client, agency, agency.extra["deal"]["id"])
    assert "No VAT" in text and "Total: €1,000.00" in text, text


def test_an_eu_invoice_names_its_date_of_supply(client: ApiClient, agency: Company) -> None:
    # no date of supply anywhere: Art. 226(7) asks for it where it differs from the invoice's date, and section 14 (4)
    # no. 6 UStG always
    from chalicelib.documents import wording

    document, text = invoice_text(client, agency, agency.extra["deal"]["id"], supply_date="2026-11-30")
    assert "Date of supply: 30 November 2026" in text, text
    assert document["supply_date"] == "2026-11-30"
    document, text = invoice_text(client, agency, agency.extra["deal"]["id"])  # by default the invoice's date
    issued = wording.day(date.fromisoformat(document["supply_date"]), "en", "DE")
    assert f"dated {issued}" in text and f"Date of supply: {issued}" in text, text
    for bad in ("30.11.2026", "2026-02-30", "0026-11-30", ""):
        refused = client.post(f"/api/v1/deals/{agency.extra['deal']['id']}/documents",
                              {"type": "invoice", "supply_date": bad}, token=agency.owner.token)
        assert refused.status_code == 422 and body(refused)["error"]["details"][0]["loc"][-1] == "supply_date", bad


def test_russian_and_british_invoices_print_a_date_of_supply_only_when_it_differs(client: ApiClient) -> None:
    for where, currency, label, printed in (
            ({"company": "Салон Вера", "locale": "ru", "country": "RU", "timezone": "Europe/Moscow"}, "RUB",
             "Дата поставки", "Дата поставки: 30.11.2026"),
            ({"company": "Thames Print", "country": "GB", "timezone": "Europe/London"}, "GBP",
             "Date of supply", "Date of supply: 30 November 2026")):
        seller = signup(client, **where)
        deal = body(client.post("/api/v1/deals", {"title": "Order", "amount": {"minor": 50000, "currency": currency}},
                                token=seller.owner.token))
        _, text = invoice_text(client, seller, deal["id"])
        assert label not in text, text
        _, text = invoice_text(client, seller, deal["id"], supply_date="2026-11-30")
        assert printed in text, text


def test_a_reverse_charge_invoice_charges_no_vat_and_says_why_in_english_and_german(client: ApiClient,
                                                                                      agency: Company) -> None:
    # a French business client is invoiced without VAT under the reverse charge: the invoice had no way to say so
    deal = agency.extra["deal"]["id"]
    document, text = invoice_text(client, agency, deal, vat_treatment="reverse_charge", lines=[
        {"description": "Design sprint", "unit_price_minor": 100000, "tax_rate": "19"}])
    assert ("Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC) / "
            "Steuerschuldnerschaft des Leistungsempfängers") in " ".join(text.split()), text
    assert "VAT ID FR40303265045" in text and "Total: €1,000.00" in text and "€190.00" not in text, text
    assert (document["tax_minor"], document["total_minor"], document["vat_treatment"]) == (0, 100000, "reverse_charge")
    assert document["lines"][0]["tax_rate"] is None and document["lines"][0]["tax_minor"] == 0

    # a client without a VAT ID on its card: 422 naming it, no number taken
    token = agency.owner.token
    bare = body(client.post("/api/v1/companies", {"name": "Studio Bianchi"}, token=token))
    other = body(client.post("/api/v1/deals", {"title": "Logo", "company_id": bare["id"],
                                               "amount": {"minor": 50000, "currency": "EUR"}}, token=token))
    refused = client.post(f"/api/v1/deals/{other['id']}/documents", {"type": "invoice",
                                                                     "vat_treatment": "reverse_charge"}, token=token)
    assert refused.status_code == 422, refused.body
    detail = body(refused)["error"]["details"][0]
    assert detail["loc"] == ["body", "vat_treatment"] and detail["type"] == "client_vat_id_missing"
    assert "VAT ID" in detail["msg"]
    assert body(client.get(f"/api/v1/deals/{other['id']}/documents", token=token))["items"] == []


def test_an_exempt_invoice_prints_its_reason_and_needs_one(client: ApiClient, agency: Company) -> None:
    deal, token = agency.extra["deal"]["id"], agency.owner.token
    document, text = invoice_text(client, agency, deal, vat_treatment="exempt",
                                  vat_exemption_reason="Exempt under section 4 no. 21 UStG (training)")
    assert "VAT exempt: Exempt under section 4 no. 21 UStG (training)" in " ".join(text.split()), text
    assert "No VAT" in text and document["tax_minor"] == 0, text
    assert document["vat_exemption_reason"] == "Exempt under section 4 no. 21 UStG (training)"
    for fields, field in (({"vat_treatment": "exempt"}, "vat_exemption_reason"),
                          ({"vat_treatment": "exempt", "vat_exemption_reason": "  "}, "vat_exemption_reason"),
                          ({"vat_exemption_reason": "why"}, "vat_exemption_reason"),
                          ({"vat_treatment": "zero"}, "vat_treatment")):
        refused = client.post(f"/api/v1/deals/{deal}/documents", {"type": "invoice", **fields}, token=token)
        assert refused.status_code == 422, (fields, refused.body)
        assert body(refused)["error"]["details"][0]["loc"][-1] == field, refused.body


def test_an_order_that_charges_vat_is_not_reverse_charged_on_paper(client: ApiClient, agency: Company) -> None:
    # the document never recomputes an order: its totals would disagree with the order's
    token = agency.owner.token
    firm = agency.extra["client_company"]["id"]
    taxed = body(client.post("/api/v1/orders", {"currency": "EUR", "company_id": firm, "lines": [
        {"description": "Workshop", "quantity": "1", "unit_price_minor": 80000, "tax_rate": "19"}]}, token=token))
    refused = client.post(f"/api/v1/orders/{taxed['id']}/documents", {"type": "invoice",
                                                                       "vat_treatment": "reverse_charge"}, token=token)
    assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "order_charges_vat"
    untaxed = body(client.post("/api/v1/orders", {"currency": "EUR", "company_id": firm, "lines": [
        {"description": "Workshop", "quantity": "1", "unit_price_minor": 80000, "tax_rate": "0"}]}, token=token))
    made = client.post(f"/api/v1/orders/{untaxed['id']}/documents", {"type": "invoice",
                                                                      "vat_treatment": "reverse_charge"}, token=token)
    assert made.status_code == 201, made.body
    assert body(made)["total_minor"] == 80000


# The text of a Russian, a British and an American invoice of the built-in templates as they printed before the date
# of supply and the VAT treatment (rendered at bae60fd): none of them changes unless those are given (the Russian
# one's buyer has its address on its line since Russian documents print a party so)
BEFORE = {
    ("ru", "RU", None): """Счёт на оплату № N-1 от 07.12.2026
По сделке: Deal one
Поставщик: Seller, ИНН 123
Покупатель: Buyer Ltd, ИНН 7701234567, 123, Town, 1 Road
№ Наименование Кол-во Цена НДС Сумма
1 Thing 2 123,45 ₽ Без НДС 246,90 ₽
Итого: 246,90 ₽
Без НДС
Итого к оплате: 246,90 ₽
Всего наименований 1, на сумму 246,90 ₽
Двести сорок шесть рублей 90 копеек
Оплатить в течение 5 банковских дней, указав номер счёта.
Руководитель: ____________________""",
    ("en", "GB", Decimal(20)): """Invoice No. N-1 dated 7 December 2026
Re: Deal one
Seller: Seller, VAT No. 123
Customer: Buyer Ltd, VAT No. 7701234567
1 Road, Town, 123
No. Item Qty Price VAT Amount
1 Thing 2 £123.45 20% £246.90
Subtotal excl. VAT: £246.90
VAT: £49.38
Total: £296.28
Please pay within 5 banking days, quoting the invoice number.
Authorized signature: ____________________""",
    ("en", "US", Decimal(20)): """Invoice No. N-1 dated December 7, 2026
Re: Deal one
Seller: Seller, Tax ID 123
Customer: Buyer Ltd, Tax ID 7701234567
1 Road, Town, 123
No. Item Qty Price Tax Amount
1 Thing 2 $123.45 20% $246.90
Subtotal: $246.90
Tax: $49.38
Total: $296.28
Please pay within 5 banking days, quoting the invoice number.
Authorized signature: ____________________""",
}


@pytest.mark.parametrize(("locale", "country", "rate"), list(BEFORE))
def test_russian_british_and_american_invoices_print_as_before(locale: str, country: str,
                                                                rate: Decimal | None) -> None:
    from chalicelib.documents import defaults, service, sources

    company = SimpleNamespace(name="Buyer Ltd", website=None, emails=[], phones=[], custom={"inn": "7701234567"},
                              address={"line1": "1 Road", "city": "Town", "postal_code": "123"},
                              custom_sensitive=[], tax_number=None)
    source = sources.Source(kind="deal", record_id="X", title="Deal one", currency={"RU": "RUB", "GB": "GBP"}.get(
        country, "USD"), owner_id=None, team_id=None, lines=[sources.priced("Thing", Decimal(2), 12345, rate)],
        fields={"title": "Deal one"}, company=company)
    seller = {**dict.fromkeys(service.VARIABLES["seller"], ""), "legal_name": "Seller", "tax_id": "123"}
    values = service.context(source=source, doc_type="invoice", number="N-1", day=date(2026, 12, 7), locale=locale,
                             seller=seller, country=country)
    text = pdf_text(service.make_pdf(defaults.body("invoice", locale, country), values))
    assert text.strip() == BEFORE[(locale, country, rate)], text
