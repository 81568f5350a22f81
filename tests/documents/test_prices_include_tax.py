# ruff: noqa: RUF001
"""A Yekaterinburg supplier that left Bitrix24, where a deal's amount is written with its VAT in (48 500 ₽ "в т.ч.
НДС"): once the company says its prices include VAT (Settings → Company), a deal's invoice takes the VAT out of the
amount instead of adding 22 % on top (a 48 500 ₽ deal was invoiced at 59 170 ₽), lines typed for it are read the
same way, and a new order starts priced with VAT in. A company that has not said so keeps VAT on top."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents.test_documents import REQUISITES, fetch, pdf_text
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def supplier(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="УралКрепёж", locale="ru", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "default_tax_rate": "22", "version": 0},
                      token=token).status_code == 200
    buyer = body(client.post("/api/v1/companies", {"name": "ООО «Стройка»"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Анкеры М10, партия", "company_id": buyer["id"],
                                              "amount": {"minor": 4850000, "currency": "RUB"}}, token=token))
    company.extra.update(deal=deal, buyer=buyer)
    return company


def _include(client: ApiClient, company: Company, value: bool) -> dict[str, Any]:
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    answer = client.patch("/api/v1/tenant", {"version": tenant["version"], "prices_include_tax": value},
                          token=company.owner.token)
    assert answer.status_code == 200, answer.body
    return body(answer)


def _invoice(client: ApiClient, company: Company, **fields: Any) -> tuple[dict[str, Any], str]:
    made = client.post(f"/api/v1/deals/{company.extra['deal']['id']}/documents", {"type": "invoice", **fields},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=company.owner.token))
    return body(made), pdf_text(fetch(link["url"]))


def test_a_deals_invoice_takes_the_vat_out_of_its_amount_once_prices_include_it(client: ApiClient,
                                                                                 supplier: Company) -> None:
    assert body(client.get("/api/v1/tenant", token=supplier.owner.token))["prices_include_tax"] is False
    on_top, text = _invoice(client, supplier)
    assert on_top["total_minor"] == 5917000 and on_top["tax_minor"] == 1067000, on_top  # 48 500 + 22 %
    assert "Итого к оплате: 59 170,00 ₽" in text, text

    assert _include(client, supplier, True)["prices_include_tax"] is True
    within, text = _invoice(client, supplier)
    assert (within["total_minor"], within["tax_minor"], within["subtotal_minor"]) == (4850000, 874590, 3975410)
    line = next(found for found in text.splitlines() if found.startswith("1 Анкеры М10"))
    assert line.endswith("48 500,00 ₽ 22% 48 500,00 ₽"), text  # the line at its price with VAT, not net beside it
    assert "Итого к оплате: 48 500,00 ₽" in text and "В том числе НДС 22%: 8 745,90 ₽" in text, text
    assert "Сорок восемь тысяч пятьсот рублей 00 копеек" in text, text

    typed, _ = _invoice(client, supplier, lines=[
        {"description": "Анкер М10х100", "quantity": "1000", "unit_price_minor": 3660, "tax_rate": "22"},
        {"description": "Доставка", "quantity": "1", "unit_price_minor": 1220000, "tax_rate": "22"}])
    assert (typed["total_minor"], typed["tax_minor"]) == (4880000, 880000), typed  # 36,60 x 1000 + 12 200 with VAT
    _include(client, supplier, False)


def test_a_new_order_starts_with_prices_including_vat_and_one_may_still_say_otherwise(client: ApiClient,
                                                                                        supplier: Company) -> None:
    token, buyer = supplier.owner.token, supplier.extra["buyer"]["id"]
    line = {"description": "Саморез 4,2х25", "quantity": "100", "unit_price_minor": 122, "tax_rate": "22"}
    _include(client, supplier, True)
    made = body(client.post("/api/v1/orders", {"currency": "RUB", "company_id": buyer, "lines": [line]}, token=token))
    assert made["price_mode"] == "inclusive" and made["totals"]["total_minor"] == 12200, made
    preview = body(client.post("/api/v1/orders/preview", {"currency": "RUB", "lines": [line]}, token=token))
    assert preview["price_mode"] == "inclusive" and preview["totals"]["tax_minor"] == 2200, preview
    net = body(client.post("/api/v1/orders", {"currency": "RUB", "company_id": buyer, "lines": [line],
                                              "price_mode": "exclusive"}, token=token))
    assert net["price_mode"] == "exclusive" and net["totals"]["total_minor"] == 14884, net

    _include(client, supplier, False)
    later = body(client.post("/api/v1/orders", {"currency": "RUB", "company_id": buyer, "lines": [line]}, token=token))
    assert later["price_mode"] == "exclusive", later
    assert body(client.get(f"/api/v1/orders/{made['id']}", token=token))["price_mode"] == "inclusive"


def test_the_setting_is_the_administrators_and_a_bad_value_changes_nothing(client: ApiClient,
                                                                           supplier: Company) -> None:
    tenant = body(client.get("/api/v1/tenant", token=supplier.owner.token))
    for bad in ("maybe", None, [], {"on": True}):
        answer = client.patch("/api/v1/tenant", {"version": tenant["version"], "prices_include_tax": bad},
                              token=supplier.owner.token)
        assert answer.status_code == 422, (bad, answer.body)
    assert body(client.get("/api/v1/tenant", token=supplier.owner.token)) == tenant
