"""Orders carry the company's numbers (1, 2, 3 ... as they were made, no gaps, no repeats): on the order, its list
row and card, found by typing the number in the list, and given once when two creates race for one number."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.orders.models import OrderCounter
from chalicelib.records import numbering
from tests.factories import Company, signup
from tests.orders.kit import ok, order, shop
from tests.support import ApiClient

FREE_LINE = {"description": "Brake pads", "quantity": "1", "unit_price_minor": 4500, "tax_rate": "20"}


@pytest.fixture()
def company(app: Any) -> Company:
    return shop(ApiClient(app))


def _list(client: ApiClient, company: Company, query: str = "") -> list[dict[str, Any]]:
    return list(ok(client.get(f"/api/v1/orders?limit=200{query}", token=company.owner.token))["items"])


def test_each_company_numbers_its_orders_from_one_in_the_order_they_were_made(client: ApiClient,
                                                                               company: Company) -> None:
    made = [order(client, company, [FREE_LINE]) for _ in range(3)]
    assert [found["number"] for found in made] == [1, 2, 3]
    other = shop(client)
    assert order(client, other, [FREE_LINE])["number"] == 1  # another company's run of numbers is its own
    listed = {item["id"]: item["number"] for item in _list(client, company)}
    assert listed == {found["id"]: found["number"] for found in made}
    card = ok(client.get(f"/api/v1/orders/{made[1]['id']}", token=company.owner.token))
    assert card["number"] == 2


def test_a_change_keeps_the_number_and_a_request_cannot_set_one(client: ApiClient, company: Company) -> None:
    made = order(client, company, [FREE_LINE])
    changed = ok(client.patch(f"/api/v1/orders/{made['id']}", {"notes": "Call first", "version": made["version"]},
                              token=company.owner.token))
    assert changed["number"] == made["number"]
    refused = client.post("/api/v1/orders", {"currency": "EUR", "contact_id": company.extra["contact"]["id"],
                                             "lines": [FREE_LINE], "number": 7}, token=company.owner.token)
    assert refused.status_code == 422
    assert order(client, company, [FREE_LINE])["number"] == made["number"] + 1  # the refusal took no number


def test_an_upserted_order_takes_the_next_number_and_keeps_it(client: ApiClient, company: Company) -> None:
    first = order(client, company, [FREE_LINE])
    url = "/api/v1/orders/by-external-id/1C-00012"
    sent = {"currency": "EUR", "contact_id": company.extra["contact"]["id"], "lines": [FREE_LINE]}
    created = ok(client.put(url, sent, token=company.owner.token), 201)
    assert created["number"] == first["number"] + 1
    again = ok(client.put(url, {**sent, "notes": "Paid by card"}, token=company.owner.token))
    assert again["number"] == created["number"]


@pytest.mark.parametrize("typed", ["2", "№2", "№ 2", "#2", "No. 2", "002"])
def test_typing_a_number_in_the_list_finds_that_order(client: ApiClient, company: Company, typed: str) -> None:
    from urllib.parse import quote

    made = [order(client, company, [FREE_LINE]) for _ in range(3)]
    found = _list(client, company, f"&q={quote(typed)}")
    assert [item["id"] for item in found] == [made[1]["id"]]
    assert _list(client, company, "&q=99") == []
    assert _list(client, company, "&q=2&status=confirmed") == []  # the other filters still apply


def test_a_search_that_is_no_number_is_refused(client: ApiClient, company: Company) -> None:
    response = client.get("/api/v1/orders?q=brake", token=company.owner.token)
    assert response.status_code == 422


def test_another_company_never_finds_an_order_by_its_number(client: ApiClient, company: Company) -> None:
    order(client, company, [FREE_LINE])
    stranger = signup(client, company="Stranger Shop")
    assert ok(client.get("/api/v1/orders?q=1", token=stranger.owner.token))["items"] == []


def test_two_creates_racing_for_one_number_both_commit_with_consecutive_numbers(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second create read the counter before the first committed: its conditional write fails, it reads the
    counter again and takes the next number; no number is given twice or skipped."""
    first = order(client, company, [FREE_LINE])
    real_advance = numbering.advance
    raced: list[dict[str, Any]] = []
    reads: list[int] = []

    def advance(ctx: Any, model: type[Any], pk: str, sk: str, **names: Any) -> tuple[Any, int]:
        found = real_advance(ctx, model, pk, sk, **names)
        reads.append(found[1])
        if model is OrderCounter and len(reads) == 1:  # another create slips in between this read and this write
            raced.append(order(client, company, [FREE_LINE]))
        return found

    monkeypatch.setattr(numbering, "advance", advance)
    second = order(client, company, [FREE_LINE])
    assert raced[0]["number"] == first["number"] + 1
    assert second["number"] == first["number"] + 2
    assert reads == [first["number"] + 1, first["number"] + 1, first["number"] + 2]  # it read again after losing
    numbers = sorted(item["number"] for item in _list(client, company))
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_create_refused_for_its_own_reason_takes_no_number(client: ApiClient, company: Company) -> None:
    sent = {"currency": "EUR", "contact_id": company.extra["contact"]["id"], "lines": [FREE_LINE],
            "external_id": "SHOP-1"}
    made = ok(client.post("/api/v1/orders", sent, token=company.owner.token), 201)
    duplicate = client.post("/api/v1/orders", sent, token=company.owner.token)
    assert duplicate.status_code == 409 and duplicate.json_body["error"]["code"] == "duplicate_external_id"
    assert order(client, company, [FREE_LINE])["number"] == made["number"] + 1
