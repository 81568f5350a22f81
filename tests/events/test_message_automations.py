"""message.received and send_message (#19): a customer's message runs the rules whose channel, words and
first-message choice it meets, once per message, as the rule; a rule answers in the contact's latest
conversation, as free text inside WhatsApp's 24-hour window and as its template outside it, recorded in the run
log; without a template outside the window the step fails, and nothing is sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db
from chalicelib.due import service as due
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
    assert (run["steps"][0]["code"], run["steps"][0]["params"]) == (
        "message_sent", {"conversation_id": conversation["id"]})  # the web app links the conversation
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
    assert [(step["code"], step["params"]) for step in run["steps"]] == [
        ("template_sent", {"conversation_id": conversation["id"]}), ("outside_window", {})]
    last = thread(client, company, conversation["id"])[-1]
    assert last["direction"] == "out" and last["kind"] == "template", last
    assert len(thread(client, company, conversation["id"])) == 4  # nothing went out for the failed step


def test_a_rule_s_message_goes_out_at_most_once_through_a_crash_and_again_after_a_channel_outage(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.automations.models import AutomationRun
    from chalicelib.channels import transport
    from chalicelib.core import errors

    company = signup(client, company="Message once")
    rule = _rule(client, company, trigger={"type": "message.received", "text_contains": "HOURS"},
                 actions=[{"type": "send_message", "text": "We are open 9 to 18"}])
    conversation = make_conversation(client, company.owner.token, customer="+79161230055")
    feed.deliver()
    outgoing = lambda: [m for m in thread(client, company, conversation["id"]) if m["direction"] == "out"]  # noqa: E731

    # The message went out, then the Lambda died before the run recorded it: the redelivered event sends nothing.
    saved = AutomationRun.save
    crashes = [errors.ServiceUnavailableError()]

    def save_then_crash(run: AutomationRun, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("condition") is None and crashes and any(s["status"] == "done" for s in run.steps):
            raise crashes.pop()
        return saved(run, *args, **kwargs)

    monkeypatch.setattr(AutomationRun, "save", save_then_crash)
    _customer_writes(client, company, "Your HOURS?", 2)
    failed = feed.deliver()["batchItemFailures"]
    assert failed and not crashes and len(outgoing()) == 1
    records = {r["dynamodb"]["SequenceNumber"]: r for r in feed.delivered}
    assert feed.deliver([records[f["itemIdentifier"]] for f in failed]) == {"batchItemFailures": []}
    [run] = _runs(client, company, rule)
    assert len(outgoing()) == 1, outgoing()  # never twice (it was, before the begun mark)
    assert run["steps"][0]["status"] == "failed" and "not sent again" in run["steps"][0]["detail"], run
    assert run["steps"][0]["code"] == "interrupted", run

    # The channel refused the message (a 503): nothing went out, so its retry sends it, once.
    answers = [transport.Answer(503, b'{"error":{"message":"Service unavailable","code":2}}')]
    real = transport._RESPONDERS["whatsapp"]
    monkeypatch.setitem(transport._RESPONDERS, "whatsapp", lambda request: answers.pop() if answers else real(request))
    _customer_writes(client, company, "HOURS on Sunday?", 3)
    assert feed.deliver() == {"batchItemFailures": []}
    run = next(r for r in _runs(client, company, rule) if r["status"] != "failed")
    assert run["status"] == "retrying" and not answers and len(outgoing()) == 1, run
    due.run_due(now=db.utcnow() + timedelta(minutes=2))
    run = next(r for r in _runs(client, company, rule) if r["id"] == run["id"])
    assert (run["status"], run["steps"][0]["attempts"]) == ("done", 2), run
    assert [m["text"] for m in outgoing()] == ["We are open 9 to 18", "We are open 9 to 18"]
