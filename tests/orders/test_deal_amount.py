"""A deal's amount follows its orders (as Pipedrive's value follows a deal's products): set by the system in the
order's own transaction on its creation and every change of its lines or status, read-only to a person while an
order counts, summed over the deal's orders in the oldest one's currency, and won revenue counts it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.events.conftest import Feed, feed, frozen  # noqa: F401 - the stream fixture, for these tests too
from tests.factories import Company
from tests.orders.kit import move, ok, order, shop
from tests.support import ApiClient

WON = datetime(2031, 6, 10, 12, 0, tzinfo=UTC)  # noon in Moscow, London and New York alike: one day everywhere
COURSE = [{"description": f"Course, payment {n}", "quantity": "1", "unit_price_minor": 1_200_000} for n in (1, 2, 3)]


def _deal(client: ApiClient, company: Company, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post("/api/v1/deals", {"title": "Course for Anna", "contact_ids": [
        company.extra["contact"]["id"]], "amount": {"minor": 5_000_00, "currency": "RUB"}, **fields},
        token=company.owner.token), 201))


def _card(client: ApiClient, company: Company, deal: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/v1/deals/{deal['id']}", token=company.owner.token))["deal"])


def _won(client: ApiClient, company: Company, deal: dict[str, Any]) -> dict[str, Any]:
    token = company.owner.token
    pipeline = ok(client.get("/api/v1/pipelines", token=token))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    return dict(ok(client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": won, "version": deal["version"]},
                               token=token)))


def test_the_deals_amount_is_its_orders_total_and_a_hand_edit_is_refused(client: ApiClient) -> None:
    company = shop(client)
    token = company.owner.token
    deal = _deal(client, company)
    made = order(client, company, COURSE, currency="RUB", deal_id=deal["id"])
    card = _card(client, company, deal)
    assert card["amount"] == {"minor": 3_600_000, "currency": "RUB"} and card["amount_orders"] == [made["id"]]

    entries = ok(client.get(f"/api/v1/audit?entity=deal&entity_id={deal['id']}", token=token))["items"]
    followed = next(entry for entry in entries if entry["action"] == "order_amount")
    assert followed["actor_kind"] == "system" and followed["actor_id"] == f"order:{made['id']}"
    assert followed["changes"]["amount_minor"] == {"before": 5_000_00, "after": 3_600_000}
    assert followed["revertable"] is False

    refused = client.patch(f"/api/v1/deals/{deal['id']}", {"version": card["version"],
                                                          "amount": {"minor": 1, "currency": "RUB"}}, token=token)
    assert refused.status_code == 409 and ok(refused, 409)["error"]["code"] == "amount_follows_orders"
    assert _card(client, company, deal)["amount"]["minor"] == 3_600_000  # nothing changed
    same = ok(client.patch(f"/api/v1/deals/{deal['id']}", {"version": card["version"], "title": "Course, 3 parts",
                                                          "amount": card["amount"]}, token=token))
    assert same["title"] == "Course, 3 parts"  # the form sends the amount it showed: the rest is saved

    halved = [*COURSE[:2], {**COURSE[2], "discount_percent": "50"}]
    changed = ok(client.patch(f"/api/v1/orders/{made['id']}", {"version": made["version"], "lines": halved},
                              token=token))
    assert _card(client, company, deal)["amount"]["minor"] == changed["totals"]["total_minor"] == 3_000_000

    second = order(client, company, [{"description": "Textbook", "quantity": "1", "unit_price_minor": 150_000}],
                   currency="RUB", deal_id=deal["id"])
    euro = order(client, company, [{"description": "Exam fee", "quantity": "1", "unit_price_minor": 9_000}],
                 currency="EUR", deal_id=deal["id"])
    card = _card(client, company, deal)
    assert card["amount"] == {"minor": 3_150_000, "currency": "RUB"}
    assert card["amount_orders"] == [made["id"], second["id"]] and card["amount_other_orders"] == [euro["id"]]

    ok(move(client, company, ok(client.get(f"/api/v1/orders/{made['id']}", token=token)), "cancelled"))
    assert _card(client, company, deal)["amount"]["minor"] == 150_000
    ok(move(client, company, second, "cancelled"))
    card = _card(client, company, deal)  # only the euro order is left: the deal follows it
    assert card["amount"] == {"minor": 9_000, "currency": "EUR"} and card["amount_orders"] == [euro["id"]]
    ok(move(client, company, euro, "cancelled"))
    card = _card(client, company, deal)  # no order counts: the amount it had by hand, editable again
    assert card["amount"] == {"minor": 5_000_00, "currency": "RUB"} and card["amount_orders"] == []
    ok(client.patch(f"/api/v1/deals/{deal['id']}", {"version": card["version"],
                                                   "amount": {"minor": 7_000_00, "currency": "RUB"}}, token=token))


def test_a_deal_in_the_trash_comes_back_at_its_orders_total(client: ApiClient) -> None:
    company = shop(client)
    token = company.owner.token
    deal = _deal(client, company)
    made = order(client, company, COURSE, currency="RUB", deal_id=deal["id"])
    assert client.delete(f"/api/v1/deals/{deal['id']}", token=token).status_code in (200, 204)
    ok(client.patch(f"/api/v1/orders/{made['id']}", {"version": made["version"], "lines": COURSE[:1]}, token=token))
    ok(client.post(f"/api/v1/deals/{deal['id']}/restore", {}, token=token))
    card = _card(client, company, deal)
    assert card["amount"] == {"minor": 1_200_000, "currency": "RUB"} and card["amount_orders"] == [made["id"]]


def test_an_order_change_that_leaves_its_total_writes_nothing_on_the_deal(client: ApiClient) -> None:
    company = shop(client)
    deal = _deal(client, company)
    made = order(client, company, COURSE, currency="RUB", deal_id=deal["id"])
    version = _card(client, company, deal)["version"]
    noted = ok(client.patch(f"/api/v1/orders/{made['id']}", {"version": made["version"], "notes": "Pays by card"},
                            token=company.owner.token))
    confirmed = ok(move(client, company, noted, "confirmed"))
    ok(client.post(f"/api/v1/orders/{made['id']}/payments", {"version": confirmed["version"],
                                                             "amount_minor": 1_200_000, "method": "card"},
                   token=company.owner.token))
    assert _card(client, company, deal)["version"] == version


def test_won_revenue_counts_the_order_filled_in_after_the_win_once(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    token = company.owner.token
    currency = ok(client.get("/api/v1/reports/sources", token=token))["currency"]  # what the reports sum
    deal = _won(client, company, _deal(client, company, amount={"minor": 0, "currency": currency}))
    assert feed.deliver() == {"batchItemFailures": []}

    def revenue() -> dict[str, int]:
        sources = ok(client.get("/api/v1/reports/sources", token=token))["items"]
        managers = ok(client.get("/api/v1/reports/managers", token=token))["items"]
        return {"sources": sum(int(row["revenue"]) for row in sources),
                "managers": sum(int(row["revenue"]) for row in managers)}

    assert revenue() == {"sources": 0, "managers": 0}
    made = order(client, company, COURSE, currency=currency, deal_id=deal["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    assert revenue() == {"sources": 3_600_000, "managers": 3_600_000}

    ok(client.patch(f"/api/v1/orders/{made['id']}", {"version": made["version"], "lines": COURSE[:2]}, token=token))
    assert feed.deliver() == {"batchItemFailures": []}
    assert revenue() == {"sources": 2_400_000, "managers": 2_400_000}  # moved by the difference, not added again
    feed.deliver(feed.delivered)  # redelivered: counted once
    assert revenue() == {"sources": 2_400_000, "managers": 2_400_000}


def test_revenue_from_an_order_filled_in_later_counts_on_the_day_the_deal_was_won(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    company = shop(client)
    token = company.owner.token
    currency = ok(client.get("/api/v1/reports/sources", token=token))["currency"]
    with frozen(monkeypatch, WON):
        deal = _won(client, company, _deal(client, company, amount={"minor": 0, "currency": currency}))
        assert feed.deliver() == {"batchItemFailures": []}
    with frozen(monkeypatch, WON + timedelta(days=3)):
        order(client, company, COURSE, currency=currency, deal_id=deal["id"])
        assert feed.deliver() == {"batchItemFailures": []}

    def revenue(period: str) -> int:
        return sum(int(row["revenue"]) for row in ok(client.get(f"/api/v1/reports/managers?{period}",
                                                                token=token))["items"])

    assert revenue("from=2031-06-10&to=2031-06-10") == 3_600_000  # the day it was won
    assert revenue("from=2031-06-11&to=2031-06-30") == 0  # not again on the day the order came


def test_the_card_names_the_orders_it_counts_by_number_reading_nothing_more(client: ApiClient,
                                                                           tenancy_watcher: Any) -> None:
    """The card's "amount from orders" named each order by the tail of its id ("№XXXXXX") where the orders list says
    "Order #154": the numbers come with the ids, written with the amount, so the card reads what it read before."""
    company = shop(client)
    bare = _deal(client, company, title="No orders yet")
    deal = _deal(client, company)
    first = order(client, company, COURSE[:1], currency="RUB", deal_id=deal["id"])
    second = order(client, company, COURSE[1:], currency="RUB", deal_id=deal["id"])
    euro = order(client, company, COURSE[:1], currency="EUR", deal_id=deal["id"])
    assert [first["number"], second["number"], euro["number"]] == [1, 2, 3]

    def card_requests(of: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        tenancy_watcher.reset()
        card = _card(client, company, of)
        return card, [operation for operation, _ in tenancy_watcher.requests]

    card, requests = card_requests(deal)
    assert card["amount_orders"] == [first["id"], second["id"]] and card["amount_other_orders"] == [euro["id"]]
    assert card["amount_order_numbers"] == {first["id"]: 1, second["id"]: 2, euro["id"]: 3}
    assert requests == card_requests(bare)[1]  # the same requests as a deal with no orders
    assert move(client, company, second, "cancelled").status_code == 200
    assert _card(client, company, deal)["amount_order_numbers"] == {first["id"]: 1, euro["id"]: 3}
