"""A wholesaler's 1C posts an order for a construction firm's foreman (a contact of one company): the order is the
company's, and its invoice names ООО «ГлавСтрой» with its INN and КПП, but its card named only the foreman, so the
accountant could not tell whom she was invoicing. The card now names the company beside the contact."""
# ruff: noqa: RUF001, RUF002 (Russian company names)

from __future__ import annotations

from typing import Any

from tests.factories import IN_MOSCOW, signup
from tests.support import ApiClient, body

LINE = {"description": "Газобетонный блок D500", "quantity": "320", "unit_price_minor": 21500, "tax_rate": "20"}


def test_a_contacts_order_for_her_company_names_the_company_on_its_card(app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="СтройОпт Карточка", **IN_MOSCOW)
    token = company.owner.token
    firm = body(client.post("/api/v1/companies", {"name": "ООО «ГлавСтрой»", "kpp": "776401001"}, token=token))
    foreman = body(client.post("/api/v1/contacts", {"first_name": "Юрий", "last_name": "Егоров",
                                                    "company_ids": [firm["id"]]}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": foreman["id"], "lines": [LINE]},
                             token=token))
    card = body(client.get(f"/api/v1/orders/{order['id']}", token=token))
    assert (card["company_id"], card["company_name"], card["customer_name"]) == (
        firm["id"], "ООО «ГлавСтрой»", "Юрий Егоров")
    # a company's own order is named once, as its customer; a contact of no company's names none
    own = body(client.post("/api/v1/orders", {"currency": "RUB", "company_id": firm["id"], "lines": [LINE]},
                           token=token))
    assert body(client.get(f"/api/v1/orders/{own['id']}", token=token))["company_name"] is None
