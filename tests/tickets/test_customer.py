"""Whom a ticket is from, for whoever handles it: an agent (their own contacts only) given a ticket about a
colleague's customer opened it and saw 'A colleague's contact', with no name, number or address to answer by. The
card now names the customer and the way the ticket reaches them, while the contact's card stays closed to the agent;
field rules still hide what a role may not read, and another company's contact is never named."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.messaging.kit import make_conversation
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient, body
from tests.telephony.kit import make_call
from tests.tickets.kit import chat_without_contact, from_message, hand, open_ticket
from webhooks import mail


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    made = signup(api, company="Requester Desk")
    add_member(api, made, role="agent", name="agent")
    return made


def vera(api: ApiClient, company: Company, number: str = "+79160007711",
         address: str = "vera.lindqvist@customer.example") -> dict[str, Any]:
    """The owner's customer, out of the agent's contacts scope."""
    made = api.post("/api/v1/contacts", {"first_name": "Vera", "last_name": "Lindqvist",
                                         "phones": [{"number": number}], "emails": [{"address": address}]},
                    token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def card(api: ApiClient, token: str, ticket_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/v1/tickets/{ticket_id}", token=token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def test_an_agent_given_a_colleague_s_customer_s_ticket_sees_who_they_are(api: ApiClient, company: Company) -> None:
    agent = company.members["agent"]
    contact = vera(api, company)
    ticket = open_ticket(api, company.owner.token, subject="Bouquet late", contact_id=contact["id"],
                         owner_id=agent.user_id)
    seen = card(api, agent.token, ticket["id"])
    assert seen["contact_name"] == "Vera Lindqvist"
    assert seen["contact"] == {"id": contact["id"], "name": "Vera Lindqvist", "phone": "+79160007711",
                               "email": "vera.lindqvist@customer.example", "readable": False}
    assert seen["reached_via"] is None  # made by hand: no conversation
    # the contact's card stays the owner's: 404 as a missing one, and not in the agent's contacts list
    assert api.get(f"/api/v1/contacts/{contact['id']}", token=agent.token).status_code == 404
    listed = body(api.get("/api/v1/contacts?q=Lindqvist", token=agent.token))["items"]
    assert [row for row in listed if row["id"] == contact["id"]] == []
    # the owner, who may open the contact, gets the link
    assert card(api, company.owner.token, ticket["id"])["contact"]["readable"] is True


def test_the_handed_ticket_names_its_whatsapp_number_and_the_agent_answers_there(api: ApiClient,
                                                                                  company: Company) -> None:
    token, agent = company.owner.token, company.members["agent"]
    conversation = make_conversation(api, token, customer="+79160007722")
    ticket = from_message(api, token, conversation)
    hand(api, token, ticket, agent.user_id)
    seen = card(api, agent.token, ticket["id"])
    assert seen["contact_name"] == "Sample Customer" and seen["contact"]["phone"] == "+79160007722"
    assert seen["contact"]["readable"] is False
    assert api.get(f"/api/v1/contacts/{seen['contact_id']}", token=agent.token).status_code == 404
    assert seen["reached_via"] == {"channel": "whatsapp", "handle": "+79160007722", "name": "Sample Customer",
                                   "readable": True, "answerable": True}
    answered = api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "On its way", "via": "conversation"},
                        token=agent.token)
    assert answered.status_code == 200, answered.body

    # the owner takes the conversation back in the inbox: the agent still sees whom the ticket is from, and the card
    # says the conversation is no longer theirs to answer on (the app offers a comment only)
    current = body(api.get(f"/api/v1/conversations/{conversation['id']}", token=token))
    taken = api.post(f"/api/v1/conversations/{conversation['id']}/assign",
                     {"version": current["version"], "assignee_id": company.owner.user_id}, token=token)
    assert taken.status_code == 200, taken.body
    seen = card(api, agent.token, ticket["id"])
    assert seen["contact_name"] == "Sample Customer" and seen["reached_via"]["handle"] == "+79160007722"
    assert seen["reached_via"]["readable"] is False and seen["reached_via"]["answerable"] is False


def test_an_e_mailed_ticket_names_the_address_it_came_from(api: ApiClient, company: Company) -> None:
    agent = company.members["agent"]
    line = create_line(api, company)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="ivy.thorn@customer.example")
    deliver(mail.message(who, subject="Thorns on the roses", text="They scratched my son."))
    [conversation] = body(api.get("/api/v1/conversations?channel=email", token=company.owner.token))["items"]
    ticket = from_message(api, company.owner.token, conversation)
    hand(api, company.owner.token, ticket, agent.user_id)
    seen = card(api, agent.token, ticket["id"])
    assert seen["reached_via"]["channel"] == "email"
    assert seen["reached_via"]["handle"] == "ivy.thorn@customer.example"
    assert seen["contact"]["email"] == "ivy.thorn@customer.example" and seen["contact"]["readable"] is False


def test_a_call_s_ticket_names_the_number_it_came_from(api: ApiClient, company: Company) -> None:
    agent = company.members["agent"]
    call = make_call(api, company.owner.token, customer="+79160007788")
    ticket = body(api.post("/api/v1/tickets/from-call", {"call_id": call["id"]}, token=company.owner.token))
    hand(api, company.owner.token, ticket, agent.user_id)
    seen = card(api, agent.token, ticket["id"])
    assert seen["reached_via"]["channel"] == "phone" and seen["reached_via"]["handle"] == "+79160007788"
    assert seen["reached_via"]["answerable"] is False
    assert seen["contact"]["phone"] == "+79160007788" and seen["contact"]["readable"] is False


def test_another_company_s_contact_is_never_named(api: ApiClient, company: Company) -> None:
    contact = vera(api, company, "+79160007744", "vera.l@customer.example")
    mine = open_ticket(api, company.owner.token, subject="Ours", contact_id=contact["id"])
    other = signup(api, company="Other Desk")
    named = api.post("/api/v1/tickets", {"subject": "Theirs", "contact_id": contact["id"]}, token=other.owner.token)
    assert named.status_code == 404, named.body
    theirs = open_ticket(api, other.owner.token, subject="Theirs")
    moved = api.patch(f"/api/v1/tickets/{theirs['id']}", {"version": theirs["version"], "contact_id": contact["id"]},
                      token=other.owner.token)
    assert moved.status_code == 404, moved.body
    seen = card(api, other.owner.token, theirs["id"])
    assert seen["contact"] is None and seen["contact_name"] is None and "Lindqvist" not in str(seen)
    assert api.get(f"/api/v1/tickets/{mine['id']}", token=other.owner.token).status_code == 404
    queue = body(api.get("/api/v1/tickets?view=all", token=other.owner.token))
    assert "Lindqvist" not in str(queue) and contact["id"] not in str(queue)


def test_a_field_the_role_hides_stays_hidden_on_the_ticket(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    desk = ["tickets:read:own", "tickets:update:own", "conversations:read:own", "conversations:update:own",
            "contacts:read:own", "users:read:all"]
    for key, rules in (("hushed", ["contacts.phones:hidden", "contacts.emails:hidden"]),
                       ("nameless", ["contacts.last_name:hidden"])):
        made = api.post("/api/v1/roles", {"key": key, "name": key.title(), "permissions": [*desk, *rules]},
                        token=token)
        assert made.status_code == 201, made.body
    hushed = add_member(api, company, role="hushed", name="hushed")
    nameless = add_member(api, company, role="nameless", name="nameless")
    contact = vera(api, company, "+79160007755", "vera.lindqvist@shop.example")
    conversation = make_conversation(api, token, customer="+79160007733")
    for member in (hushed, nameless):
        ticket = open_ticket(api, token, subject="Hidden things", contact_id=contact["id"],
                             conversation_id=conversation["id"], owner_id=member.user_id)
        seen = card(api, member.token, ticket["id"])
        if member is hushed:  # the name, never the number nor the address (not even as the chat's handle)
            assert seen["contact_name"] == "Vera Lindqvist" and seen["contact"]["name"] == "Vera Lindqvist"
            assert seen["contact"].get("phone") is None and seen["contact"].get("email") is None
            assert seen["reached_via"]["channel"] == "whatsapp" and seen["reached_via"]["handle"] is None
            assert "9160007755" not in str(seen) and "9160007733" not in str(seen) and "vera.lindqvist" not in str(seen)
        else:  # a name made of a hidden field goes unsaid, the WhatsApp profile's name too
            assert seen["contact_name"] is None and seen["contact"].get("name") is None
            assert seen["reached_via"]["name"] is None
            assert seen["contact"]["phone"] == "+79160007755" and seen["reached_via"]["handle"] == "+79160007733"
            assert "Lindqvist" not in str(seen) and "Sample Customer" not in str(seen)
        assert api.get(f"/api/v1/contacts/{contact['id']}", token=member.token).status_code == 404
    call = make_call(api, token, customer="+79160007799")  # a call's number is a phone too
    ticket = body(api.post("/api/v1/tickets/from-call", {"call_id": call["id"]}, token=token))
    hand(api, token, ticket, hushed.user_id)
    seen = card(api, hushed.token, ticket["id"])
    assert seen["reached_via"]["channel"] == "phone" and seen["reached_via"]["handle"] is None
    assert "9160007799" not in str(seen)


def queue_names(api: ApiClient, token: str, query: str = "") -> dict[str, str | None]:
    """The queue's rows as a subject -> the customer each names."""
    answer = api.get(f"/api/v1/tickets?view=all{query}", token=token)
    assert answer.status_code == 200, answer.body
    return {row["subject"]: row.get("contact_name") for row in body(answer)["items"]}


