"""Tickets made of a chat whose customer is no contact, before their rows carried the chat: the hourly housekeeping
tick rewrites their rows once, so the queue names the customer as the inbox does instead of 'No contact'."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.housekeeping import ticket_rows
from chalicelib.housekeeping.models import TenantPass
from chalicelib.tickets.record import TICKET, row_values
from tests.billing import helpers
from tests.factories import signup
from tests.support import ApiClient, body
from tests.tickets.kit import chat_without_contact, from_message


def _named(client: ApiClient, token: str) -> dict[str, Any]:
    answer = client.get("/api/v1/tickets?view=all", token=token)
    assert answer.status_code == 200, answer.body
    return {row["subject"]: row.get("contact_name") for row in body(answer)["items"]}


def test_the_tick_names_the_chat_on_older_tickets_rows_once(client: ApiClient, app: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Old Queue", country="RU")
    token = company.owner.token
    conversation = chat_without_contact(client, company, customer="+79160007891", name="Marta Kowalska",
                                        text="Order not delivered")
    with monkeypatch.context() as patched:  # as the code before wrote its rows: no conversation on them
        patched.setitem(TICKET.hooks, "row_values",
                        lambda ticket: {**row_values(ticket), "conversation_id": None})
        ticket = from_message(client, token, conversation)
    assert ticket["conversation_id"] == conversation["id"]
    by_hand = client.post("/api/v1/tickets", {"subject": "Printer jammed"}, token=token)
    assert by_hand.status_code == 201, by_hand.body
    assert _named(client, token) == {"Order not delivered": None, "Printer jammed": None}
    tenant = helpers.tenant(company)  # start at this company (the worker's other tenants are not this test's)
    TenantPass(ticket_rows.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()

    assert ticket_rows.run(deadline=time.monotonic() + 600) == 1  # the ticket made by hand names nobody still
    assert _named(client, token) == {"Order not delivered": "Marta Kowalska", "Printer jammed": None}
    assert body(client.get(f"/api/v1/tickets/{ticket['id']}", token=token))["version"] == ticket["version"]
    assert TenantPass.get(ticket_rows.STATE_PK, "STATE", consistent_read=True).done
    assert ticket_rows.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more
