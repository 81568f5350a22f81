"""What the ticket tests share: a company, tickets made over the API, timers fired as the due run fires them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body


def moscow_hours_company(api: ApiClient, name: str) -> Company:
    """A company whose support works 09:00-18:00 Moscow time on weekdays, high priority due in 60 business minutes
    for a first response and 600 for a resolution (the SLA clock's tests count on these hours)."""
    made = signup(api, company=name)
    settings = body(api.get("/api/v1/ticket-settings", token=made.owner.token))
    changed = api.put("/api/v1/ticket-settings", {
        "version": settings["version"], "timezone": "Europe/Moscow", "days": [0, 1, 2, 3, 4], "opens": "09:00",
        "closes": "18:00", "targets": {"high": {"first_response": 60, "resolution": 600}}}, token=made.owner.token)
    assert changed.status_code == 200, changed.body
    return made


def open_ticket(client: ApiClient, token: str, **fields: Any) -> dict[str, Any]:
    """A ticket made over the API (as it answers)."""
    answer = client.post("/api/v1/tickets", {"subject": "Parcel arrived broken", **fields}, token=token)
    assert answer.status_code == 201, answer.body
    return dict(body(answer))


def fire(tenant_id: str, kind: str, ticket_id: str, now: datetime | None = None) -> str:
    """Fire a ticket's timer of a kind as the due run does (``fired``, ``retrying``, ``stuck``), or ``none``."""
    ctx = TenantContext(tenant_id=tenant_id, actor_id="scheduler", actor_kind="system", role="system", source="job")
    with tenancy.bind(ctx):
        timer = due.get_timer(ctx, kind=kind, ref=ticket_id)
    if timer is None:
        return "none"
    return due.fire(timer, now or timer.due_at)


def status(client: ApiClient, token: str, ticket: dict[str, Any], to: str) -> dict[str, Any]:
    """Move a ticket to another status over the API."""
    answer = client.post(f"/api/v1/tickets/{ticket['id']}/status", {"version": ticket["version"], "status": to},
                         token=token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def rate(client: ApiClient, token: str, ticket: dict[str, Any], *, score: int, comment: str | None = None) -> str:
    """Close a ticket, let the due run ask the customer (by e-mail: the ticket has no conversation), and answer the
    e-mailed link's form; the link's token."""
    import re
    from urllib.parse import quote

    from tests.factories import outbox

    closed = status(client, token, ticket, "closed")
    assert fire(_tenant_of(client, token), "ticket.csat", closed["id"]) == "fired"
    text_of = lambda m: str(getattr(m, "body", None) or getattr(m, "raw_data", ""))  # noqa: E731 - raw MIME too
    mails = [m for m in outbox() if "/csat/" in text_of(m)]
    found = re.search(r"/csat/([A-Za-z0-9_.-]+)", text_of(mails[-1]))
    assert found is not None
    text = f"score={score}" + (f"&comment={quote(comment)}" if comment else "")
    answer = client.request("POST", f"/csat/{found.group(1)}", body=text,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.body
    return found.group(1)


def _tenant_of(client: ApiClient, token: str) -> str:
    return str(body(client.get("/api/v1/me", token=token))["tenant"]["id"])


def from_message(client: ApiClient, token: str, conversation: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A ticket made from a conversation's one message (as it answers)."""
    [message] = body(client.get(f"/api/v1/conversations/{conversation['id']}/messages", token=token))["items"]
    answer = client.post("/api/v1/tickets/from-message", {"conversation_id": conversation["id"],
                                                          "message_id": message["id"], **fields}, token=token)
    assert answer.status_code < 300, answer.body
    return dict(body(answer))


def hand(client: ApiClient, token: str, ticket: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The ticket given to user_id (as it answers)."""
    handed = client.patch(f"/api/v1/tickets/{ticket['id']}", {"version": ticket["version"], "owner_id": user_id},
                          token=token)
    assert handed.status_code == 200, handed.body
    return dict(body(handed))


def handed_chat(client: ApiClient, name: str, *, agent: str, customer: str) -> tuple[Company, Member, Any, Any]:
    """A company whose owner's WhatsApp customer wrote, the ticket made of it handed to a new agent (their own
    contacts only): (company, agent, conversation, ticket)."""
    from tests.messaging.kit import make_conversation

    company = signup(client, company=name)
    member = add_member(client, company, role="agent", name=agent)
    conversation = make_conversation(client, company.owner.token, customer=customer)
    ticket = from_message(client, company.owner.token, conversation)
    hand(client, company.owner.token, ticket, member.user_id)
    return company, member, conversation, ticket


def chat_without_contact(api: ApiClient, company: Company, *, customer: str, name: str, text: str
                         ) -> dict[str, Any]:
    """A WhatsApp customer's first message on a line that saves nobody as a contact (unknown_sender: ignore)."""
    from tests.messaging.kit import APP_SECRET, WHATSAPP, play
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    token = company.owner.token
    made = api.post("/api/v1/integrations", {"type": "whatsapp", "name": "Unsaved chats", "settings": {
        **WHATSAPP, "unknown_sender": "ignore"}}, token=token)
    assert made.status_code == 201, made.body
    line = body(made)
    chat = Chat(customer=customer, name=name)
    [answer] = play(api, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                        whatsapp_message(chat, 1, "text", {"body": text}))])
    assert answer.status_code == 200, answer.body
    listed = body(api.get("/api/v1/conversations?channel=whatsapp", token=token))["items"]
    conversation = next(item for item in listed if item["integration_id"] == line["id"])
    assert conversation["contact_id"] is None
    return dict(conversation)

