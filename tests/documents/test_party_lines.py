"""A Moscow wholesaler's счёт and акт for a construction firm's order: a Russian accountant reads each party on one
line, "Покупатель: ООО «ГлавСтрой», ИНН 7764330122, КПП 776401001, 107076, г. Москва, ...", as 1C prints it. The
address stood on a line of its own under the name, where a reader of the paper took it for the contact's. English
documents keep the address on its own line."""
# ruff: noqa: RUF001, RUF002 (Russian company names)

from __future__ import annotations

from typing import Any

from tests.documents.test_documents import REQUISITES, fetch, pdf_text
from tests.factories import Company, signup
from tests.support import ApiClient, body

ADDRESS = "115114, г. Москва, ул. Летниковская, д. 10"


def _document_text(client: ApiClient, company: Company, order_id: str, doc_type: str) -> str:
    made = client.post(f"/api/v1/orders/{order_id}/documents", {"type": doc_type}, token=company.owner.token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=company.owner.token))
    return " ".join(pdf_text(fetch(link["url"])).split())  # the PDF's lines joined: a long line wraps on the paper


def _order(client: ApiClient, company: Company) -> str:
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=token).status_code == 200
    firm = body(client.post("/api/v1/companies", {"name": "ООО «ГлавСтрой»", "tax_number": "7764330122",
                                                  "kpp": "776401001", "address": {"line1": ADDRESS}}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "company_id": firm["id"], "lines": [
        {"description": "Газобетонный блок D500", "quantity": "320", "unit_price_minor": 21500,
         "tax_rate": "20"}]}, token=token))
    return str(order["id"])


def test_a_russian_invoice_and_act_name_the_buyer_with_its_address_on_one_line(app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="СтройОпт Документы", locale="ru", country="RU", timezone="Europe/Moscow")
    order_id = _order(client, company)
    invoice = _document_text(client, company, order_id, "invoice")
    assert f"Покупатель: ООО «ГлавСтрой», ИНН 7764330122, КПП 776401001, {ADDRESS}" in invoice, invoice
    seller = REQUISITES["legal_name"]
    assert f"Поставщик: {seller}, ИНН {REQUISITES['tax_id']}" in invoice, invoice
    assert f", {REQUISITES['address']}" in invoice.split("Покупатель:")[0], invoice
    act = _document_text(client, company, order_id, "act")
    assert f"Заказчик: ООО «ГлавСтрой», ИНН 7764330122, КПП 776401001, {ADDRESS}" in act, act


def test_an_english_invoice_keeps_the_address_on_its_own_line(app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Wholesale Docs", locale="en", country="GB", timezone="Europe/London")
    order_id = _order(client, company)
    made = client.post(f"/api/v1/orders/{order_id}/documents", {"type": "invoice"}, token=company.owner.token)
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=company.owner.token))
    lines = pdf_text(fetch(link["url"])).splitlines()
    assert ADDRESS in lines, lines
