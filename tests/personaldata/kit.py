"""The personal-data queue in the embedded AWS, delivered to the app's ``personal_data_jobs`` as Lambda would, and a
customer with a long history (WhatsApp messages, calls, notes) made through the real routes and hooks."""

from __future__ import annotations

from typing import Any

from chalicelib.personaldata import queue as pd_queue
from tests.factories import Company
from tests.messaging.kit import APP_SECRET, WHATSAPP
from tests.messaging.kit import play as play_messages
from tests.sqs_kit import HandlerQueue, emptied
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony
from tests.telephony.kit import play as play_calls
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

Queue = HandlerQueue


def queue() -> Queue:
    """The personal-data queue, made if missing, emptied."""
    return Queue(emptied(pd_queue.queue_name()), "personal_data_jobs")


def small_queue(monkeypatch: Any, *, inline: int, request: int, slice_items: int) -> Queue:
    """The queue, emptied, with bounds small enough that a history of a few dozen items is too large: answered
    inline up to ``inline`` items, erased in the request up to ``request``, then in slices of ``slice_items``."""
    from chalicelib.personaldata import exports, slices

    monkeypatch.setattr(exports, "INLINE_ITEMS", inline)
    monkeypatch.setattr(slices, "REQUEST_ITEMS", request)
    monkeypatch.setattr(slices, "SLICE_ITEMS", slice_items)
    return queue()


def made(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(body(response))


def lines(client: ApiClient, company: Company) -> dict[str, dict[str, Any]]:
    """The company's WhatsApp line and PBX (with their secrets, as made)."""
    return {"whatsapp": made(client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Clinic WhatsApp",
                                                                  "settings": WHATSAPP},
                                         token=company.owner.token)),
            "pbx": create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})}


def long_customer(client: ApiClient, company: Company, lines: dict[str, dict[str, Any]], *, first: str, last: str,
                  phone: str, messages: int, calls: int, notes: int) -> dict[str, Any]:
    """A customer with years of history in miniature: her WhatsApp messages, answered calls and notes."""
    token = company.owner.token
    contact = made(client.post("/api/v1/contacts", {"first_name": first, "last_name": last,
                                                    "phones": [{"number": phone}]}, token=token))
    for k in range(notes):
        made(client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]},
                                           "text": f"Visit {k}: all well"}, token=token))
    whatsapp, pbx = lines["whatsapp"], lines["pbx"]
    e164 = "+" + "".join(ch for ch in phone if ch.isdigit())
    chat = Chat(customer=e164, name=f"{first} {last}")
    posts = [whatsapp_post(whatsapp["webhook_url"], APP_SECRET, whatsapp_message(chat, k, "text", {"body": f"Hi {k}"}))
             for k in range(1, messages + 1)]
    assert {answer.status_code for answer in play_messages(client, posts)} == {200}
    for _ in range(calls):
        answers = play_calls(client, pbx, pbx_sim.requests("answered", pbx["webhook_url"], key=None,
                                                           secret=pbx["secret"], call=Call(customer=e164,
                                                                                           talk_seconds=30)))
        assert {answer.status_code for answer in answers} == {200}
    return contact
