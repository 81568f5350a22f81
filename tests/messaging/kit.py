"""Helpers of the messaging tests: make a WhatsApp or Telegram line, play a simulator's requests, read threads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chalice.test import HTTPResponse

from tests.factories import Company
from tests.support import ApiClient, body
from webhooks.messengers import Chat

APP_SECRET = "meta-app-secret-0001"
ACCESS_TOKEN = "EAAG-sandbox-access-token-0001"
BOT_TOKEN = "123456789:AAE-sandbox-bot-token-000000001"
WHATSAPP = {"phone_number_id": Chat.phone_number_id, "waba_id": Chat.waba_id, "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET}
TELEGRAM = {"bot_token": BOT_TOKEN}


def create_line(client: ApiClient, company: Company, kind: str, **settings: Any) -> dict[str, Any]:
    """A messenger integration of the company with sandbox credentials (its secret included)."""
    payload = {"type": kind, "name": f"{kind} line", "settings": {**(WHATSAPP if kind == "whatsapp" else TELEGRAM),
                                                                  **settings}}
    response = client.post("/api/v1/integrations", payload, token=company.owner.token)
    assert response.status_code == 201, response.body
    return dict(body(response))


def play(client: ApiClient, requests: list[Any]) -> list[HTTPResponse]:
    """Send a simulator's requests through the test client (to the integration's hook path)."""
    answers = []
    for request in requests:
        split = urlsplit(request.url)
        path = split.path + (f"?{split.query}" if split.query else "")
        answers.append(client.request(request.method, path, body=request.body if request.method != "GET" else None,
                                      headers=request.headers))
    return answers


def get(client: ApiClient, token: str, path: str) -> Any:
    """A GET that must answer 200, as JSON."""
    response = client.get(path, token=token)
    assert response.status_code == 200, (path, response.body)
    return body(response)


def inbox(client: ApiClient, company: Company, query: str = "") -> list[dict[str, Any]]:
    """The conversations the owner sees, newest message first."""
    return list(get(client, company.owner.token, f"/api/v1/conversations{query}")["items"])


def thread(client: ApiClient, company: Company, conversation_id: str) -> list[dict[str, Any]]:
    """A conversation's messages, oldest first."""
    items = get(client, company.owner.token, f"/api/v1/conversations/{conversation_id}/messages")["items"]
    return list(reversed(items))


def make_conversation(client: ApiClient, token: str, *, customer: str = "+79161230000") -> dict[str, Any]:
    """A conversation of the token's company: a new WhatsApp line and one message from customer (as read)."""
    from webhooks.messengers import whatsapp_message, whatsapp_post

    made = client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Sample WhatsApp", "settings": WHATSAPP},
                       token=token)
    assert made.status_code == 201, made.body
    line = body(made)
    chat = Chat(customer=customer, name="Sample Customer")
    request = whatsapp_post(line["webhook_url"], APP_SECRET, whatsapp_message(chat, 1, "text", {"body": "Sample hi"}))
    [answer] = play(client, [request])
    assert answer.status_code == 200, answer.body
    listed = get(client, token, "/api/v1/conversations?channel=whatsapp")["items"]
    newest = next(item for item in listed if item["integration_id"] == line["id"])
    return dict(get(client, token, f"/api/v1/conversations/{newest['id']}"))
