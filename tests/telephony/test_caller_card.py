"""The caller card: a ringing inbound call is pushed to the caller's responsible user and to the employee whose
extension rings, and to nobody else."""

from __future__ import annotations

import pytest

from chalicelib.inbox import Run
from chalicelib.inbox.models import InboxEvent
from chalicelib.telephony import processor
from tests.factories import Company, add_member, signup
from tests.live.test_live import FakeManagement, management, open_socket  # noqa: F401 - the fixture
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Ringing Ltd", country="RU")


def test_a_ringing_call_shows_who_is_calling_to_whoever_handles_it_only(
        client: ApiClient, company: Company, management: FakeManagement) -> None:  # noqa: F811
    agent = add_member(client, company, role="agent", name="ringagent")
    bystander = add_member(client, company, role="manager", name="bystander")
    other = signup(client, company="Elsewhere Ltd", country="RU")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Anna", "last_name": "Petrova",
                                                    "phones": [{"number": "+79161234567"}]}, token=token))
    client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]}, "text": "Wants peonies"},
                token=token)
    agent_socket, owner_socket = open_socket(client, agent.token), open_socket(client, token)
    bystander_socket = open_socket(client, bystander.token)
    stranger_socket = open_socket(client, other.owner.token)
    pbx = create_telephony(client, company, "pbx", extensions={"102": agent.user_id})
    play(client, pbx, pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                       call=Call(customer="+79161234567", extension="102")))
    [card] = [m for m in management.received.get(agent_socket, []) if m["type"] == "call.ringing"]
    settled = [m["type"] for m in management.received[agent_socket] if m["type"] != "call.ringing"]
    assert settled == ["call.answered"]  # the card closes when someone answers
    # The agent reads her own contacts only, and Anna is the owner's: her card once named Anna and quoted the
    # owner's note about her, which the agent could not open herself. It shows the number only now.
    assert card["call"]["number"] == "+79161234567"
    assert card["call"]["contact"] is None and card["call"]["last_note"] is None and "Anna" not in str(card)
    # Before any extension rings, the contact's owner (who handles the caller) sees it too, and all of it.
    owner_cards = management.received[owner_socket]
    assert [m["type"] for m in owner_cards] == ["call.ringing", "call.answered"]
    assert owner_cards[0]["call"]["contact"] == {"id": contact["id"], "name": "Anna Petrova"}
    assert owner_cards[0]["call"]["last_note"] == "Wants peonies"
    assert bystander_socket not in management.received and stranger_socket not in management.received


def test_the_card_shows_what_the_employee_s_role_reads_and_nothing_else(
        client: ApiClient, company: Company, management: FakeManagement) -> None:  # noqa: F811
    """A contact of hers: its name shows; the owner's deal on it does not, nor a note when her role reads none."""
    token = company.owner.token
    made = client.post("/api/v1/roles", {"key": "no_notes", "name": "No notes", "permissions": [
        "contacts:read:own", "contacts:create:own", "calls:read:own", "deals:read:own"]}, token=token)
    assert made.status_code == 201, made.body
    agent = add_member(client, company, role="agent", name="ownagent")
    operator = add_member(client, company, role="no_notes", name="nonotes")
    cards = {}
    for member, number, extension in ((agent, "+79161234571", "104"), (operator, "+79161234572", "105")):
        contact = body(client.post("/api/v1/contacts", {"first_name": "Boris", "phones": [{"number": number}]},
                                   token=member.token))
        deal = client.post("/api/v1/deals", {"title": "Owner's roses", "contact_ids": [contact["id"]]}, token=token)
        assert deal.status_code == 201, deal.body
        client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]}, "text": "Owes 5000"},
                    token=token)
        socket = open_socket(client, member.token)
        pbx = create_telephony(client, company, "pbx", extensions={extension: member.user_id})
        play(client, pbx, pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                           call=Call(customer=number, extension=extension)))
        # Hers from the first ring (the contact's owner), then from her extension's.
        cards[member.user_id] = [m["call"] for m in management.received.get(socket, [])
                                 if m["type"] == "call.ringing"][-1]
        assert cards[member.user_id]["contact"] == {"id": contact["id"], "name": "Boris"}
        assert cards[member.user_id]["deal"] is None and "roses" not in str(cards[member.user_id])
    assert cards[agent.user_id]["last_note"] == "Owes 5000"  # an agent reads the notes on her contacts
    assert cards[operator.user_id]["last_note"] is None and "5000" not in str(cards[operator.user_id])


def test_an_event_of_a_line_deleted_before_it_was_processed_is_kept_and_ignored(
        client: ApiClient, company: Company) -> None:
    outcome = processor.process_call_event(Run(ctx=None, event=InboxEvent(), integration=None,  # type: ignore[arg-type]
                                               fields={}, progress={}))
    assert outcome.status == "ignored" and outcome.details == {"reason": "integration_gone"}
