"""An order made through the API for a buyer of exactly one company is that company's too, as the order editor makes
it (README: "an order for a contact of one company is that company's too, so its documents name the company"): an
integration's order prints the buyer company's requisites like one made by hand. A buyer of no company or of
several buys for none; a company named in the request, or null, wins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member
from tests.orders.kit import ok, shop
from tests.support import ApiClient

LINE = [{"description": "Office chairs", "quantity": "4", "unit_price_minor": 12_000}]


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    company = shop(ApiClient(app))
    client, owner = ApiClient(app), company.owner.token
    for key, name in (("firm", "Romashka LLC"), ("other", "Vasilek LLC")):
        company.extra[key] = ok(client.post("/api/v1/companies", {"name": name}, token=owner), 201)
    return company


def _buyer(client: ApiClient, company: Company, *companies: str, **fields: Any) -> dict[str, Any]:
    ids = [company.extra[key]["id"] for key in companies]
    return dict(ok(client.post("/api/v1/contacts", {"first_name": "Olga", "company_ids": ids, **fields},
                               token=company.owner.token), 201))


def _order(client: ApiClient, company: Company, buyer: dict[str, Any], token: str | None = None,
           **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": buyer["id"], "lines": LINE,
                                                  **fields}, token=token or company.owner.token), 201))


def test_a_buyer_of_one_company_buys_for_it(client: ApiClient, company: Company) -> None:
    made = _order(client, company, _buyer(client, company, "firm"))
    assert made["company_id"] == company.extra["firm"]["id"]
    listed = ok(client.get(f"/api/v1/orders?company_id={company.extra['firm']['id']}",
                           token=company.owner.token))["items"]
    assert made["id"] in [row["id"] for row in listed]  # the company's orders list it, as one the editor made


def test_an_accounting_systems_order_names_the_company_too(client: ApiClient, company: Company) -> None:
    buyer = _buyer(client, company, "firm")
    made = ok(client.put("/api/v1/orders/by-external-id/1C-000451", {
        "currency": "RUB", "contact_id": buyer["id"], "lines": LINE}, token=company.owner.token), 201)
    assert made["company_id"] == company.extra["firm"]["id"]
    changed = ok(client.put("/api/v1/orders/by-external-id/1C-000451", {
        "currency": "RUB", "contact_id": buyer["id"], "lines": LINE, "notes": "Deliver by Friday"},
        token=company.owner.token))
    assert changed["company_id"] == company.extra["firm"]["id"]


@pytest.mark.parametrize("companies", [(), ("firm", "other")], ids=["no company", "two companies"])
def test_a_buyer_of_no_company_or_of_several_buys_for_none(client: ApiClient, company: Company,
                                                           companies: tuple[str, ...]) -> None:
    made = _order(client, company, _buyer(client, company, *companies))
    assert made["company_id"] is None


def test_a_company_named_in_the_request_wins(client: ApiClient, company: Company) -> None:
    buyer = _buyer(client, company, "firm")
    assert _order(client, company, buyer, company_id=company.extra["other"]["id"])["company_id"] == \
        company.extra["other"]["id"]
    assert _order(client, company, buyer, company_id=None)["company_id"] is None  # the person buys for herself


def test_a_company_the_caller_may_not_read_is_left_out(client: ApiClient, company: Company) -> None:
    agent = add_member(client, company, role="agent", name="agent")
    buyer = _buyer(client, company, "firm", owner_id=agent.user_id)  # her contact, the owner's company
    made = _order(client, company, buyer, token=agent.token)
    assert made["company_id"] is None