def test_the_queue_names_each_ticket_s_customer_as_they_are_called_now(api: ApiClient, company: Company) -> None:
    """A support agent triaging the queue saw subjects only; each row now names its customer (a colleague's too,
    as the card does), read at the time of the list: a rename shows, a contact in the trash or purged is not named."""
    token, agent = company.owner.token, company.members["agent"]
    made = api.post("/api/v1/contacts", {"first_name": "Ingrid", "last_name": "Holm"}, token=token)
    assert made.status_code == 201, made.body
    contact = body(made)
    open_ticket(api, token, subject="Wrong colour ribbon", contact_id=contact["id"], owner_id=agent.user_id)
    open_ticket(api, token, subject="Nobody's ribbon", owner_id=agent.user_id)
    seen = queue_names(api, agent.token)
    assert seen["Wrong colour ribbon"] == "Ingrid Holm" and seen["Nobody's ribbon"] is None
    assert queue_names(api, agent.token, "&q=ribbon")["Wrong colour ribbon"] == "Ingrid Holm"  # the search too
    assert api.get(f"/api/v1/contacts/{contact['id']}", token=agent.token).status_code == 404  # still the owner's
    renamed = api.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"], "last_name": "Dahl"},
                        token=token)
    assert renamed.status_code == 200, renamed.body
    assert queue_names(api, agent.token)["Wrong colour ribbon"] == "Ingrid Dahl"
    assert api.delete(f"/api/v1/contacts/{contact['id']}", token=token).status_code in (200, 204)
    assert queue_names(api, agent.token)["Wrong colour ribbon"] is None
    restored = api.post(f"/api/v1/contacts/{contact['id']}/restore", {}, token=token)
    assert restored.status_code == 200, restored.body
    assert queue_names(api, agent.token)["Wrong colour ribbon"] == "Ingrid Dahl"
    assert api.delete(f"/api/v1/contacts/{contact['id']}", token=token).status_code in (200, 204)
    purged = api.delete(f"/api/v1/trash/contacts/{contact['id']}", token=token)
    assert purged.status_code in (200, 204), purged.body
    queue = body(api.get("/api/v1/tickets?view=all", token=agent.token))
    assert "Dahl" not in str(queue) and "Holm" not in str(queue)


