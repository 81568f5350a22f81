"""The orders list names each order's customer at read time (#23, as #20 names a task's record): one BatchGetItem
of the page's contacts and companies, so a rename shows at once and the list stays at two requests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company
from tests.orders.kit import ok, order, shop
from tests.support import ApiClient


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return shop(ApiClient(app))


FREE_LINE = {"description": "Delivery", "quantity": "1", "unit_price_minor": 500, "tax_rate": "20"}


def _names(client: ApiClient, company: Company) -> dict[str, str | None]:
    listed = ok(client.get("/api/v1/orders?limit=200", token=company.owner.token))["items"]
    return {item["id"]: item["customer_name"] for item in listed}


def test_a_page_names_contacts_and_companies_and_a_rename_shows_at_once(client: ApiClient, company: Company,
                                                                       tenancy_watcher: Any) -> None:
    token = company.owner.token
    firm = ok(client.post("/api/v1/companies", {"name": "Lilac Florists"}, token=token), 201)
    of_contact = order(client, company, [FREE_LINE])
    of_company = ok(client.post("/api/v1/orders", {"currency": "EUR", "company_id": firm["id"], "lines": [FREE_LINE]},
                                token=token), 201)
    tenancy_watcher.reset()
    names = _names(client, company)
    assert names[of_contact["id"]] == "Irina Buyer" and names[of_company["id"]] == "Lilac Florists"
    operations = [operation for operation, _ in tenancy_watcher.requests]
    assert operations.count("Query") == 1
    assert operations.count("BatchGetItem") <= 2  # authentication's, and the names of the page's customers
    contact = company.extra["contact"]
    current = ok(client.get(f"/api/v1/contacts/{contact['id']}", token=token))
    ok(client.patch(f"/api/v1/contacts/{contact['id']}", {"last_name": "Seller", "version": current["version"]},
                    token=token))
    assert _names(client, company)[of_contact["id"]] == "Irina Seller"


def test_a_deleted_customer_goes_unnamed(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    gone = ok(client.post("/api/v1/contacts", {"first_name": "Soon", "last_name": "Gone"}, token=token), 201)
    made = ok(client.post("/api/v1/orders", {"currency": "EUR", "contact_id": gone["id"], "lines": [FREE_LINE]},
                          token=token), 201)
    assert client.delete(f"/api/v1/contacts/{gone['id']}", token=token).status_code in (200, 204)
    assert _names(client, company)[made["id"]] is None
