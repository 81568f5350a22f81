"""Rules on an order's events (#23) act for the order's customer as a deal's do: a message goes to the order's
contact on the rule's channel, a task is about that contact and its title says which order, and ``move_deal`` moves
the deal the order belongs to (a paid order marks its deal won, so deal reports count a shop that works through
orders)."""

from __future__ import annotations

from typing import Any

from tests.events.conftest import Feed, feed  # noqa: F401 - the stream fixture, for these tests too
from tests.factories import Company
from tests.messaging.kit import make_conversation, thread
from tests.orders.kit import move, ok, shop
from tests.support import ApiClient

VISIT = [{"description": "Service 60,000 km, Toyota Camry", "quantity": "1", "unit_price_minor": 1_500_000}]


def _rule(client: ApiClient, company: Company, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(ok(client.post("/api/v1/automations", {"name": "After the visit", "trigger": {"type": "order.paid"},
                                                       "actions": actions}, token=company.owner.token), 201))


def _paid(client: ApiClient, company: Company, contact_id: str | None, **fields: Any) -> dict[str, Any]:
    """An order of the contact (or of the company named in fields), confirmed and paid in full."""
    token = company.owner.token
    customer = {"contact_id": contact_id} if contact_id else {}
    made = ok(client.post("/api/v1/orders", {"currency": "RUB", "lines": VISIT, **customer, **fields}, token=token),
              201)
    confirmed = ok(move(client, company, made, "confirmed"))
    ok(client.post(f"/api/v1/orders/{made['id']}/payments",
                   {"version": confirmed["version"], "amount_minor": 1_500_000, "method": "card"}, token=token))
    return dict(made)


def _run(client: ApiClient, company: Company, rule: dict[str, Any]) -> dict[str, Any]:
    [run] = ok(client.get(f"/api/v1/automations/{rule['id']}/runs", token=company.owner.token))["items"]
    return dict(run)


def test_an_orders_message_goes_to_its_contact_on_the_rules_channel(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    conversation = make_conversation(client, company.owner.token, customer="+79161230077")
    rule = _rule(client, company, [{"type": "send_message", "channel": "whatsapp",
                                    "text": "{first_name}, how was your visit?"}])
    made = _paid(client, company, conversation["contact_id"])
    assert feed.deliver() == {"batchItemFailures": []}
    step = _run(client, company, rule)["steps"][0]
    assert (step["status"], step["code"], step["params"]) == (
        "done", "message_sent", {"conversation_id": conversation["id"]}), step
    said = thread(client, company, conversation["id"])[-1]
    assert (said["direction"], said["text"]) == ("out", "Sample, how was your visit?")
    assert made["contact_id"] == conversation["contact_id"]


def test_an_order_of_a_company_writes_to_its_only_contact(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    token = company.owner.token
    fleet = ok(client.post("/api/v1/companies", {"name": "Lilac Taxi"}, token=token), 201)
    conversation = make_conversation(client, token, customer="+79161230078")
    ok(client.post(f"/api/v1/companies/{fleet['id']}/contacts", {"contact_id": conversation["contact_id"]},
                   token=token))
    rule = _rule(client, company, [{"type": "send_message", "channel": "whatsapp", "text": "How was the visit?"}])
    _paid(client, company, None, company_id=fleet["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    step = _run(client, company, rule)["steps"][0]
    assert (step["status"], step["code"]) == ("done", "message_sent"), step

    # A company of two contacts: whom to write to would be a guess, so the step fails, recorded, nothing sent.
    ok(client.post("/api/v1/contacts", {"first_name": "Second", "company_ids": [fleet["id"]]}, token=token), 201)
    sent = len(thread(client, company, conversation["id"]))
    _paid(client, company, None, company_id=fleet["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    runs = ok(client.get(f"/api/v1/automations/{rule['id']}/runs", token=token))["items"]
    assert sorted(run["steps"][0]["code"] for run in runs) == ["message_sent", "no_contact"]
    assert len(thread(client, company, conversation["id"])) == sent


def test_an_orders_task_is_about_its_contact_and_names_the_order(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    contact = company.extra["contact"]
    rule = _rule(client, company, [{"type": "create_task", "title": "Invite to the next service: {title}",
                                    "due_in_minutes": 60 * 24 * 30 * 6}])
    _paid(client, company, contact["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    step = _run(client, company, rule)["steps"][0]
    assert step["code"] == "task_created", step
    task = ok(client.get(f"/api/v1/tasks/{step['params']['task_id']}", token=company.owner.token))
    assert task["title"] == "Invite to the next service: Service 60,000 km, Toyota Camry"
    assert (task["related"]["type"], task["related"]["id"]) == ("contact", contact["id"])


def test_a_paid_order_wins_the_deal_it_belongs_to(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    token = company.owner.token
    contact = company.extra["contact"]
    pipeline = ok(client.get("/api/v1/pipelines", token=token))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    deal = ok(client.post("/api/v1/deals", {"title": "Camry service", "contact_ids": [contact["id"]]}, token=token),
              201)
    rule = _rule(client, company, [{"type": "move_deal", "stage_id": won}])
    _paid(client, company, contact["id"], deal_id=deal["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    step = _run(client, company, rule)["steps"][0]
    assert (step["status"], step["code"]) == ("done", "moved"), step
    assert step["params"] == {"stage_id": won, "deal_id": deal["id"]}
    card = ok(client.get(f"/api/v1/deals/{deal['id']}", token=token))["deal"]
    assert (card["stage_id"], card["status"]) == (won, "won")

    alone = _rule(client, company, [{"type": "move_deal", "stage_id": won}])  # an order of no deal moves nothing
    ok(client.patch(f"/api/v1/automations/{rule['id']}", {"enabled": False, "version": rule["version"]}, token=token))
    _paid(client, company, contact["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    step = _run(client, company, alone)["steps"][0]
    assert (step["status"], step["code"]) == ("failed", "no_deal"), step
