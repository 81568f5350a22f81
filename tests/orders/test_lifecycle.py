"""An order's life: created from products at their price, confirmed (stock reserved in the same transaction),
paid in parts, shipped, delivered or returned; cancelled gives the stock back; transitions are enforced."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member
from tests.orders.kit import move, ok, order, product, shop, stock_of
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return shop(ApiClient(app))


def test_a_product_line_takes_the_products_name_price_and_tax(client: ApiClient, company: Company) -> None:
    made = product(client, company, price=1999, tax_rate="20", unit="pcs")
    created = order(client, company, [{"product_id": made["id"], "quantity": "3"}])
    line = created["lines"][0]
    assert (line["description"], line["sku"], line["unit"], line["unit_price_minor"], line["tax_rate"]) == (
        made["name"], made["sku"], "pcs", 1999, "20")
    assert (line["net_minor"], line["tax_minor"], line["total_minor"]) == (5997, 1199, 7196)
    assert created["status"] == "new" and created["next_statuses"] == ["confirmed", "cancelled"]
    assert created["totals"]["total_minor"] == 7196 and created["payment_status"] == "unpaid"
    shown = ok(client.get(f"/api/v1/orders/{created['id']}", token=company.owner.token))
    assert shown["totals"] == created["totals"] and [e["kind"] for e in shown["timeline"]] == ["created"]


def test_confirm_reserves_cancel_releases(client: ApiClient, company: Company) -> None:
    made = product(client, company, stock="10")
    created = order(client, company, [{"product_id": made["id"], "quantity": "4"}])
    confirmed = ok(move(client, company, created, "confirmed"))
    assert confirmed["status"] == "confirmed"
    history = ok(client.get(f"/api/v1/orders/{created['id']}/timeline", token=company.owner.token))["items"]
    assert (history[0]["kind"], history[0]["data"]) == ("order_status", {"from": "new", "to": "confirmed"})
    assert stock_of(client, company, made["id"]) == {"on_hand": "10", "reserved": "4", "available": "6"}
    cancelled = ok(move(client, company, confirmed, "cancelled"))
    assert cancelled["status"] == "cancelled" and cancelled["next_statuses"] == []
    assert stock_of(client, company, made["id"]) == {"on_hand": "10", "reserved": "0", "available": "10"}


def test_two_confirmations_for_the_last_units_one_wins(client: ApiClient, company: Company) -> None:
    made = product(client, company, stock="5")
    first = order(client, company, [{"product_id": made["id"], "quantity": "3"}])
    second = order(client, company, [{"product_id": made["id"], "quantity": "3"}])
    ok(move(client, company, first, "confirmed"))
    refused = move(client, company, second, "confirmed")
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "insufficient_stock"
    after = ok(client.get(f"/api/v1/orders/{second['id']}", token=company.owner.token))
    assert after["status"] == "new" and after["version"] == second["version"]
    assert stock_of(client, company, made["id"]) == {"on_hand": "5", "reserved": "3", "available": "2"}


def test_payments_add_up_and_an_overpayment_is_refused(client: ApiClient, company: Company) -> None:
    created = order(client, company, [{"description": "Install", "quantity": "1", "unit_price_minor": 10000}])
    confirmed = ok(move(client, company, created, "confirmed"))
    path = f"/api/v1/orders/{created['id']}/payments"
    part = ok(client.post(path, {"version": confirmed["version"], "amount_minor": 4000, "method": "card"},
                          token=company.owner.token))
    assert (part["status"], part["paid_minor"], part["due_minor"], part["payment_status"]) == (
        "partially_paid", 4000, 6000, "partial")
    over = client.post(path, {"version": part["version"], "amount_minor": 6001, "method": "cash"},
                       token=company.owner.token)
    assert over.status_code == 422 and body(over)["error"]["details"][0]["type"] == "overpayment"
    paid = ok(client.post(path, {"version": part["version"], "amount_minor": 6000, "method": "cash",
                                 "paid_on": "2026-01-15"}, token=company.owner.token))
    assert (paid["status"], paid["payment_status"], len(paid["payments"])) == ("paid", "paid", 2)
    assert paid["paid_at"] is not None and paid["payments"][1]["paid_on"] == "2026-01-15"


def test_shipping_then_delivery_and_a_return_restocks(client: ApiClient, company: Company) -> None:
    made = product(client, company, stock="2.5", unit="kg")
    created = order(client, company, [{"product_id": made["id"], "quantity": "1.25"}],
                    shipping={"carrier": "DHL", "address": {"line1": "Main st 1", "city": "Berlin"}})
    shipped = ok(move(client, company, ok(move(client, company, created, "confirmed")), "shipped"))
    assert stock_of(client, company, made["id"]) == {"on_hand": "1.25", "reserved": "0", "available": "1.25"}
    tracked = ok(client.patch(f"/api/v1/orders/{created['id']}", {
        "version": shipped["version"], "shipping": {"carrier": "DHL", "tracking_number": "JD0123"}},
        token=company.owner.token))
    assert tracked["shipping"]["tracking_number"] == "JD0123"
    delivered = ok(move(client, company, tracked, "delivered"))
    returned = ok(move(client, company, delivered, "returned"))
    assert returned["status"] == "returned"
    assert stock_of(client, company, made["id"]) == {"on_hand": "2.5", "reserved": "0", "available": "2.5"}


@pytest.mark.parametrize(("path", "status"), [(["confirmed"], "delivered"), ([], "shipped"),
                                              (["cancelled"], "confirmed"), ([], "paid")])
def test_transitions_outside_the_flow_are_refused(client: ApiClient, company: Company, path: list[str],
                                                  status: str) -> None:
    created = order(client, company, [{"description": "Thing", "quantity": "1", "unit_price_minor": 100}])
    for step in path:
        created = ok(move(client, company, created, step))
    refused = move(client, company, created, status)
    assert refused.status_code == (422 if status == "paid" else 409), refused.body
    assert ok(client.get(f"/api/v1/orders/{created['id']}", token=company.owner.token))["version"] == \
        created["version"]


def test_lines_are_fixed_once_confirmed(client: ApiClient, company: Company) -> None:
    created = order(client, company, [{"description": "Thing", "quantity": "1", "unit_price_minor": 100}])
    confirmed = ok(move(client, company, created, "confirmed"))
    changed = client.patch(f"/api/v1/orders/{created['id']}", {
        "version": confirmed["version"], "lines": [{"description": "Thing", "quantity": "2",
                                                    "unit_price_minor": 100}]}, token=company.owner.token)
    assert changed.status_code == 409 and body(changed)["error"]["code"] == "order_locked"


def test_a_new_order_ships_to_its_customers_address_unless_it_names_one(client: ApiClient, company: Company) -> None:
    # An order from a contact whose card has a shipping address started with none: the plumber typed the street again
    owner = company.owner.token
    home = {"line1": "412 5th St", "city": "Brooklyn", "region": "NY", "postal_code": "11215", "country": "US"}
    buyer = ok(client.post("/api/v1/contacts", {"first_name": "Dana", "shipping_address": home}, token=owner), 201)
    line = [{"description": "Labour", "quantity": "1", "unit_price_minor": 30000}]
    made = ok(client.post("/api/v1/orders", {"currency": "EUR", "contact_id": buyer["id"], "lines": line},
                          token=owner), 201)
    assert made["shipping"]["address"] == home
    elsewhere = {"line1": "1 Dock St", "city": "Brooklyn"}
    named = ok(client.post("/api/v1/orders", {"currency": "EUR", "contact_id": buyer["id"], "lines": line,
                                              "shipping": {"address": elsewhere}}, token=owner), 201)
    assert named["shipping"]["address"] == elsewhere
    # a role that may not read contacts' shipping addresses does not get one through an order
    role = client.post("/api/v1/roles", {"key": "counter", "name": "Counter", "permissions": [
        "contacts:read:all", "orders:read:all", "orders:create:all", "contacts.shipping_address:hidden"]}, token=owner)
    assert role.status_code == 201, role.body
    counter = add_member(client, company, role="counter", name="counter")
    blind = ok(client.post("/api/v1/orders", {"currency": "EUR", "contact_id": buyer["id"], "lines": line},
                           token=counter.token), 201)
    assert not blind["shipping"].get("address")


def test_an_order_needs_a_customer(client: ApiClient, company: Company) -> None:
    refused = client.post("/api/v1/orders", {"currency": "EUR", "lines": [
        {"description": "Thing", "quantity": "1", "unit_price_minor": 100}]}, token=company.owner.token)
    assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "customer_required"


def test_a_confirmation_reserves_products_the_confirming_agent_may_not_read(client: ApiClient,
                                                                           company: Company) -> None:
    from tests.factories import add_member

    agent = add_member(client, company, role="agent", name="confirmer")
    made = product(client, company, stock="5")  # the owner's product: outside an agent's own scope
    created = order(client, company, [{"product_id": made["id"], "quantity": "2"}], owner_id=agent.user_id)
    confirmed = client.post(f"/api/v1/orders/{created['id']}/status", {"status": "confirmed",
                                                                       "version": created["version"]},
                            token=agent.token)
    assert confirmed.status_code == 200, confirmed.body
    assert stock_of(client, company, made["id"]) == {"on_hand": "5", "reserved": "2", "available": "3"}
