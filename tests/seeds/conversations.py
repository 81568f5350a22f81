"""Tenant A's conversation with a file: ids for the conversation, message and attachment routes of the matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.messaging.kit import APP_SECRET, WHATSAPP, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A WhatsApp line of tenant A and a customer's captioned image in a conversation."""
    token = company.owner.token
    made = client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Alpha WhatsApp", "settings": WHATSAPP},
                       token=token)
    assert made.status_code == 201, made.body
    line = body(made)
    chat = Chat(customer="+79169990001", name="Alphacustomer Secretname")
    document = whatsapp_message(chat, 1, "image", {"caption": "Alpha secret caption", "mime_type": "image/png",
                                                   "id": "777000111"})
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, document)])
    assert answer.status_code == 200, answer.body
    listed = body(client.get("/api/v1/conversations?channel=whatsapp", token=token))["items"]
    conversation = next(c for c in listed if c["integration_id"] == line["id"])
    [message] = body(client.get(f"/api/v1/conversations/{conversation['id']}/messages", token=token))["items"]
    return ({"conversation_id": conversation["id"], "message_id": message["id"],
             "attachment_id": message["attachments"][0]["id"]},
            ["Alphacustomer Secretname", "Alpha secret caption", conversation["id"], message["id"],
             *_email(client, company)])


def _email(client: ApiClient, company: Company) -> list[str]:
    """An e-mail thread of tenant A (#17): its sender, subject, words and forwarding address are its secrets."""
    from tests.messaging.mailkit import create_line, deliver
    from webhooks import mail

    line = create_line(client, company)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="alphamail@alpha-victim.example",
                             name="Alphamail Sendername")
    assert deliver(mail.message(who, subject="Alpha secret subject", text="Alpha secret mail body"))["received"] == 1
    return ["Alphamail Sendername", "alphamail@alpha-victim.example", "Alpha secret subject",
            "Alpha secret mail body", line["settings"]["inbound_address"]]
