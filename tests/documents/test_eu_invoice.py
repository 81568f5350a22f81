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
