"""Tickets over the API (#24): the queue and its filters, statuses, answers, tickets from a message or a call, SLA
due times on the company's clock, a breach made exactly once, and the satisfaction question answered once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from chalicelib.core import db
from tests.factories import Company, add_member, signup
from tests.messaging.kit import APP_SECRET, make_conversation, play
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient, body
from tests.telephony.kit import make_call
from tests.tickets.kit import fire, from_message, hand, open_ticket, status
from webhooks import mail
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    made = signup(api, company="Ticketing Co")
    add_member(api, made, role="agent", name="agent")
    return made


def test_a_ticket_starts_its_clock_and_joins_the_queue_and_its_filters(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    ticket = open_ticket(api, token, subject="Refund for order 1043", priority="urgent", channel="email")
    assert ticket["status"] == "new" and ticket["owner_id"] == company.owner.user_id
    assert ticket["sla"]["first_response_due"] and ticket["sla"]["resolution_due"]
    assert ticket["sla"]["first_response_due"] <= ticket["sla"]["resolution_due"]
    queue = body(api.get("/api/v1/tickets", token=token))["items"]
    assert ticket["id"] in [row["id"] for row in queue]
    urgent = body(api.get("/api/v1/tickets?priority=urgent&channel=email", token=token))["items"]
    assert [row["id"] for row in urgent] == [ticket["id"]]
    assert body(api.get("/api/v1/tickets?priority=low", token=token))["items"] == []
    found = body(api.get("/api/v1/tickets?q=refu", token=token))["items"]
    assert [row["id"] for row in found] == [ticket["id"]] and found[0]["subject"] == "Refund for order 1043"
    agent = company.members["agent"].token
    assert ticket["id"] not in [row["id"] for row in body(api.get("/api/v1/tickets", token=agent))["items"]]
    assert api.get(f"/api/v1/tickets/{ticket['id']}", token=agent).status_code == 404


def test_statuses_move_only_along_allowed_transitions(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    ticket = open_ticket(api, token)
    pending = status(api, token, ticket, "pending")
    stale = api.post(f"/api/v1/tickets/{ticket['id']}/status", {"version": ticket["version"], "status": "open"},
                     token=token)
    assert stale.status_code == 409
    resolved = status(api, token, pending, "resolved")
    assert resolved["sla"]["resolved_at"] is not None
    refused = api.post(f"/api/v1/tickets/{ticket['id']}/status", {"version": resolved["version"], "status": "pending"},
                       token=token)
    assert refused.status_code == 422 and body(refused)["error"]["code"] == "invalid_transition"
    reopened = status(api, token, resolved, "open")
    assert reopened["sla"]["resolved_at"] is None and reopened["status"] == "open"
    bad = api.post(f"/api/v1/tickets/{ticket['id']}/status", {"version": reopened["version"], "status": "gone"},
                   token=token)
    assert bad.status_code == 422


def test_the_first_staff_answer_stops_the_first_response_clock(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    ticket = open_ticket(api, token)
    answered = body(api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "We are on it."}, token=token))
    assert answered["status"] == "open" and answered["sla"]["first_response_at"] is not None
    assert fire(company.tenant_id, "ticket.first_response", ticket["id"]) == "none"  # its timer was dropped
    again = body(api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "Update."}, token=token))
    assert again["sla"]["first_response_at"] == answered["sla"]["first_response_at"]
    card = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    assert [e["kind"] for e in card["timeline"]][:2] == ["reply", "reply"]
    no_thread = api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "Hi", "via": "conversation"}, token=token)
    assert no_thread.status_code == 422


def test_a_breach_notifies_runs_rules_and_counts_exactly_once(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    rule = api.post("/api/v1/automations", {
        "name": "Escalate", "trigger": {"type": "ticket.sla_breached", "target": "first_response"},
        "actions": [{"type": "create_task", "title": "Escalate: {title}", "due_in_minutes": 30}]}, token=token)
    assert rule.status_code == 201, rule.body
    ticket = open_ticket(api, token, subject="Nobody answered me")
    assert fire(company.tenant_id, "ticket.first_response", ticket["id"]) == "fired"
    assert fire(company.tenant_id, "ticket.first_response", ticket["id"]) == "none"
    card = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    assert card["sla"]["breached"] == ["first_response"]
    notes = [n for n in body(api.get("/api/v1/notifications", token=token))["items"]
             if n["type"] == "ticket.sla_breached" and n["subject"]["id"] == ticket["id"]]
    assert len(notes) == 1
    runs = body(api.get(f"/api/v1/automations/{body(rule)['id']}/runs", token=token))["items"]
    assert len(runs) == 1 and runs[0]["status"] == "done"
    tasks = [t for t in body(api.get("/api/v1/tasks?view=all", token=token))["items"]
             if t["title"] == "Escalate: Nobody answered me"]
    assert len(tasks) == 1 and tasks[0]["related"]["type"] == "ticket"
    # the due run delivering the same timer again (its delete lost) changes nothing
    from chalicelib.core import tenancy
    from chalicelib.core.tenancy import TenantContext
    from chalicelib.due import service as due
    from chalicelib.tickets import timers

    ctx = TenantContext(tenant_id=company.tenant_id, actor_id="scheduler", actor_kind="system", role="system")
    replay = due.timer(ctx, kind="ticket.first_response", ref=ticket["id"],
                       due_at=datetime.fromisoformat(card["sla"]["first_response_due"]),
                       payload={"due": datetime.fromisoformat(card["sla"]["first_response_due"]).isoformat()})
    with tenancy.bind(ctx):
        assert timers.breach(ctx, replay) is False
    report = body(api.get("/api/v1/reports/tickets?by=priority", token=token))
    assert report["total"]["breaches"] == 1


def test_business_hours_and_time_zone_set_the_due_time(api: ApiClient, company: Company,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    token = company.owner.token
    settings = body(api.get("/api/v1/ticket-settings", token=token))
    changed = api.put("/api/v1/ticket-settings", {
        "version": settings["version"], "timezone": "America/New_York", "days": [0, 1, 2, 3, 4], "opens": "09:00",
        "closes": "18:00", "targets": {"high": {"first_response": 120, "resolution": 600}}}, token=token)
    assert changed.status_code == 200, changed.body
    friday = datetime(2026, 3, 6, 22, 30, tzinfo=UTC)  # 17:30 in New York, two days before its clocks go forward
    monkeypatch.setattr(db, "utcnow", lambda: friday)
    ticket = open_ticket(api, token, priority="high")
    assert ticket["sla"]["first_response_due"].startswith("2026-03-09T14:30:00")  # Monday 10:30 EDT
    bad = api.put("/api/v1/ticket-settings", {"version": body(changed)["version"], "timezone": "Mars/Olympus"},
                  token=token)
    assert bad.status_code == 422
    night = api.put("/api/v1/ticket-settings", {"version": body(changed)["version"], "opens": "18:00",
                                                 "closes": "09:00"}, token=token)  # a night shift: accepted
    assert night.status_code == 200 and body(night)["opens"] == "18:00", night.body
    back = api.put("/api/v1/ticket-settings", {"version": body(night)["version"], "opens": "09:00", "closes": "18:00"},
                   token=token)
    assert back.status_code == 200
    agent = api.put("/api/v1/ticket-settings", {"version": body(back)["version"], "csat": False},
                    token=company.members["agent"].token)
    assert agent.status_code == 403


def test_an_email_becomes_a_ticket_named_by_its_subject_and_a_photo_by_its_channel(api: ApiClient) -> None:
    """A ticket made from an e-mail took the first 120 characters of its text ('Hello! Could you send me ...') as
    its subject though the customer had named it; a photo without words was 'Message on whatsapp' in English to a
    Russian company."""
    company = signup(api, company="Цветочная лавка", country="RU", locale="ru")
    token = company.owner.token
    line = create_line(api, company)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="marina@customer.example")
    deliver(mail.message(who, subject="Заказ 1043 не пришёл", text="Здравствуйте! Где мой заказ?"))
    [conversation] = body(api.get("/api/v1/conversations?channel=email", token=token))["items"]
    ticket = from_message(api, token, conversation)
    assert (ticket["subject"], ticket["description"], ticket["channel"]) == (
        "Заказ 1043 не пришёл", "Здравствуйте! Где мой заказ?", "email")

    whatsapp = make_conversation(api, token, customer="+79160007711")
    line_url = body(api.get(f"/api/v1/integrations/{whatsapp['integration_id']}", token=token))["webhook_url"]
    chat = Chat(customer="+79160007711", name="Sample Customer")
    photo = whatsapp_message(chat, 2, "image", {"id": "media-1", "mime_type": "image/jpeg"})
    assert play(api, [whatsapp_post(line_url, APP_SECRET, photo)])[0].status_code == 200
    pictured = next(m for m in body(api.get(f"/api/v1/conversations/{whatsapp['id']}/messages", token=token))["items"]
                    if not m["text"])
    made = body(api.post("/api/v1/tickets/from-message", {"conversation_id": whatsapp["id"],
                                                          "message_id": pictured["id"]}, token=token))
    assert made["subject"] == "Сообщение: WhatsApp"


def test_a_ticket_handed_to_an_agent_hands_them_its_conversation(api: ApiClient, company: Company) -> None:
    """An agent given a ticket made from a customer's message could not open its conversation, and their answer to
    the customer on the ticket was refused as not found: the conversation stayed with whoever made the ticket."""
    token, agent = company.owner.token, company.members["agent"]
    conversation = make_conversation(api, token, customer="+79160008811")
    ticket = from_message(api, token, conversation)
    hand(api, token, ticket, agent.user_id)
    [given] = [entry for entry in body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))["timeline"]
               if entry["kind"] == "assigned"]
    assert given["data"] == {"from": company.owner.user_id, "to": agent.user_id}
    seen = api.get(f"/api/v1/conversations/{conversation['id']}", token=agent.token)
    assert seen.status_code == 200 and body(seen)["assignee_id"] == agent.user_id
    answered = api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "Checking now", "via": "conversation"},
                        token=agent.token)
    assert answered.status_code == 200, answered.body
    sent = [m["text"] for m in body(api.get(f"/api/v1/conversations/{conversation['id']}/messages",
                                            token=agent.token))["items"] if m["direction"] == "out"]
    assert sent == ["Checking now"]


def test_a_ticket_made_for_an_agent_hands_them_its_conversation(api: ApiClient, company: Company) -> None:
    """A ticket opened on a conversation with a colleague as its assignee left the conversation with its old owner:
    the agent could not open it nor answer the customer from the ticket (only a later reassignment handed it)."""
    token, agent = company.owner.token, company.members["agent"]
    conversation = make_conversation(api, token, customer="+79160008812")
    assert api.get(f"/api/v1/conversations/{conversation['id']}", token=agent.token).status_code == 404
    ticket = open_ticket(api, token, subject="Wrong size", conversation_id=conversation["id"], owner_id=agent.user_id)
    assert ticket["owner_id"] == agent.user_id
    history = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=agent.token))["timeline"]
    [given] = [entry for entry in history if entry["kind"] == "assigned"]  # who gave it, to whom
    assert given["data"]["to"] == agent.user_id and given["actor_id"] == company.owner.user_id
    seen = api.get(f"/api/v1/conversations/{conversation['id']}", token=agent.token)
    assert seen.status_code == 200 and body(seen)["assignee_id"] == agent.user_id
    answered = api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "Sending the right one",
                                                                   "via": "conversation"}, token=agent.token)
    assert answered.status_code == 200, answered.body
    sent = [m["text"] for m in body(api.get(f"/api/v1/conversations/{conversation['id']}/messages",
                                            token=agent.token))["items"] if m["direction"] == "out"]
    assert sent == ["Sending the right one"]


def test_a_ticket_made_for_oneself_leaves_the_conversation_where_it_is(api: ApiClient, company: Company) -> None:
    """Only an assignee named by the creator takes the conversation: a ticket the owner opens for themselves on a
    conversation handed to an agent leaves it with the agent, as a reassignment to no one else would."""
    token, agent = company.owner.token, company.members["agent"]
    conversation = make_conversation(api, token, customer="+79160008813")
    handed = api.post(f"/api/v1/conversations/{conversation['id']}/assign",
                      {"version": conversation["version"], "assignee_id": agent.user_id}, token=token)
    assert handed.status_code == 200, handed.body
    mine = open_ticket(api, token, subject="Follow up", conversation_id=conversation["id"])
    assert body(api.get(f"/api/v1/conversations/{conversation['id']}", token=token))["assignee_id"] == agent.user_id
    history = body(api.get(f"/api/v1/tickets/{mine['id']}", token=token))["timeline"]
    assert [entry["kind"] for entry in history] == ["created"]


def test_an_agent_may_not_make_a_ticket_for_someone_outside_their_scope(api: ApiClient, company: Company) -> None:
    """An agent (their own records only) naming the owner as a new ticket's assignee is refused with a 403 that says
    why, and nothing is made: no ticket in the queue, the conversation with its owner."""
    token, agent = company.owner.token, company.members["agent"]
    conversation = make_conversation(api, token, customer="+79160008814")
    handed = api.post(f"/api/v1/conversations/{conversation['id']}/assign",
                      {"version": conversation["version"], "assignee_id": agent.user_id}, token=token)
    assert handed.status_code == 200, handed.body
    before = body(api.get(f"/api/v1/conversations/{conversation['id']}", token=token))
    refused = api.post("/api/v1/tickets", {"subject": "For the boss", "conversation_id": conversation["id"],
                                           "owner_id": company.owner.user_id}, token=agent.token)
    assert refused.status_code == 403 and "scope" in body(refused)["error"]["message"]
    after = body(api.get(f"/api/v1/conversations/{conversation['id']}", token=token))
    assert after["assignee_id"] == agent.user_id and after["version"] == before["version"]
    queue = body(api.get("/api/v1/tickets?view=all&q=boss", token=token))["items"]
    assert [row for row in queue if row["subject"] == "For the boss"] == []


def test_a_message_becomes_one_ticket_and_closing_asks_the_customer_once(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160004411")
    [message] = body(api.get(f"/api/v1/conversations/{conversation['id']}/messages", token=token))["items"]
    made = api.post("/api/v1/tickets/from-message", {"conversation_id": conversation["id"],
                                                     "message_id": message["id"]}, token=token)
    assert made.status_code == 201, made.body
    ticket = body(made)
    assert ticket["channel"] == "whatsapp" and ticket["conversation_id"] == conversation["id"]
    assert ticket["contact_id"] == conversation["contact_id"] and ticket["subject"] == "Sample hi"
    again = api.post("/api/v1/tickets/from-message", {"conversation_id": conversation["id"],
                                                      "message_id": message["id"]}, token=token)
    assert again.status_code == 200 and body(again)["id"] == ticket["id"]
    contact = body(api.get(f"/api/v1/contacts/{conversation['contact_id']}", token=token))
    assert ticket["id"] in [link["id"] for link in contact["links"]["ticket"]]

    closed = status(api, token, ticket, "closed")
    assert fire(company.tenant_id, "ticket.csat", ticket["id"]) == "fired"
    sent = [m for m in body(api.get(f"/api/v1/conversations/{conversation['id']}/messages", token=token))["items"]
            if m["direction"] == "out"]
    assert len(sent) == 1
    link = re.search(r"/csat/([A-Za-z0-9_.-]+)", sent[0]["text"] or "")
    assert link is not None
    csat_token = link.group(1)
    page = api.get(f"/csat/{csat_token}")
    assert page.status_code == 200 and b'name="score"' in page.body
    assert b'<p class="company">Ticketing Co</p>' in page.body  # the customer sees who asks
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert api.request("POST", f"/csat/{csat_token}", body="score=9", headers=form).status_code == 422
    taken = api.request("POST", f"/csat/{csat_token}", body=f"score=4&comment={quote('Fast, thanks')}", headers=form)
    # each page says its sentence as its heading (a screen reader's list of headings was empty: axe's moderate finding)
    assert taken.status_code == 200 and b"<h1>Thank you for your rating!</h1>" in taken.body
    assert b"Ticketing Co" in taken.body
    twice = api.request("POST", f"/csat/{csat_token}", body="score=1", headers=form)
    assert twice.status_code == 200 and b"<h1>This request has been rated already.</h1>" in twice.body
    rated = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    assert rated["csat"]["score"] == 4 and rated["csat"]["comment"] == "Fast, thanks"
    assert rated["csat"]["sent_via"] == "conversation" and closed["closed_at"]
    report = body(api.get("/api/v1/reports/tickets?by=channel", token=token))
    whatsapp = next(row for row in report["items"] if row["key"] == "whatsapp")
    assert whatsapp["csat_answers"] == 1 and whatsapp["csat_average"] == 4.0


def test_a_forged_or_foreign_rating_link_is_refused(api: ApiClient, company: Company) -> None:
    from chalicelib.tickets import csat

    ticket = open_ticket(api, company.owner.token)
    forged = csat.token_for(company.tenant_id, ticket["id"], "nonce", datetime(2030, 1, 1, tzinfo=UTC))
    assert api.get(f"/csat/{forged}").status_code == 404  # right MAC, but no question was asked
    tampered = forged[:-2] + ("AA" if not forged.endswith("AA") else "BB")
    assert api.get(f"/csat/{tampered}").status_code == 404
    expired = csat.token_for(company.tenant_id, ticket["id"], "nonce", datetime(2020, 1, 1, tzinfo=UTC))
    assert api.get(f"/csat/{expired}").status_code == 404
    assert api.get("/csat/not-a-token").status_code == 404


def test_a_call_becomes_one_ticket_and_another_company_cannot_make_one(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    call = make_call(api, token, customer="+79160004412")
    made = api.post("/api/v1/tickets/from-call", {"call_id": call["id"]}, token=token)
    assert made.status_code == 201, made.body
    assert body(made)["channel"] == "phone" and body(made)["call_id"] == call["id"]
    # Named in the company's words, on its clock, as a New York company dates it (it read "Call inbound 2026-12-06
    # 16:34 UTC", then "Inbound call 2026-12-06 11:34").
    zone = ZoneInfo(body(api.get("/api/v1/me", token=token))["tenant"]["timezone"])
    started = datetime.fromisoformat(call["started_at"]).astimezone(zone)
    clock = started.strftime("%I:%M %p").lstrip("0")
    assert body(made)["subject"] == f"Inbound call {started:%B} {started.day}, {started.year}, {clock}"
    assert api.post("/api/v1/tickets/from-call", {"call_id": call["id"]}, token=token).status_code == 200
    other = signup(api, company="Stranger Co")
    assert api.post("/api/v1/tickets/from-call", {"call_id": call["id"]}, token=other.owner.token).status_code == 404
    linked = api.post("/api/v1/tickets", {"subject": "Theirs", "contact_id": call["contact_id"]},
                      token=other.owner.token)
    assert linked.status_code == 404


def test_a_reply_from_the_inbox_is_the_first_response_of_the_conversations_ticket(api: ApiClient,
                                                                                   company: Company) -> None:
    token = company.owner.token
    conversation = make_conversation(api, token, customer="+79160004413")
    ticket = from_message(api, token, conversation)
    assert ticket["sla"]["first_response_at"] is None
    sent = api.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Hello, we see it"}, token=token)
    assert sent.status_code == 201, sent.body
    answered = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    assert answered["sla"]["first_response_at"] is not None and answered["status"] == "open"
    assert fire(company.tenant_id, "ticket.first_response", ticket["id"]) == "none"
    via_ticket = api.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": "And the refund", "via": "conversation"},
                          token=token)
    assert via_ticket.status_code == 200, via_ticket.body
    card = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    replies = [e for e in card["timeline"] if e["kind"] == "reply"]
    assert len(replies) == 2 and replies[0]["data"]["text"] == "And the refund"
    assert card["sla"]["first_response_at"] == answered["sla"]["first_response_at"]


def test_a_ticket_links_an_order_of_the_company_only(api: ApiClient, company: Company) -> None:
    from tests.records.samples import SAMPLES

    order = SAMPLES["order"].made(api, company.owner.token, "orders")
    ticket = open_ticket(api, company.owner.token, order_id=order["id"], contact_id=order["contact_id"])
    assert ticket["order_id"] == order["id"]
    other = signup(api, company="Order Thief Co")
    refused = api.post("/api/v1/tickets", {"subject": "Not mine", "order_id": order["id"]}, token=other.owner.token)
    assert refused.status_code == 404 and body(refused)["error"]["details"][0]["loc"] == ["body", "order_id"]


def test_hostile_ratings_and_links_answer_4xx_and_change_nothing(api: ApiClient, company: Company) -> None:
    from tests.tickets.kit import rate

    token = company.owner.token
    contact = body(api.post("/api/v1/contacts", {"first_name": "Rater", "emails": [{"address": "rater@example.com"}]},
                            token=token))
    ticket = open_ticket(api, token, subject="Hostile rating", contact_id=contact["id"])
    link = rate(api, token, ticket, score=3)
    rated = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for raw in (b"score=5&comment=%00", b"score=\xff\xfe", b"score=5&comment=" + b"x" * 2001, b"score=-1",
                b"score=0", b"score=55", b"", b"score=5&score=1&" * 10):
        answer = api.request("POST", f"/csat/{link}", body=raw, headers=form)
        assert answer.status_code in (200, 404, 422), (raw[:20], answer.status_code)
        assert b"Traceback" not in answer.body
    assert body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))["csat"] == rated["csat"]
    for path in ("/csat/" + "A" * 2000, "/csat/%00", "/csat/a.b.c", "/kb/%00", "/kb/" + "a" * 200, "/kb/x/%00"):
        assert api.get(path).status_code == 404, path


def test_merging_contacts_moves_the_merged_ones_tickets_to_the_one_kept(api: ApiClient, company: Company) -> None:
    # README: "Merging contacts moves the merged contact's tickets to the one kept" (and an undo moves them back).
    token = company.owner.token
    kept, merged = (body(api.post("/api/v1/contacts", {"first_name": name,
                                                       "emails": [{"address": f"{name}@merge.test"}]}, token=token))
                    for name in ("kept", "merged"))
    ticket = open_ticket(api, token, subject="Wrong size", contact_id=merged["id"])
    merge = api.post(f"/api/v1/contacts/{kept['id']}/merge", {"other_id": merged["id"], "version": kept["version"],
                                                              "other_version": merged["version"]}, token=token)
    assert merge.status_code == 200, merge.body

    def listed(contact_id: str) -> list[str]:
        page = body(api.get(f"/api/v1/tickets?contact_id={contact_id}", token=token))
        return [found["id"] for found in page["items"]]

    assert body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))["contact_id"] == kept["id"]
    assert (listed(kept["id"]), listed(merged["id"])) == ([ticket["id"]], [])
    undone = api.post(f"/api/v1/merges/{body(merge)['merge_id']}/undo", token=token)
    assert undone.status_code == 200, undone.body
    assert body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))["contact_id"] == merged["id"]
    assert (listed(kept["id"]), listed(merged["id"])) == ([], [ticket["id"]])
