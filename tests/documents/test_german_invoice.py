"""A Berlin web agency's invoices read as a German client's accounts department expects: the seller's VAT ID
(USt-IdNr.) named so, and the net, the VAT and the gross, not an American form's 'Tax ID' and 'Tax'."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents.test_documents import fetch, pdf_text
from tests.documents.test_uk_invoice import seller_with_an_order
from tests.factories import Company, signup
from tests.support import ApiClient, body

REQUISITES = {"legal_name": "Spreeblick Digital GmbH", "tax_id": "DE312345678",
              "registration_id": "HRB 212345 B", "address": "Torstraße 140, 10119 Berlin",
              "bank_name": "Berliner Sparkasse", "iban": "DE89370400440532013000"}


@pytest.fixture(scope="module")
def spreeblick(app: Any) -> Company:
    return seller_with_an_order(app, "Spreeblick Digital", "DE", "Europe/Berlin", REQUISITES, ("Jana", "Krüger"),
                                "EUR", {"description": "Website relaunch, design sprint", "quantity": "1",
                                        "unit_price_minor": 100000, "tax_rate": "19"})


def test_a_german_invoice_names_the_vat_id_the_net_the_vat_and_the_gross(client: ApiClient,
                                                                         spreeblick: Company) -> None:
    # 'Tax ID DE312345678 ... Tax: €190.00' read as an American form to a Berlin client's accountant, who looks for
    # the USt-IdNr. and the Umsatzsteuer
    token, order = spreeblick.owner.token, spreeblick.extra["order"]
    made = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token)
    assert made.status_code == 201, made.body
    invoice = pdf_text(fetch(body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))["url"]))
    assert "VAT ID DE312345678" in invoice, invoice
    for expected in ("Subtotal excl. VAT: €1,000.00", "VAT: €190.00", "Total: €1,190.00"):
        assert expected in invoice, (expected, invoice)
    assert "Tax ID" not in invoice and "Tax:" not in invoice, invoice


def test_an_eu_company_starts_a_template_from_the_vat_words(client: ApiClient, spreeblick: Company) -> None:
    items = body(client.get("/api/v1/document-templates/built-in", token=spreeblick.owner.token))["items"]
    invoice = next(t["body"] for t in items if t["type"] == "invoice" and t["locale"] == "en")
    assert "VAT ID" in invoice and "Tax ID" not in invoice
    paris = signup(client, company="Agence Paris", country="FR", timezone="Europe/Paris")
    items = body(client.get("/api/v1/document-templates/built-in", token=paris.owner.token))["items"]
    assert "VAT ID" in next(t["body"] for t in items if t["type"] == "invoice" and t["locale"] == "en")