def test_the_queue_leaves_out_a_name_the_role_may_not_read(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    made = api.post("/api/v1/roles", {"key": "queue_nameless", "name": "Queue nameless", "permissions": [
        "tickets:read:own", "tickets:update:own", "contacts:read:own", "contacts.first_name:hidden"]}, token=token)
    assert made.status_code == 201, made.body
    member = add_member(api, company, role="queue_nameless", name="queue_nameless")
    contact = vera(api, company, "+79160007767", "vera.hidden@customer.example")
    open_ticket(api, token, subject="Hidden name", contact_id=contact["id"], owner_id=member.user_id)
    queue = body(api.get("/api/v1/tickets?view=all", token=member.token))
    [row] = [row for row in queue["items"] if row["subject"] == "Hidden name"]
    assert row["contact_id"] == contact["id"] and row.get("contact_name") is None
    assert "Vera" not in str(queue) and "Lindqvist" not in str(queue)


def test_the_queue_names_a_chat_s_customer_not_saved_as_a_contact(api: ApiClient, company: Company) -> None:
    """A ticket made of a WhatsApp chat whose customer is not a contact showed 'no customer' in the queue; it now
    reads the name the inbox shows for the chat (in the same BatchGetItem as the page's contacts), unless the role
    may not read names."""
    token, agent = company.owner.token, company.members["agent"]
    conversation = chat_without_contact(api, company, customer="+79160007791", name="Marta Kowalska",
                                        text="Order not delivered")
    assert conversation["customer_name"] == "Marta Kowalska"
    ticket = from_message(api, token, conversation)
    assert ticket["contact_id"] is None and ticket["conversation_id"] == conversation["id"]
    hand(api, token, ticket, agent.user_id)
    assert queue_names(api, agent.token)["Order not delivered"] == "Marta Kowalska"
    assert queue_names(api, token, "&channel=whatsapp")["Order not delivered"] == "Marta Kowalska"
    assert card(api, agent.token, ticket["id"])["contact_name"] == "Marta Kowalska"  # as the card names them
    made = api.post("/api/v1/roles", {"key": "chat_nameless", "name": "Chat nameless", "permissions": [
        "tickets:read:all", "contacts:read:own", "contacts.last_name:hidden"]}, token=token)
    assert made.status_code == 201, made.body
    nameless = add_member(api, company, role="chat_nameless", name="chat_nameless")
    queue = body(api.get("/api/v1/tickets?view=all", token=nameless.token))
    [row] = [row for row in queue["items"] if row["subject"] == "Order not delivered"]
    assert row.get("contact_name") is None and "Kowalska" not in str(queue)


def test_a_chat_named_by_its_number_stays_hidden_from_a_role_without_phones(api: ApiClient,
                                                                            company: Company) -> None:
    token = company.owner.token
    conversation = chat_without_contact(api, company, customer="+79160007792", name="+7 916 000-77-92",
                                        text="Call me back")
    from_message(api, token, conversation)
    assert queue_names(api, token)["Call me back"] == "+7 916 000-77-92"
    made = api.post("/api/v1/roles", {"key": "chat_phoneless", "name": "Chat phoneless", "permissions": [
        "tickets:read:all", "contacts:read:own", "contacts.phones:hidden"]}, token=token)
    assert made.status_code == 201, made.body
    phoneless = add_member(api, company, role="chat_phoneless", name="chat_phoneless")
    queue = body(api.get("/api/v1/tickets?view=all", token=phoneless.token))
    assert queue_names(api, phoneless.token)["Call me back"] is None and "77-92" not in str(queue)
