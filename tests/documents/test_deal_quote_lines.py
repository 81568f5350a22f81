"""An Austin HVAC salesperson issues the quote from the won deal's card, whose amount follows its order (a heat pump
taxed at 8.25 %, installation labour untaxed): the quote printed one line, the deal's title at the order's total, tax
included, with no tax shown, or, with a default rate in the requisites, 8.25 % charged again on top of it. A deal
whose amount follows its orders now quotes their lines, each at the rate its order gave it."""

from __future__ import annotations

from typing import Any

from tests.factories import signup
from tests.support import ApiClient, body


def test_a_deal_following_its_order_is_quoted_with_the_orders_lines(client: ApiClient, app: Any) -> None:
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    token = company.owner.token
    settings = body(client.get("/api/v1/document-settings/requisites", token=token))
    saved = client.put("/api/v1/document-settings/requisites", {"legal_name": "Lone Star Air LLC",
                                                                 "default_tax_rate": "8.25",
                                                                 "version": settings["version"]}, token=token)
    assert saved.status_code == 200, saved.body
    kevin = body(client.post("/api/v1/contacts", {"first_name": "Kevin", "last_name": "Nguyen"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Nguyen - heat pump", "contact_ids": [kevin["id"]]},
                            token=token))
    lines = [{"description": "Carrier 3-ton heat pump", "quantity": "1", "unit_price_minor": 620000,
              "tax_rate": "8.25"},
             {"description": "Installation labour (hour)", "quantity": "16", "unit_price_minor": 9500}]
    order = client.post("/api/v1/orders", {"currency": "USD", "contact_id": kevin["id"], "deal_id": deal["id"],
                                           "lines": lines}, token=token)
    assert order.status_code == 201, order.body
    made = client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "quote"}, token=token)
    assert made.status_code == 201, made.body
    quote = body(made)
    assert [(line["description"], line["tax_rate"], line["tax_minor"]) for line in quote["lines"]] == [
        ("Carrier 3-ton heat pump", "8.25", 51150), ("Installation labour (hour)", None, 0)]
    assert (quote["subtotal_minor"], quote["tax_minor"], quote["total_minor"]) == (772000, 51150, 823150)
