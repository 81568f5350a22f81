"""message.received and send_message (#19): a customer's message runs the rules whose channel, words and
first-message choice it meets, once per message, as the rule; a rule answers in the contact's latest
conversation, as free text inside WhatsApp's 24-hour window and as its template outside it, recorded in the run
log; without a template outside the window the step fails, and nothing is sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db
from tests.events.conftest import Feed
from tests.factories import Company, signup
from tests.messaging.kit import APP_SECRET, make_conversation, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post


def _rule(client: ApiClient, company: Company, **shape: Any) -> dict[str, Any]:
    made = client.post("/api/v1/automations", {"name": "Rule", **shape}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _runs(client: ApiClient, company: Company, rule: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body(client.get(f"/api/v1/automations/{rule['id']}/runs", token=company.owner.token))["items"])


def _customer_writes(client: ApiClient, company: Company, text: str, n: int) -> None:
    line = body(client.get("/api/v1/integrations", token=company.owner.token))["items"][0]
    chat = Chat(customer="+79161230055", name="Sample Customer")
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                           whatsapp_message(chat, n, "text", {"body": text}))])
    assert answer.status_code == 200, answer.body


def test_a_message_runs_matching_rules_once_and_the_answer_stays_in_the_window(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Message rules")
    price = _rule(client, company, trigger={"type": "message.received", "channel": "whatsapp",
                                            "text_contains": "PRICE"},
                  actions=[{"type": "send_message", "text": "Our prices: example.com/prices",
                            "template": {"name": "price_list", "language": "en"}}])
    first = _rule(client, company, trigger={"type": "message.received", "first_only": True},
                  actions=[{"type": "create_task", "title": "Answer the new chat", "due_in_minutes": 10}])
    telegram = _rule(client, company, trigger={"type": "message.received", "channel": "telegram"},
                     actions=[{"type": "create_task", "title": "Never", "due_in_minutes": 10}])
    conversation = make_conversation(client, company.owner.token, customer="+79161230055")  # "Sample hi"
    assert feed.deliver() == {"batchItemFailures": []}
    assert len(_runs(client, company, first)) == 1 and _runs(client, company, price) == []
    told = body(client.get("/api/v1/notifications", token=company.owner.token))["items"]
    assert [(n["type"], n["subject"]) for n in told if n["type"] == "message.received"] == [
        ("message.received", {"type": "conversation", "id": conversation["id"]})]  # the assignee is told once

    _customer_writes(client, company, "What is the price?", 2)
    assert feed.deliver() == {"batchItemFailures": []}
    feed.deliver(feed.delivered)  # redelivered: nothing runs twice
    [run] = _runs(client, company, price)
    assert run["trigger_type"] == "message.received" and run["subject"]["type"] == "contact"
    assert run["steps"][0]["status"] == "done" and "a message" in run["steps"][0]["detail"]
    said = [(m["direction"], m["text"]) for m in thread(client, company, conversation["id"])]
    assert said[-1] == ("out", "Our prices: example.com/prices") and len(said) == 3
    assert len(_runs(client, company, first)) == 1 and _runs(client, company, telegram) == []
    assert feed.deliver() == {"batchItemFailures": []}  # the rule's own message triggers nothing

    outside = _rule(client, company, trigger={"type": "record.updated", "entity": "contact", "fields": ["tags"]},
                    actions=[{"type": "send_message", "text": "Still interested?",
                              "template": {"name": "follow_up", "language": "en", "parameters": ["Sample"]}},
                             {"type": "send_message", "text": "No template for after the window"}])
    contact = body(client.get(f"/api/v1/contacts/{conversation['contact_id']}", token=company.owner.token))
    real_now = db.utcnow()  # a day later the window is shut: only the template goes out
    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(hours=25))
    tagged = client.patch(f"/api/v1/contacts/{contact['id']}", {"tags": ["cold"], "version": contact["version"]},
                          token=company.owner.token)
    assert tagged.status_code == 200, tagged.body
    assert feed.deliver() == {"batchItemFailures": []}
    [run] = _runs(client, company, outside)
    assert [step["status"] for step in run["steps"]] == ["done", "failed"], run
    assert "a template" in run["steps"][0]["detail"] and "reply window" in run["steps"][1]["detail"]
    last = thread(client, company, conversation["id"])[-1]
    assert last["direction"] == "out" and last["kind"] == "template", last
    assert len(thread(client, company, conversation["id"])) == 4  # nothing went out for the failed step
