"""A company at its plan's contacts limit still gets its customers' messages: a new chat becomes a conversation in
the inbox with the sender's name, no contact made, and it says why; replies work; a person adding a contact by hand
still meets the plan's refusal."""

from __future__ import annotations

import pytest

from tests.billing import helpers
from tests.factories import Company, signup
from tests.messaging.kit import create_line, inbox, play, thread
from tests.support import ApiClient, body
from tests.telephony.kit import events
from webhooks.messengers import Chat, telegram_requests


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Full Inbox", country="RU", locale="ru")


def test_a_new_chat_at_the_contacts_limit_comes_in_without_a_contact_and_says_why(client: ApiClient,
                                                                                 company: Company) -> None:
    line = create_line(client, company, "telegram")
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for one more contact
    answers = play(client, telegram_requests(line["webhook_url"], secret_token=line["secret"],
                                             chat=Chat(chat_id=881001, name="Pavel Smirnov")))
    assert {a.status_code for a in answers} == {200}
    assert {e["status"] for e in events(client, company, line)} == {"processed"}  # nothing waits for a replay
    [conversation] = inbox(client, company)
    assert (conversation["customer_name"], conversation["contact_id"]) == ("Pavel Smirnov", None)
    assert conversation["contact_skipped"] == "plan_limit"
    first = thread(client, company, conversation["id"])[0]
    assert first["text"] == "Hi, do you deliver on Sundays and Mondays?"  # as the customer edited it
    card = body(client.get(f"/api/v1/conversations/{conversation['id']}", token=company.owner.token))
    assert (card["contact_id"], card["contact_skipped"]) == (None, "plan_limit")
    sent = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Yes, on Sundays too"},
                       token=company.owner.token)
    assert sent.status_code == 201 and body(sent)["status"] == "sent", sent.body  # answered all the same
    assert body(client.get("/api/v1/contacts", token=company.owner.token))["items"] == []
    by_hand = client.post("/api/v1/contacts", {"first_name": "Pavel"}, token=company.owner.token)
    assert by_hand.status_code == 402 and body(by_hand)["error"]["code"] == "plan_limit_reached"
