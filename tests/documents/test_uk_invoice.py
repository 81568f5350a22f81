"""A London office supplier's quotes and invoices read as a British customer expects: the company's note from
Settings -> Requisites (its payment terms) printed on them, in place of the built-in invoice's 'pay within 5 banking
days'."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents.test_documents import fetch, pdf_text
from tests.factories import Company, signup
from tests.support import ApiClient, body

REQUISITES = {"legal_name": "Thames Office Supplies Ltd", "tax_id": "GB123456789", "registration_id": "09876543",
              "address": "Unit 4, 22 Wharf Road, London N1 7GR", "bank_name": "Barclays Bank UK PLC",
              "bank_account": "41234567", "iban": "GB29NWBK60161331926819",
              "note": "Payment due within 30 days of the invoice date."}


def seller_with_an_order(app: Any, name: str, country: str, zone: str, requisites: dict[str, Any],
                         customer: tuple[str, str], currency: str, line: dict[str, Any]) -> Company:
    """A company of that country with its requisites, and an order of one line to a customer (``extra["order"]``)."""
    client = ApiClient(app)
    company = signup(client, company=name, country=country, timezone=zone)
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**requisites, "version": 0},
                      token=token).status_code == 200
    buyer = body(client.post("/api/v1/contacts", {"first_name": customer[0], "last_name": customer[1]}, token=token))
    company.extra["order"] = body(client.post("/api/v1/orders", {"currency": currency, "contact_id": buyer["id"],
                                                                 "lines": [line]}, token=token))
    return company


@pytest.fixture(scope="module")
def thames(app: Any) -> Company:
    return seller_with_an_order(app, "Thames Office Supplies", "GB", "Europe/London", REQUISITES, ("Emily", "Hart"),
                                "GBP", {"description": "A4 copier paper, box of 5 reams", "quantity": "10",
                                        "unit_price_minor": 2499, "tax_rate": "20"})


def document_text(client: ApiClient, company: Company, doc_type: str) -> str:
    token, order = company.owner.token, company.extra["order"]
    made = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": doc_type}, token=token)
    assert made.status_code == 201, made.body
    return pdf_text(fetch(body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))["url"]))


def test_the_companys_note_is_printed_and_its_payment_terms_replace_the_default(client: ApiClient,
                                                                                 thames: Company) -> None:
    invoice = document_text(client, thames, "invoice")
    assert "Payment due within 30 days of the invoice date." in invoice, invoice
    assert "5 banking days" not in invoice, invoice
    quote = document_text(client, thames, "quote")
    assert "This quote is valid for 30 days." in quote and "Payment due within 30 days" in quote, quote
    assert "Payment due within 30 days" in document_text(client, thames, "delivery_note")


def test_a_british_invoice_names_the_vat_number_the_company_number_and_vat(client: ApiClient,
                                                                          thames: Company) -> None:
    # 'Tax ID GB123456789, Registration No. 09876543 ... Tax: £49.98' read as an American form to a London buyer
    invoice = document_text(client, thames, "invoice")
    assert "VAT No. GB123456789, Company No. 09876543" in invoice, invoice
    for expected in ("Subtotal excl. VAT: £249.90", "VAT: £49.98", "Total: £299.88"):
        assert expected in invoice, (expected, invoice)
    assert "Tax ID" not in invoice and "Tax:" not in invoice, invoice
    american = signup(client, company="Acme Supply", country="US", timezone="America/New_York")
    token = american.owner.token
    customer = body(client.post("/api/v1/contacts", {"first_name": "John"}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "USD", "contact_id": customer["id"], "lines": [
        {"description": "Nitrile gloves", "quantity": "1", "unit_price_minor": 1000, "tax_rate": "8"}]}, token=token))
    assert client.put("/api/v1/document-settings/requisites", {"version": 0, "legal_name": "Acme Supply LLC",
                                                               "tax_id": "12-3456789"}, token=token).status_code == 200
    american.extra["order"] = order
    text = document_text(client, american, "invoice")
    assert "Tax ID 12-3456789" in text and "Tax: $0.80" in text and "VAT" not in text, text


def test_a_quote_e_mailed_by_a_rep_names_them_and_the_company_and_answers_reach_the_rep(client: ApiClient,
                                                                                          thames: Company) -> None:
    # Emily answered 'Looks good, please go ahead' to no-reply@..., a quote from nobody she knew, and it was lost
    from email import message_from_string
    from email.utils import getaddresses

    from tests.factories import add_member, outbox

    rep = add_member(client, thames, role="agent", name="sarah")
    customer = body(client.post("/api/v1/contacts", {"first_name": "Emily"}, token=rep.token))
    order = body(client.post("/api/v1/orders", {"currency": "GBP", "contact_id": customer["id"], "lines": [
        {"description": "Toner", "quantity": "1", "unit_price_minor": 6250, "tax_rate": "20"}]}, token=rep.token))
    quote = body(client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "quote"}, token=rep.token))
    sent = client.post(f"/api/v1/documents/{quote['id']}/send", {"channel": "email", "to": "emily@blackfriars.example"},
                       token=rep.token)
    assert sent.status_code == 200, sent.body
    message = message_from_string(outbox("emily@blackfriars.example")[-1].raw_data)
    [(shown, address)] = getaddresses([message["From"]])
    assert shown == "Sarah (Thames Office Supplies)" and address.startswith("no-reply@"), message["From"]
    assert getaddresses([message["Reply-To"]]) == [("Sarah", rep.email)], message["Reply-To"]


def test_an_address_prints_in_the_order_its_country_writes_one() -> None:
    # A London supplier's invoice read "12 New Bridge Street, EC4V 6AB, London, GB": the postcode before the town, as
    # Germany writes it; each country's order now, the company's for an address that names no country
    from chalicelib.documents.source_deal import address_text

    london = {"line1": "12 New Bridge Street", "city": "London", "postal_code": "EC4V 6AB"}
    assert address_text({**london, "country": "GB"}) == "12 New Bridge Street, London, EC4V 6AB, GB"
    assert address_text(london, "GB") == "12 New Bridge Street, London, EC4V 6AB"
    assert address_text({"line1": "1 Main St", "city": "Springfield", "region": "IL", "postal_code": "62701"},
                        "US") == "1 Main St, Springfield, IL 62701"
    assert address_text({"line1": "Hauptstraße 1", "city": "Berlin", "postal_code": "10115"},
                        "DE") == "Hauptstraße 1, 10115 Berlin"
    assert address_text({"line1": "ул. Ленина, д. 1", "city": "Москва", "postal_code": "123456"},
                        "RU") == "123456, Москва, ул. Ленина, д. 1"
    assert address_text(None) == "" and address_text({}, "GB") == ""


def test_a_british_company_starts_a_template_from_the_british_words(client: ApiClient) -> None:
    # The template editor offered the generic English invoice ("Tax ID") to a London company whose issued invoices
    # say "VAT No.": the built-in templates it starts from are now the ones its documents are issued with
    london = signup(client, company="Built-in London", country="GB")
    items = body(client.get("/api/v1/document-templates/built-in", token=london.owner.token))["items"]
    invoice = next(t["body"] for t in items if t["type"] == "invoice" and t["locale"] == "en")
    assert "VAT No." in invoice and "Company No." in invoice
    new_york = signup(client, company="Built-in New York", country="US")
    items = body(client.get("/api/v1/document-templates/built-in", token=new_york.owner.token))["items"]
    assert "VAT No." not in next(t["body"] for t in items if t["type"] == "invoice" and t["locale"] == "en")


def test_a_documents_date_reads_as_its_country_writes_one() -> None:
    # An American plumber's invoice was dated "07 Dec 2026" (strftime's "%b", in whatever locale the process had);
    # a US company's now reads "December 7, 2026", a British one's "7 December 2026", a Russian one's "07.12.2026"
    from datetime import date

    from chalicelib.documents import wording

    day = date(2026, 12, 7)
    assert wording.day(day, "en", "US") == "December 7, 2026"
    assert wording.day(day, "en", "GB") == wording.day(day, "en") == "7 December 2026"
    assert wording.day(day, "ru", "RU") == "07.12.2026"
