"""The inbox over the API: filters, unread counts, read, assign, close and reopen with versions, record scope,
starting a conversation from a contact's card, counters for the reports, and live pushes of new messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.live import service as live_service
from tests.factories import Company, add_member, signup
from tests.messaging.kit import APP_SECRET, create_line, get, inbox, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_requests, whatsapp_message, whatsapp_post


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Inbox Ltd", country="RU")


def _write(client: ApiClient, line: dict[str, Any], customer: str, text: str = "Hi", n: int = 1) -> None:
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                           whatsapp_message(Chat(customer=customer), n, "text", {"body": text}))])
    assert answer.status_code == 200, answer.body


def test_filters_unread_read_close_and_reopen(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    whatsapp = create_line(client, company, "whatsapp")
    telegram = create_line(client, company, "telegram")
    _write(client, whatsapp, "+79161000001")
    play(client, telegram_requests(telegram["webhook_url"], secret_token=telegram["secret"],
                                   chat=Chat(chat_id=991))[:1])
    both = inbox(client, company)
    assert {c["channel"] for c in both} == {"whatsapp", "telegram"}
    [wa] = inbox(client, company, "?channel=whatsapp")
    assert get(client, token, "/api/v1/conversations/unread") == {"conversations": 2, "more": 0}
    read = client.post(f"/api/v1/conversations/{wa['id']}/read", token=token)
    assert read.status_code == 200 and body(read)["unread_count"] == 0
    assert [c["id"] for c in inbox(client, company, "?unread=false")] == [wa["id"]]
    assert wa["id"] not in [c["id"] for c in inbox(client, company, "?unread=true")]
    version = body(read)["version"]
    stale = client.post(f"/api/v1/conversations/{wa['id']}/close", {"version": version - 1}, token=token)
    assert stale.status_code == 409
    closed = client.post(f"/api/v1/conversations/{wa['id']}/close", {"version": version}, token=token)
    assert closed.status_code == 200 and body(closed)["status"] == "closed"
    assert [c["id"] for c in inbox(client, company, "?status=closed")] == [wa["id"]]
    _write(client, whatsapp, "+79161000001", "One more thing", n=2)  # the customer's next message reopens it
    again = get(client, token, f"/api/v1/conversations/{wa['id']}")
    assert again["status"] == "open" and again["unread_count"] == 1
    assert again["last_message_preview"] == "One more thing"
    closed = client.post(f"/api/v1/conversations/{wa['id']}/close", {"version": again["version"]}, token=token)
    reopened = client.post(f"/api/v1/conversations/{wa['id']}/reopen", {"version": body(closed)["version"]},
                           token=token)
    assert reopened.status_code == 200 and body(reopened)["status"] == "open"
    bad = client.get("/api/v1/conversations?channel=fax", token=token)
    assert bad.status_code == 422


def test_an_agent_sees_and_answers_only_its_own_conversations(client: ApiClient, company: Company) -> None:
    agent = add_member(client, company, role="agent", name="ownagent")
    line = create_line(client, company, "whatsapp")
    _write(client, line, "+79161000002")
    _write(client, line, "+79161000003")
    mine, other = inbox(client, company)
    assert get(client, agent.token, "/api/v1/conversations")["items"] == []
    handed = client.post(f"/api/v1/conversations/{mine['id']}/assign",
                         {"version": mine["version"], "assignee_id": agent.user_id}, token=company.owner.token)
    assert handed.status_code == 200 and body(handed)["assignee_id"] == agent.user_id
    assert [c["id"] for c in get(client, agent.token, "/api/v1/conversations")["items"]] == [mine["id"]]
    assert client.get(f"/api/v1/conversations/{other['id']}", token=agent.token).status_code == 404
    hidden = client.post(f"/api/v1/conversations/{other['id']}/messages", {"text": "Hi"}, token=agent.token)
    assert hidden.status_code == 404
    assert len(thread(client, company, other["id"])) == 1  # nothing was sent or written
    answered = client.post(f"/api/v1/conversations/{mine['id']}/messages", {"text": "I'm on it"}, token=agent.token)
    assert answered.status_code == 201, answered.body
    current = get(client, company.owner.token, f"/api/v1/conversations/{mine['id']}")["version"]
    nobody = client.post(f"/api/v1/conversations/{mine['id']}/assign",
                         {"version": current, "assignee_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
                         token=company.owner.token)
    assert nobody.status_code == 422


def test_a_conversation_starts_from_the_card_and_counts_for_the_reports(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    whatsapp = create_line(client, company, "whatsapp")
    made = client.post("/api/v1/contacts", {"first_name": "Cardholder", "phones": [{"number": "+79161000004"}]},
                       token=token)
    contact = body(made)
    text = client.post("/api/v1/conversations", {"contact_id": contact["id"], "integration_id": whatsapp["id"],
                                                 "text": "Hello from the card"}, token=token)
    assert text.status_code == 422 and body(text)["error"]["code"] == "template_required"
    started = client.post("/api/v1/conversations", {"contact_id": contact["id"], "integration_id": whatsapp["id"],
                                                    "template": {"name": "welcome", "language": "en_US"}},
                          token=token)
    assert started.status_code == 201, started.body
    conversation = body(started)
    assert conversation["contact_id"] == contact["id"] and conversation["message"]["kind"] == "template"
    assert conversation["window"]["open"] is False
    assert conversation["customer_name"] == "Cardholder"  # the inbox names it as the card does, not "Customer"
    _write(client, whatsapp, "+79161000004", "Thanks for writing")
    [listed] = inbox(client, company, f"?contact_id={contact['id']}")
    assert listed["id"] == conversation["id"]  # the customer's answer lands in the same conversation
    assert listed["customer_name"] == "Cardholder"
    reply = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Glad to help"},
                        token=token)
    assert reply.status_code == 201
    # the stats count by the company's day: near midnight its date is not the UTC one
    zone = ZoneInfo(get(client, token, "/api/v1/tenant")["timezone"])
    day = datetime.fromisoformat(conversation["created_at"]).astimezone(zone).date().isoformat()
    [row] = get(client, token, f"/api/v1/conversations/stats?from={day}&to={day}")["items"]
    assert row["channel"] == "whatsapp" and row["user_id"] == company.owner.user_id
    assert (row["inbound"], row["outbound"], row["conversations"], row["first_responses"]) == (1, 2, 1, 1)
    assert row["average_first_response_seconds"] is not None
    nochat = client.post("/api/v1/contacts", {"first_name": "Nochat"}, token=token)
    refused = client.post("/api/v1/conversations", {"contact_id": body(nochat)["id"],
                                                    "integration_id": whatsapp["id"],
                                                    "template": {"name": "welcome", "language": "en"}}, token=token)
    assert refused.status_code == 422


def test_new_messages_and_statuses_are_pushed_to_the_assignee(client: ApiClient, company: Company,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pushed: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(live_service, "push", lambda ctx, users, message: pushed.append((list(users), message)) or 1)
    line = create_line(client, company, "whatsapp")
    _write(client, line, "+79161000005", "Are you open?")
    [(users, message)] = pushed
    assert users == [company.owner.user_id] and message["type"] == "conversation.message"
    assert message["message"]["text"] == "Are you open?" and message["conversation"]["unread_count"] == 1
    [conversation] = inbox(client, company)
    sent = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Yes"},
                       token=company.owner.token)
    from webhooks.messengers import whatsapp_status

    play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                whatsapp_status(Chat(customer="+79161000005"), body(sent)["provider_message_id"],
                                                "delivered"))])
    status = pushed[-1][1]
    assert status == {"type": "conversation.status", "conversation_id": conversation["id"],
                      "message_id": body(sent)["id"], "status": "delivered", "error": None}
