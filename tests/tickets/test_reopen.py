"""A customer writing again on a resolved ticket reopens it (Zendesk's "solved -> open"), and the resolution clock is
fair about it: it stops while the ticket is resolved and, reopened by the customer or by staff, goes on with the time
it had left; a ticket resolved after its due stays breached and gets no new timer. A closed ticket stays closed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core import db, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from tests.events.conftest import Feed, feed, fresh_due_bookmark  # noqa: F401 - the fixtures, shared
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.tickets.kit import fire, from_message, moscow_hours_company, open_ticket, status

RESOLUTION = "ticket.resolution"


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    return moscow_hours_company(api, "Reopening Co")


def _system(tenant_id: str) -> TenantContext:
    return TenantContext(tenant_id=tenant_id, actor_id="scheduler", actor_kind="system", role="system", source="job")


def _timer_due(tenant_id: str, ticket_id: str) -> datetime | None:
    ctx = _system(tenant_id)
    with tenancy.bind(ctx):
        found = due.get_timer(ctx, kind=RESOLUTION, ref=ticket_id)
    return found.due_at if found is not None else None


def _customer_wrote(tenant_id: str, conversation_id: str, at: datetime) -> int:
    """What the domain-event feed does on a customer's message of time ``at`` (tickets/events.py)."""
    from chalicelib.tickets import statuses

    ctx = _system(tenant_id)
    with tenancy.bind(ctx):
        return statuses.customer_answered(ctx, conversation_id, at=at)


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(db, "utcnow", lambda: moment)


def _card(api: ApiClient, token: str, ticket: dict[str, Any]) -> dict[str, Any]:
    return dict(body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token)))


def _report(api: ApiClient, token: str, day: str) -> dict[str, Any]:
    report = body(api.get(f"/api/v1/reports/tickets?by=priority&from={day}&to={day}", token=token))
    return dict(next(row for row in report["items"] if row["key"] == "high"))


def _resolved_with_two_hours_left(api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch, *, monday: int,
                                  conversation_id: str | None = None) -> dict[str, Any]:
    """A high ticket opened on Monday 10:00 in Moscow (due Tuesday 11:00) and resolved Tuesday 09:00."""
    _at(monkeypatch, datetime(2026, 3, monday, 7, 0, tzinfo=UTC))
    ticket = open_ticket(api, token, priority="high", **({"conversation_id": conversation_id} if conversation_id
                                                         else {}))
    assert ticket["sla"]["resolution_due"].startswith(f"2026-03-{monday + 1:02d}T08:00:00")
    _at(monkeypatch, datetime(2026, 3, monday + 1, 6, 0, tzinfo=UTC))
    resolved = status(api, token, ticket, "resolved")
    assert resolved["sla"]["resolution_left_seconds"] == 2 * 3600
    return resolved


