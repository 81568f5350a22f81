"""The inbox thread's contact, for whoever may read the thread: an agent handed a colleague's customer's
conversation pressed the thread's "Contact card" and landed on "not found" (the contact is the colleague's; the
card answers 404). The thread's answer now says whether the caller may open the contact's card (``readable``) and
names the contact (field rules aside), read with the conversation's line in the one request that line took alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.messaging.kit import APP_SECRET, create_line, get, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post


@pytest.fixture(scope="module")
def api(app: Any) -> ApiClient:
    return ApiClient(app)


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    made = signup(api, company="Thread Contact Ltd", country="RU")
    add_member(api, made, role="agent", name="agent")
    return made


def _customer_writes(api: ApiClient, company: Company, number: str) -> dict[str, Any]:
    """A contact of the owner's writes on a new WhatsApp line; their conversation as the owner reads it."""
    contact = api.post("/api/v1/contacts", {"first_name": "Vera", "last_name": "Lindqvist",
                                            "phones": [{"number": number}]}, token=company.owner.token)
    assert contact.status_code == 201, contact.body
    line = create_line(api, company, "whatsapp")
    chat = Chat(customer=number, name="Verochka")
    [answer] = play(api, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                        whatsapp_message(chat, 1, "text", {"body": "Where is my order?"}))])
    assert answer.status_code == 200, answer.body
    listed = get(api, company.owner.token, "/api/v1/conversations?channel=whatsapp")["items"]
    newest = next(item for item in listed if item["integration_id"] == line["id"])
    assert newest["contact_id"] == body(contact)["id"]
    return dict(get(api, company.owner.token, f"/api/v1/conversations/{newest['id']}"))


def _hand(api: ApiClient, company: Company, conversation: dict[str, Any], user_id: str) -> None:
    current = get(api, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    handed = api.post(f"/api/v1/conversations/{conversation['id']}/assign",
                      {"version": current["version"], "assignee_id": user_id}, token=company.owner.token)
    assert handed.status_code == 200, handed.body


def test_an_agent_handed_a_colleague_s_customer_s_thread_is_not_offered_the_contact_s_card(
        api: ApiClient, company: Company) -> None:
    agent = company.members["agent"]
    conversation = _customer_writes(api, company, "+79160008811")
    contact_id = conversation["contact_id"]
    assert conversation["contact"] == {"id": contact_id, "name": "Vera Lindqvist", "readable": True}
    _hand(api, company, conversation, agent.user_id)
    seen = get(api, agent.token, f"/api/v1/conversations/{conversation['id']}")
    # the agent reads the thread and is told the contact's name, not offered a card that answers 404
    assert seen["contact"] == {"id": contact_id, "name": "Vera Lindqvist", "readable": False}
    assert api.get(f"/api/v1/contacts/{contact_id}", token=agent.token).status_code == 404
    # the contact given to the agent: its card is theirs to open now, on the next read of the thread
    card = get(api, company.owner.token, f"/api/v1/contacts/{contact_id}")
    given = api.patch(f"/api/v1/contacts/{contact_id}", {"version": card["version"], "owner_id": agent.user_id},
                      token=company.owner.token)
    assert given.status_code == 200, given.body
    assert get(api, agent.token, f"/api/v1/conversations/{conversation['id']}")["contact"]["readable"] is True
    assert api.get(f"/api/v1/contacts/{contact_id}", token=agent.token).status_code == 200


def test_a_contact_in_the_trash_is_neither_named_nor_offered(api: ApiClient, company: Company) -> None:
    conversation = _customer_writes(api, company, "+79160008822")
    deleted = api.delete(f"/api/v1/contacts/{conversation['contact_id']}", token=company.owner.token)
    assert deleted.status_code in (200, 204), deleted.body
    seen = get(api, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    assert seen["contact"] == {"id": conversation["contact_id"], "name": None, "readable": False}
    assert api.get(f"/api/v1/contacts/{conversation['contact_id']}", token=company.owner.token).status_code == 404


def test_a_name_made_of_a_hidden_field_goes_unsaid(api: ApiClient, company: Company) -> None:
    made = api.post("/api/v1/roles", {"key": "threadless", "name": "Threadless", "permissions": [
        "conversations:read:all", "conversations:update:own", "contacts:read:all", "contacts.last_name:hidden"]},
        token=company.owner.token)
    assert made.status_code == 201, made.body
    member = add_member(api, company, role="threadless", name="threadless")
    conversation = _customer_writes(api, company, "+79160008833")
    seen = get(api, member.token, f"/api/v1/conversations/{conversation['id']}")
    assert seen["contact"] == {"id": conversation["contact_id"], "name": None, "readable": True}
    assert "Lindqvist" not in str(seen)


def test_another_company_s_thread_and_contact_stay_unknown(api: ApiClient, company: Company) -> None:
    conversation = _customer_writes(api, company, "+79160008844")
    other = signup(api, company="Other Thread Ltd", country="RU")
    assert api.get(f"/api/v1/conversations/{conversation['id']}", token=other.owner.token).status_code == 404
    assert api.get(f"/api/v1/contacts/{conversation['contact_id']}", token=other.owner.token).status_code == 404
