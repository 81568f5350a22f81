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
    assert card["call"]["contact"] == {"id": contact["id"], "name": "Anna Petrova"}
    assert card["call"]["last_note"] == "Wants peonies" and card["call"]["number"] == "+79161234567"
    # Before any extension rings, the contact's owner (who handles the caller) sees it too.
    assert [m["type"] for m in management.received[owner_socket]] == ["call.ringing", "call.answered"]
    assert bystander_socket not in management.received and stranger_socket not in management.received


def test_an_event_of_a_line_deleted_before_it_was_processed_is_kept_and_ignored(
        client: ApiClient, company: Company) -> None:
    outcome = processor.process_call_event(Run(ctx=None, event=InboxEvent(), integration=None,  # type: ignore[arg-type]
                                               fields={}, progress={}))
    assert outcome.status == "ignored" and outcome.details == {"reason": "integration_gone"}