def test_the_customer_writing_three_days_later_gets_the_two_hours_that_were_left(
        api: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.messaging.kit import make_conversation

    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160007701")
    resolved = _resolved_with_two_hours_left(api, token, monkeypatch, monday=2, conversation_id=conversation["id"])
    assert _timer_due(company.tenant_id, resolved["id"]) is None  # no breach while it is resolved
    first_day = _report(api, token, "2026-03-03")
    assert first_day["resolved"] == 1 and first_day["resolution_on_time"] == 1.0 and first_day["reopened"] == 0

    older = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # a redelivered message from before the resolve
    assert _customer_wrote(company.tenant_id, conversation["id"], older) == 0
    assert _card(api, token, resolved)["status"] == "resolved"

    friday = datetime(2026, 3, 6, 7, 0, tzinfo=UTC)  # Friday 10:00 in Moscow, three days on
    _at(monkeypatch, friday)
    assert _customer_wrote(company.tenant_id, conversation["id"], friday) == 1
    card = _card(api, token, resolved)
    assert card["status"] == "open" and card["sla"]["breached"] == [] and card["sla"]["resolved_at"] is None
    assert card["sla"]["resolution_due"].startswith("2026-03-06T09:00:00")  # 12:00 in Moscow: the 2 h left
    assert _timer_due(company.tenant_id, resolved["id"]) == datetime(2026, 3, 6, 9, tzinfo=UTC)
    assert _customer_wrote(company.tenant_id, conversation["id"], friday) == 0  # the same message again

    _at(monkeypatch, datetime(2026, 3, 6, 8, 0, tzinfo=UTC))  # resolved again within the time left
    again = status(api, token, card, "resolved")
    assert again["sla"]["resolution_left_seconds"] == 3600
    friday_numbers = _report(api, token, "2026-03-06")  # each resolve counts, judged by its own due time
    assert friday_numbers["reopened"] == 1 and friday_numbers["resolved"] == 1
    assert friday_numbers["resolution_on_time"] == 1.0


def test_a_ticket_resolved_after_its_due_stays_breached_when_the_customer_or_staff_reopen_it(
        api: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.messaging.kit import make_conversation

    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160007702")
    _at(monkeypatch, datetime(2026, 3, 9, 7, 0, tzinfo=UTC))  # Monday 10:00 in Moscow: due Tuesday 11:00
    by_customer = open_ticket(api, token, priority="high", conversation_id=conversation["id"])
    by_staff = open_ticket(api, token, priority="high")
    _at(monkeypatch, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))  # Tuesday 12:00: both missed
    for ticket in (by_customer, by_staff):
        assert fire(company.tenant_id, RESOLUTION, ticket["id"]) == "fired"
    _at(monkeypatch, datetime(2026, 3, 11, 9, 0, tzinfo=UTC))
    resolved = [status(api, token, _card(api, token, t), "resolved") for t in (by_customer, by_staff)]
    assert all(r["sla"]["resolution_left_seconds"] is None for r in resolved)

    _at(monkeypatch, datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    assert _customer_wrote(company.tenant_id, conversation["id"], datetime(2026, 3, 13, 9, tzinfo=UTC)) == 1
    reopened = [_card(api, token, by_customer), status(api, token, resolved[1], "open")]
    for ticket in reopened:
        assert ticket["status"] == "open" and ticket["sla"]["breached"] == ["resolution"]
        assert _timer_due(company.tenant_id, ticket["id"]) is None  # no new timer, no second breach
    assert _report(api, token, "2026-03-13")["reopened"] == 2


def test_staff_reopening_a_resolved_ticket_gives_it_the_time_it_had_left(
        api: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    token = company.owner.token
    resolved = _resolved_with_two_hours_left(api, token, monkeypatch, monday=16)
    _at(monkeypatch, datetime(2026, 3, 20, 7, 0, tzinfo=UTC))  # Friday 10:00 in Moscow
    reopened = status(api, token, resolved, "open")
    assert reopened["sla"]["resolution_due"].startswith("2026-03-20T09:00:00")
    assert reopened["sla"]["paused_at"] is None and reopened["sla"]["resolved_at"] is None
    assert _timer_due(company.tenant_id, resolved["id"]) == datetime(2026, 3, 20, 9, tzinfo=UTC)


def test_the_customers_message_reopens_a_resolved_ticket_not_a_closed_one_nor_staffs_own_message(
        api: ApiClient, company: Company, feed: Feed) -> None:  # noqa: F811
    from tests.messaging.kit import APP_SECRET, make_conversation, play
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160007703")
    ticket = from_message(api, token, conversation, priority="high")
    closed = open_ticket(api, token, subject="Refund done", conversation_id=conversation["id"])
    status(api, token, closed, "closed")
    resolved = status(api, token, ticket, "resolved")
    feed.deliver()
    assert _card(api, token, ticket)["status"] == "resolved"  # the first message was before the resolve

    sent = api.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Glad it works"}, token=token)
    assert sent.status_code == 201, sent.body
    feed.deliver()
    assert _card(api, token, ticket)["status"] == "resolved"  # staff's own message reopens nothing

    line = body(api.get(f"/api/v1/integrations/{conversation['integration_id']}", token=token))
    chat = Chat(customer="+79160007703", name="Sample Customer", start=time.time() + 5)
    [answer] = play(api, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                        whatsapp_message(chat, 1, "text", {"body": "It still does not work"}))])
    assert answer.status_code == 200, answer.body
    feed.deliver()
    feed.deliver(feed.delivered)  # every event again: nothing moves twice, nobody is told twice
    card = _card(api, token, ticket)
    assert card["status"] == "open" and card["sla"]["resolved_at"] is None and card["sla"]["breached"] == []
    assert card["sla"]["resolution_due"] and _timer_due(company.tenant_id, ticket["id"]) is not None
    entries = [e for e in card["timeline"] if e["summary"] == "The customer wrote again: open"]
    assert len(entries) == 1 and entries[0]["data"] == {"from": "resolved", "to": "open", "by": "customer"}
    assert _card(api, token, closed)["status"] == "closed"  # closed is final: a reply makes a follow-up
    bell = body(api.get("/api/v1/notifications", token=token))["items"]
    told = [n for n in bell if n["type"] == "ticket.reopened" and n["subject"]["id"] in (ticket["id"], closed["id"])]
    assert len(told) == 1 and told[0]["subject"] == {"type": "ticket", "id": ticket["id"]}
    assert resolved["sla"]["resolution_left_seconds"] is not None


def test_another_company_s_tickets_are_untouched(api: ApiClient, company: Company,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.messaging.kit import make_conversation

    other = signup(api, company="Other Reopening Co")
    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160007704")
    resolved = _resolved_with_two_hours_left(api, token, monkeypatch, monday=23, conversation_id=conversation["id"])
    friday = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    _at(monkeypatch, friday)
    assert _customer_wrote(other.tenant_id, conversation["id"], friday) == 0  # another company's conversation id
    assert _card(api, token, resolved)["status"] == "resolved"
    assert _timer_due(company.tenant_id, resolved["id"]) is None
