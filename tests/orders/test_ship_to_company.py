"""A new order naming no address ships to its contact's shipping address, else its company's (README: "a new order
naming no address ships to its contact's shipping address, else its company's, where the role may read it"). The
contact's side is test_lifecycle.py's; this is a business customer's: an office ordering, a buyer without an address
of her own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member
from tests.orders.kit import ok, shop
from tests.support import ApiClient

OFFICE = {"line1": "1 Canada Square", "city": "London", "postal_code": "E14 5AB", "country": "GB"}
LINE = [{"description": "Desk assembly", "quantity": "2", "unit_price_minor": 4500}]


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    company = shop(ApiClient(app))
    client = ApiClient(app)
    firm = ok(client.post("/api/v1/companies", {"name": "Wharf Lettings Ltd", "address": OFFICE},
                          token=company.owner.token), 201)
    company.extra["firm"] = firm
    return company


def test_an_order_of_a_company_ships_to_its_address(client: ApiClient, company: Company) -> None:
    made = ok(client.post("/api/v1/orders", {"currency": "GBP", "company_id": company.extra["firm"]["id"],
                                             "lines": LINE}, token=company.owner.token), 201)
    assert made["shipping"]["address"] == OFFICE


def test_a_buyer_without_a_shipping_address_gets_her_companys(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    buyer = ok(client.post("/api/v1/contacts", {"first_name": "Priya", "company_ids": [company.extra["firm"]["id"]]},
                           token=owner), 201)
    # as the order editor sends it: a buyer who works for one company buys for it
    made = ok(client.post("/api/v1/orders", {"currency": "GBP", "contact_id": buyer["id"],
                                             "company_id": company.extra["firm"]["id"], "lines": LINE},
                          token=owner), 201)
    assert made["shipping"]["address"] == OFFICE


def test_a_role_that_may_not_read_companies_addresses_gets_none_through_an_order(client: ApiClient,
                                                                                 company: Company) -> None:
    role = client.post("/api/v1/roles", {"key": "desk", "name": "Desk", "permissions": [
        "companies:read:all", "orders:read:all", "orders:create:all", "companies.address:hidden"]},
        token=company.owner.token)
    assert role.status_code == 201, role.body
    desk = add_member(client, company, role="desk", name="desk")
    made = ok(client.post("/api/v1/orders", {"currency": "GBP", "company_id": company.extra["firm"]["id"],
                                             "lines": LINE}, token=desk.token), 201)
    assert not made["shipping"].get("address")
