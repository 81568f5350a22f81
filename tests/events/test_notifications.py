"""Notifications made from the domain-event feed (moto's stream records through app.domain_events) and
from timers (the due run): once per cause, unread first, read marks, settings, pushed and e-mailed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import add_member, outbox, signup
from tests.support import ApiClient, body
from tests.telephony.kit import make_call


def _ctx(tenant_id: str) -> TenantContext:
    return TenantContext(tenant_id=tenant_id)


def _bell(client: ApiClient, token: str, **query: Any) -> dict[str, Any]:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return body(client.get("/api/v1/notifications" + (f"?{suffix}" if suffix else ""), token=token))


def test_a_task_reminds_its_assignee_then_tells_it_is_overdue_once_each(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Reminders")
    agent = add_member(client, company, role="agent", name="agent")
    client.patch("/api/v1/notifications/settings", {"version": 0, "email": "off"}, token=agent.token)  # no digest
    due_at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    task = body(client.post("/api/v1/tasks", {"title": "Call the Petrovs back", "due_at": due_at.isoformat(),
                                              "assignee_id": agent.user_id}, token=company.owner.token))
    assert feed.deliver() == {"batchItemFailures": []}
    with bind(_ctx(company.tenant_id)):
        reminder = due.get_timer(_ctx(company.tenant_id), kind="task.reminder", ref=task["id"])
        overdue = due.get_timer(_ctx(company.tenant_id), kind="task.overdue", ref=task["id"])
    assert reminder is not None and reminder.due_at == due_at - timedelta(minutes=15)
    assert overdue is not None and overdue.due_at == due_at

    given = ("task.assigned", "Call the Petrovs back", {"type": "task", "id": task["id"]})  # the owner gave it
    due.run_due(now=due_at - timedelta(minutes=30))
    assert [(n["type"], n["title"], n["subject"]) for n in _bell(client, agent.token)["items"]] == [given]  # not due
    due.run_due(now=due_at - timedelta(minutes=14))
    bell = _bell(client, agent.token)
    assert bell["unread"] == 2
    assert [(n["type"], n["title"], n["subject"]) for n in bell["items"]] == [
        ("task.reminder", "Call the Petrovs back", {"type": "task", "id": task["id"]}), given]

    due.run_due(now=due_at + timedelta(minutes=1))
    with bind(_ctx(company.tenant_id)):  # fired timers are gone
        assert due.get_timer(_ctx(company.tenant_id), kind="task.overdue", ref=task["id"]) is None
    bell = _bell(client, agent.token)
    assert [n["type"] for n in bell["items"]] == ["task.overdue", "task.reminder", "task.assigned"]
    assert _bell(client, company.owner.token)["items"] == []  # the assignee's, nobody else's

    assert feed.deliver(feed.delivered) == {"batchItemFailures": []}  # the same records again: nothing new
    due.run_due(now=due_at + timedelta(minutes=3))  # the timers they set again find their notifications made
    assert _bell(client, agent.token)["unread"] == 3


def test_a_task_done_or_moved_drops_or_moves_its_timers(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Moved tasks")
    due_at = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    task = body(client.post("/api/v1/tasks", {"title": "Send the offer", "due_at": due_at.isoformat()},
                            token=company.owner.token))
    later = due_at + timedelta(days=1)
    moved = body(client.patch(f"/api/v1/tasks/{task['id']}", {"version": task["version"], "due_at": later.isoformat()},
                              token=company.owner.token))
    feed.deliver()
    ctx = _ctx(company.tenant_id)
    with bind(ctx):
        assert due.get_timer(ctx, kind="task.overdue", ref=task["id"]).due_at == later  # type: ignore[union-attr]
    due.run_due(now=due_at + timedelta(minutes=5))
    assert _bell(client, company.owner.token)["items"] == []  # the old time passes silently
    client.post(f"/api/v1/tasks/{task['id']}/complete", {"version": moved["version"]}, token=company.owner.token)
    feed.deliver()
    with bind(ctx):
        assert due.get_timer(ctx, kind="task.overdue", ref=task["id"]) is None
        assert due.get_timer(ctx, kind="task.reminder", ref=task["id"]) is None


def test_a_deal_assigned_to_someone_else_tells_them(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Assigned")
    agent = add_member(client, company, role="agent", name="agent")
    deal = body(client.post("/api/v1/deals", {"title": "Kitchen refit", "owner_id": agent.user_id},
                            token=company.owner.token))
    mine = body(client.post("/api/v1/deals", {"title": "My own deal"}, token=company.owner.token))
    feed.deliver()
    items = _bell(client, agent.token)["items"]
    assert [(n["type"], n["title"], n["subject"]["id"], n["actor_id"]) for n in items] == [
        ("deal.assigned", "Kitchen refit", deal["id"], company.owner.user_id)]
    assert mine["id"] not in str(_bell(client, company.owner.token))  # nobody is told of their own deal


def test_a_mention_in_a_note_tells_the_user_named(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Mentions")
    agent = add_member(client, company, role="admin", name="admin")  # sees every deal
    deal = body(client.post("/api/v1/deals", {"title": "Mentioned deal"}, token=company.owner.token))
    note = body(client.post("/api/v1/notes", {"subject": {"type": "deal", "id": deal["id"]},
                                              "text": f"@{agent.user_id} please call them today"},
                            token=company.owner.token))
    feed.deliver()
    items = _bell(client, agent.token)["items"]
    assert [(n["type"], n["subject"], n["excerpt"]) for n in items] == [
        ("note.mention", {"type": "deal", "id": deal["id"]}, "@Admin please call them today")]  # named, not "@"
    client.patch(f"/api/v1/notes/{note['id']}", {"version": note["version"],
                                                 "text": f"@{agent.user_id} please call them tomorrow"},
                 token=company.owner.token)
    feed.deliver()
    assert len(_bell(client, agent.token)["items"]) == 1  # named before: not told again


def test_read_marks_unread_first_and_settings(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Read marks")
    agent = add_member(client, company, role="agent", name="agent")
    for title in ("First", "Second", "Third"):
        client.post("/api/v1/deals", {"title": title, "owner_id": agent.user_id}, token=company.owner.token)
    feed.deliver()
    bell = _bell(client, agent.token)
    assert [n["title"] for n in bell["items"]] == ["Third", "Second", "First"] and bell["unread"] == 3
    first = bell["items"][2]["id"]
    read = body(client.post(f"/api/v1/notifications/{first}/read", token=agent.token))
    assert read["read"] is True
    bell = _bell(client, agent.token)
    assert [n["title"] for n in bell["items"]] == ["Third", "Second", "First"] and bell["unread"] == 2
    assert [n["title"] for n in _bell(client, agent.token, unread="true")["items"]] == ["Third", "Second"]
    assert client.post(f"/api/v1/notifications/{first}/read", token=company.owner.token).status_code == 404
    assert body(client.post("/api/v1/notifications/read-all", token=agent.token)) == {"unread": 0, "marked": 2}
    assert _bell(client, agent.token)["unread"] == 0

    settings = body(client.get("/api/v1/notifications/settings", token=agent.token))
    assert settings == {"email": "digest", "reminder_minutes": 15, "digest_hour": 8, "version": 0}
    changed = body(client.patch("/api/v1/notifications/settings", {"version": 0, "email": "immediate",
                                                                    "reminder_minutes": 60}, token=agent.token))
    assert changed["email"] == "immediate" and changed["reminder_minutes"] == 60 and changed["version"] == 1
    assert client.patch("/api/v1/notifications/settings", {"version": 0, "email": "off"},
                        token=agent.token).status_code == 409
    assert client.patch("/api/v1/notifications/settings", {"version": 1, "email": None},
                        token=agent.token).status_code == 422


def test_immediate_email_goes_out_through_the_due_run(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Mailed")
    agent = add_member(client, company, role="agent", name="agent")
    client.patch("/api/v1/notifications/settings", {"version": 0, "email": "immediate"}, token=agent.token)
    client.post("/api/v1/deals", {"title": "Mailed deal", "owner_id": agent.user_id}, token=company.owner.token)
    feed.deliver()
    before = len(outbox(agent.email))
    due.run_due(now=db.utcnow() + timedelta(seconds=1))
    mails = outbox(agent.email)[before:]
    assert len(mails) == 1 and "Mailed deal" in mails[0].subject and "/#/deals/" in mails[0].body


def test_a_mention_tells_nobody_who_may_not_read_the_record(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Private mentions")
    agent = add_member(client, company, role="agent", name="agent")  # sees its own deals only
    deal = body(client.post("/api/v1/deals", {"title": "Owner's private deal"}, token=company.owner.token))
    client.post("/api/v1/notes", {"subject": {"type": "deal", "id": deal["id"]},
                                  "text": f"@{agent.user_id} the price is 9,000"}, token=company.owner.token)
    feed.deliver()
    assert _bell(client, agent.token)["items"] == []


def test_a_missed_call_tells_the_one_responsible_and_counts_in_communications(client: ApiClient,
                                                                             feed: Feed) -> None:
    company = signup(client, company="Missed calls")
    call = make_call(client, company.owner.token, customer="+79161234567")
    feed.deliver()
    items = _bell(client, company.owner.token)["items"]
    assert [(n["type"], n["title"], n["subject"]["id"]) for n in items if n["type"] == "call.missed"] == [
        ("call.missed", "+7 916 123-45-67", call["id"])]  # as people read it (the bell said +79161234567)
    report = body(client.get("/api/v1/reports/communications", token=company.owner.token))["items"]
    assert [(r["channel"], r["direction"], r["calls"], r["missed"]) for r in report] == [("call", "inbound", 1, 1)]


def test_a_customers_message_tells_the_assignee_who_wrote_and_what(client: ApiClient, feed: Feed) -> None:
    # The bell and its toast read "New message" and nothing more ("New message: "): now the customer's name as the
    # channel gives it and the message's first words.
    from tests.messaging.kit import APP_SECRET, create_line, play
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    company = signup(client, company="Messages told")
    line = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79161230777", name="Maria Ivanova")
    play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                whatsapp_message(chat, 1, "text", {"body": "Is the blue vase in stock?"}))])
    feed.deliver()
    told = [n for n in _bell(client, company.owner.token)["items"] if n["type"] == "message.received"]
    assert [(n["title"], n["excerpt"], n["subject"]["type"]) for n in told] == [
        ("Maria Ivanova", "Is the blue vase in stock?", "conversation")]


def test_a_ticket_given_to_someone_tells_them_and_one_taken_oneself_does_not(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Tickets given")
    agent = add_member(client, company, role="agent", name="agent")
    admin = add_member(client, company, role="admin", name="admin")
    token = company.owner.token
    given = body(client.post("/api/v1/tickets", {"subject": "The vase came broken", "owner_id": agent.user_id},
                             token=token))
    mine = body(client.post("/api/v1/tickets", {"subject": "Invoice for March"}, token=token))
    taken = body(client.post("/api/v1/tickets", {"subject": "Wrong address"}, token=token))
    feed.deliver()
    told = [(n["type"], n["title"], n["subject"], n["actor_id"]) for n in _bell(client, agent.token)["items"]]
    assert told == [("ticket.assigned", "The vase came broken", {"type": "ticket", "id": given["id"]},
                     company.owner.user_id)]
    assert "ticket.assigned" not in str(_bell(client, token))  # nobody is told of a ticket they opened for themselves

    reassigned = client.patch(f"/api/v1/tickets/{mine['id']}", {"version": mine["version"], "owner_id": agent.user_id},
                              token=token)
    took = client.patch(f"/api/v1/tickets/{taken['id']}", {"version": taken["version"], "owner_id": admin.user_id},
                        token=admin.token)
    assert reassigned.status_code == 200 and took.status_code == 200, (reassigned.body, took.body)
    assert feed.deliver() == {"batchItemFailures": []}
    assert [(n["type"], n["title"]) for n in _bell(client, agent.token)["items"]] == [
        ("ticket.assigned", "Invoice for March"), ("ticket.assigned", "The vase came broken")]
    assert "ticket.assigned" not in str(_bell(client, admin.token))  # the admin took it: nothing to tell her
    assert feed.deliver(feed.delivered) == {"batchItemFailures": []}  # the same records again: nothing new
    assert _bell(client, agent.token)["unread"] == 2


def _limit_reached(client: ApiClient, company: Any) -> None:
    from tests.billing import helpers

    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=3, pipelines=1, contacts=limit)  # no room for one more contact


def _not_saved(client: ApiClient, token: str) -> list[tuple[str, str | None, dict[str, str]]]:
    return [(n["type"], n["title"], n["subject"]) for n in _bell(client, token)["items"]
            if n["type"].endswith(".contact_skipped")]


def test_a_chat_a_website_lead_and_a_call_not_saved_as_contacts_tell_the_plans_readers_once_a_day(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integrations.helpers import create_form, post_form
    from tests.messaging.kit import create_line, inbox, play
    from webhooks.messengers import Chat, telegram_requests

    company = signup(client, company="Full everywhere")
    admin = add_member(client, company, role="admin", name="admin")
    agent = add_member(client, company, role="agent", name="agent")
    line = create_line(client, company, "telegram")
    form = create_form(client, company, name="Site")
    _limit_reached(client, company)
    moment = datetime.now(UTC)
    with monkeypatch.context() as patch:  # one moment for every change: one company day, whatever the clock says
        patch.setattr("chalicelib.core.audit.utcnow", lambda: moment)
        play(client, telegram_requests(line["webhook_url"], secret_token=line["secret"],
                                       chat=Chat(chat_id=881002, name="Pavel Smirnov")))
        assert post_form(client, form, {"name": "Anna Petrova", "phone": "+79123456789"}).status_code == 200
        call = make_call(client, company.owner.token, customer="+79161234567")
    assert call["contact_skipped"] == "plan_limit"
    assert feed.deliver() == {"batchItemFailures": []}
    [conversation] = inbox(client, company)
    for token in (company.owner.token, admin.token):  # the chat came first: it is the day's one notice
        assert _not_saved(client, token) == [("conversation.contact_skipped", "Pavel Smirnov",
                                              {"type": "conversation", "id": conversation["id"]})]
    assert _not_saved(client, agent.token) == []  # an agent cannot raise the plan


def test_a_website_lead_not_saved_as_a_contact_tells_the_plans_readers_naming_its_deal(
        client: ApiClient, feed: Feed) -> None:
    from tests.integrations.helpers import create_form, events, post_form

    company = signup(client, company="Full forms")
    form = create_form(client, company, name="Site")
    _limit_reached(client, company)
    assert post_form(client, form, {"name": "Anna Petrova", "email": "anna@example.com"}).status_code == 200
    [event] = events(client, company, form)
    assert feed.deliver() == {"batchItemFailures": []}
    assert _not_saved(client, company.owner.token) == [
        ("lead.contact_skipped", "Website form: Anna Petrova", {"type": "deal", "id": event["outcome"]["deal_id"]})]
    assert feed.deliver(feed.delivered) == {"batchItemFailures": []}  # the same records again: nothing new
    assert len(_not_saved(client, company.owner.token)) == 1


def test_the_daily_digest_mails_the_days_unread_at_the_users_hour_on_the_companys_clock(client: ApiClient,
                                                                                         feed: Feed) -> None:
    # README: notifications by "e-mail at once, in a daily digest or never"; the digest is everyone's default.
    from zoneinfo import ZoneInfo

    from chalicelib.notifications.service import DIGEST_KIND

    company = signup(client, company="Digest", timezone="Europe/Moscow")
    agent = add_member(client, company, role="agent", name="agent")  # default settings: a digest at 08:00
    quiet = add_member(client, company, role="agent", name="quiet")
    client.patch("/api/v1/notifications/settings", {"version": 0, "email": "off"}, token=quiet.token)
    for title, owner in (("Roses for the Petrovs", agent), ("Tulips for the school", agent), ("Lilies", quiet)):
        client.post("/api/v1/deals", {"title": title, "owner_id": owner.user_id}, token=company.owner.token)
    feed.deliver()
    read = next(n for n in _bell(client, agent.token)["items"] if n["title"] == "Tulips for the school")
    client.post(f"/api/v1/notifications/{read['id']}/read", token=agent.token)  # read in the app: not mailed
    with bind(_ctx(company.tenant_id)):
        timer = due.get_timer(_ctx(company.tenant_id), kind=DIGEST_KIND, ref=agent.user_id)
        assert due.get_timer(_ctx(company.tenant_id), kind=DIGEST_KIND, ref=quiet.user_id) is None
    assert timer is not None
    at = timer.due_at.astimezone(ZoneInfo("Europe/Moscow"))
    assert (at.hour, at.minute) == (8, 0) and timedelta(0) < timer.due_at - db.utcnow() <= timedelta(days=1)

    before, quiet_before = len(outbox(agent.email)), len(outbox(quiet.email))
    due.run_due(now=timer.due_at - timedelta(minutes=1))
    assert len(outbox(agent.email)) == before  # not yet its hour
    due.run_due(now=timer.due_at + timedelta(seconds=1))
    mails = outbox(agent.email)[before:]
    assert len(mails) == 1 and mails[0].subject == "Your notifications (1)"
    assert "Roses for the Petrovs" in mails[0].body and "/#/deals/" in mails[0].body
    assert "Tulips for the school" not in mails[0].body
    assert len(outbox(quiet.email)) == quiet_before  # "never" mails nothing
    with bind(_ctx(company.tenant_id)):  # the next day's digest, at the same hour
        again = due.get_timer(_ctx(company.tenant_id), kind=DIGEST_KIND, ref=agent.user_id)
    assert again is not None and again.due_at == timer.due_at + timedelta(days=1)
