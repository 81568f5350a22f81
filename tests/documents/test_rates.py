"""Tax rates of three decimal places on paper: a New York plumber's invoice of an order at 8.875 % prints the rate
as typed and the tax to the cent the order computed; lines given with a document take a rate in percent as well as
the basis points they took before; a document issued before keeps reading its basis points."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import db, tenancy
from chalicelib.documents.models import DOCUMENT_SK, Document, document_pk
from tests.deals.helpers import owner_context
from tests.documents.test_documents import fetch, pdf_text
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def plumber(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Five Boroughs Plumbing", country="US", timezone="America/New_York")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Dana", "last_name": "Brooks"},
                               token=company.owner.token))
    deal = body(client.post("/api/v1/deals", {"title": "Boiler swap", "amount": {"minor": 123456, "currency": "USD"},
                                              "contact_ids": [contact["id"]]}, token=company.owner.token))
    company.extra.update(contact=contact, deal=deal)
    return company


def test_an_invoice_of_an_order_at_8_875_percent_prints_the_rate_and_the_tax_to_the_cent(
        client: ApiClient, plumber: Company) -> None:
    token = plumber.owner.token
    made = client.post("/api/v1/orders", {"currency": "USD", "contact_id": plumber.extra["contact"]["id"], "lines": [
        {"description": "Water heater", "quantity": "1", "unit_price_minor": 123456, "tax_rate": "8.875"},
        {"description": "Permit", "quantity": "1", "unit_price_minor": 5000, "tax_rate": "8.25"}]}, token=token)
    assert made.status_code == 201, made.body
    order = body(made)
    # $1,234.56 x 8.875 % = $109.5672 -> $109.57; $50.00 x 8.25 % = $4.125 -> $4.13 (half up, per line)
    assert (order["totals"]["tax_minor"], order["totals"]["total_minor"]) == (11370, 139826)
    answer = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token)
    assert answer.status_code == 201, answer.body
    document = body(answer)
    assert [(line["tax_rate"], line["tax_rate_bp"], line["tax_minor"]) for line in document["lines"]] == [
        ("8.875", 888, 10957), ("8.25", 825, 413)]
    assert (document["tax_minor"], document["total_minor"]) == (11370, 139826)
    assert body(client.get(f"/api/v1/documents/{document['id']}", token=token))["lines"] == document["lines"]
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    heater = next(line for line in text.splitlines() if "Water heater" in line)
    permit = next(line for line in text.splitlines() if "Permit" in line)
    assert "8.875%" in heater and "8.25%" in permit and "8.250" not in permit, text
    assert "$113.70" in text and "$1,398.26" in text, text


def test_lines_given_with_a_document_take_a_rate_in_percent_or_in_basis_points(client: ApiClient,
                                                                               plumber: Company) -> None:
    token, deal = plumber.owner.token, plumber.extra["deal"]
    made = client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "quote", "lines": [
        {"description": "Boiler", "quantity": "1", "unit_price_minor": 123456, "tax_rate": "8.875"},
        {"description": "Old way", "quantity": "1", "unit_price_minor": 10000, "tax_rate_bp": 750},
        {"description": "No rate", "quantity": "1", "unit_price_minor": 100}]}, token=token)
    assert made.status_code == 201, made.body
    document = body(made)
    assert [(line["tax_rate"], line["tax_rate_bp"], line["tax_minor"]) for line in document["lines"]] == [
        ("8.875", 888, 10957), ("7.5", 750, 750), (None, None, 0)]
    both = client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "quote", "lines": [
        {"description": "Boiler", "quantity": "1", "unit_price_minor": 100, "tax_rate": "8.875", "tax_rate_bp": 888}]},
        token=token)
    assert both.status_code == 422, both.body
    too_fine = client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "quote", "lines": [
        {"description": "Boiler", "quantity": "1", "unit_price_minor": 100, "tax_rate": "8.8755"}]}, token=token)
    assert too_fine.status_code == 422, too_fine.body
    assert body(too_fine)["error"]["details"][0]["type"] == "decimal_places"
    listed = body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=token))["items"]
    assert [d["id"] for d in listed].count(document["id"]) == 1 and len(listed) == 1  # the refused made nothing


def test_a_document_issued_before_reads_its_basis_points_as_then(client: ApiClient, plumber: Company) -> None:
    token, deal = plumber.owner.token, plumber.extra["deal"]
    document = body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice", "lines": [
        {"description": "Valve", "quantity": "2", "unit_price_minor": 1000, "tax_rate": "12.5"},
        {"description": "Labour", "quantity": "1", "unit_price_minor": 5000}]}, token=token))
    with tenancy.bind(owner_context(plumber)):  # its lines as a document kept them before rates had three places
        ctx = owner_context(plumber)
        stored = db.get(ctx, Document, document_pk(ctx, document["id"]), DOCUMENT_SK)
        assert stored is not None
        stored.lines = [{**{k: v for k, v in line.items() if k != "tax_rate"},
                         "tax_rate_bp": 1250 if line["description"] == "Valve" else None} for line in stored.lines]
        stored.save()
    read = body(client.get(f"/api/v1/documents/{document['id']}", token=token))
    assert [(line["tax_rate"], line["tax_rate_bp"]) for line in read["lines"]] == [("12.5", 1250), (None, None)]
