"""Waiting on the customer pauses the resolution clock (#24): the business time left is kept across a weekend and
given back when the ticket opens again, by staff or by the customer's message; the queue and the card say paused."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from chalicelib.core import db, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from tests.events.conftest import Feed, feed, fresh_due_bookmark  # noqa: F401 - the fixtures, shared
from tests.factories import Company
from tests.support import ApiClient, body
from tests.tickets.kit import fire, from_message, moscow_hours_company, open_ticket, status


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    return moscow_hours_company(api, "Pausing Co")


def _timer_due(tenant_id: str, kind: str, ticket_id: str) -> datetime | None:
    ctx = TenantContext(tenant_id=tenant_id, actor_id="scheduler", actor_kind="system", role="system", source="job")
    with tenancy.bind(ctx):
        found = due.get_timer(ctx, kind=kind, ref=ticket_id)
    return found.due_at if found is not None else None


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(db, "utcnow", lambda: moment)


def test_pending_keeps_the_business_time_left_across_a_weekend(api: ApiClient, company: Company,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    token = company.owner.token
    _at(monkeypatch, datetime(2026, 2, 13, 12, 0, tzinfo=UTC))  # Friday 15:00 in Moscow
    ticket = open_ticket(api, token, priority="high")
    assert ticket["sla"]["resolution_due"].startswith("2026-02-16T13:00:00")  # 3 h on Friday + 7 h: Monday 16:00
    _at(monkeypatch, datetime(2026, 2, 13, 14, 0, tzinfo=UTC))  # Friday 17:00: 8 business hours left
    paused = status(api, token, ticket, "pending")
    assert paused["sla"]["paused_at"].startswith("2026-02-13T14:00:00")
    assert paused["sla"]["resolution_left_seconds"] == 8 * 3600
    assert _timer_due(company.tenant_id, "ticket.resolution", ticket["id"]) is None  # no breach while waiting
    assert _timer_due(company.tenant_id, "ticket.first_response", ticket["id"]) is not None  # not paused
    row = next(r for r in body(api.get("/api/v1/tickets", token=token))["items"] if r["id"] == ticket["id"])
    assert row["sla"]["paused_at"] and row["status"] == "pending"

    _at(monkeypatch, datetime(2026, 2, 17, 8, 0, tzinfo=UTC))  # Tuesday 11:00: the weekend and Monday went by
    reopened = status(api, token, paused, "open")
    assert reopened["sla"]["paused_at"] is None and reopened["sla"]["resolution_left_seconds"] is None
    # 7 h on Tuesday (11:00-18:00) + 1 h on Wednesday: 10:00 in Moscow
    assert reopened["sla"]["resolution_due"].startswith("2026-02-18T07:00:00")
    assert _timer_due(company.tenant_id, "ticket.resolution", ticket["id"]) == datetime(2026, 2, 18, 7, tzinfo=UTC)
    row = next(r for r in body(api.get("/api/v1/tickets", token=token))["items"] if r["id"] == ticket["id"])
    assert row["sla"]["paused_at"] is None and row["sla"]["resolution_due"].startswith("2026-02-18T07:00:00")


def test_a_ticket_resolved_while_paused_met_its_target_if_time_was_left(api: ApiClient, company: Company,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    token = company.owner.token
    _at(monkeypatch, datetime(2026, 3, 2, 7, 0, tzinfo=UTC))  # Monday 10:00 in Moscow
    ticket = open_ticket(api, token, priority="high", subject="Waiting for the photo")
    paused = status(api, token, ticket, "pending")
    _at(monkeypatch, datetime(2026, 3, 10, 7, 0, tzinfo=UTC))  # a week later, long after the unpaused due time
    assert fire(company.tenant_id, "ticket.resolution", ticket["id"]) == "none"
    resolved = status(api, token, paused, "resolved")
    assert resolved["sla"]["breached"] == []  # its clock stays stopped, with the time it had (test_reopen.py)
    assert resolved["sla"]["resolution_left_seconds"] == paused["sla"]["resolution_left_seconds"]
    report = body(api.get("/api/v1/reports/tickets?by=priority&from=2026-03-10&to=2026-03-10", token=token))
    high = next(row for row in report["items"] if row["key"] == "high")
    assert high["resolved"] == 1 and high["resolution_on_time"] == 1.0


def test_the_customers_message_opens_a_waiting_ticket_and_its_clock_goes_on(api: ApiClient, company: Company,
                                                                             feed: Feed) -> None:  # noqa: F811
    from tests.messaging.kit import APP_SECRET, make_conversation, play
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160005511")
    ticket = from_message(api, token, conversation, priority="high")
    paused = status(api, token, ticket, "pending")
    feed.deliver()
    assert body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))["status"] == "pending"  # older message
    line = body(api.get(f"/api/v1/integrations/{conversation['integration_id']}", token=token))
    chat = Chat(customer="+79160005511", name="Sample Customer", start=time.time() + 5)
    [answer] = play(api, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                        whatsapp_message(chat, 1, "text", {"body": "Here is the photo"}))])
    assert answer.status_code == 200, answer.body
    feed.deliver()
    feed.deliver(feed.delivered)  # every event again: nothing moves twice
    card = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    assert card["status"] == "open" and card["sla"]["paused_at"] is None
    assert card["sla"]["resolution_due"] and _timer_due(company.tenant_id, "ticket.resolution", ticket["id"])
    assert [e["summary"] for e in card["timeline"]].count("The customer answered: open") == 1
    assert paused["sla"]["resolution_left_seconds"] is not None
