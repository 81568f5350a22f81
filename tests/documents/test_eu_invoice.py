"""A Berlin agency's invoices are ones a German business may send (section 14 (4) UStG; Art. 226 of the VAT
Directive for every EU country): the client's VAT ID from its company card, VAT on a deal's invoice at the company's
default rate, the date of supply, and a reverse charge or an exemption said in the law's words."""

from __future__ import annotations

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
