"""A Phoenix real estate team's showing reminder texts the buyer two hours before the showing, where it is and when
on the Phoenix clock, unless the buyer texted STOP to the team's Twilio number: then the run says why nothing went,
and nothing goes to Twilio."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from chalicelib.channels import transport
from chalicelib.core import db
from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import signup
from tests.messaging.kit import inbox
from tests.messaging.test_sms_buyers import LINE, _text
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony

REMINDER = "{first_name}, a reminder: {task} {when} with {assignee}. See you!"


def _with_a_showing_reminder(client: ApiClient, text: str) -> tuple[Any, dict[str, Any], Any]:
    """A Phoenix team with its Twilio line and a rule texting the buyer 2 hours before a showing (a meeting)."""
    company = signup(client, company="Sunbelt Homes Realty", country="US", timezone="America/Phoenix")
    line = create_telephony(client, company, "twilio", caller_id=LINE)
    rule = client.post("/api/v1/automations", {
        "name": "Showing reminder", "trigger": {"type": "task.due_soon", "minutes_before": 120,
                                                "task_kinds": ["meeting"]},
        "actions": [{"type": "send_message", "text": text}]}, token=company.owner.token)
    assert rule.status_code == 201, rule.body  # {place} was an unknown merge field (422)
    return company, line, rule


def test_a_buyer_who_texted_stop_gets_no_showing_reminder(client: ApiClient, feed: Feed) -> None:
    company, line, rule = _with_a_showing_reminder(client, REMINDER)
    _text(client, line, "SM" + "6" * 32, "Can I see 4218 E Camelback Rd on Saturday?")
    _text(client, line, "SM" + "7" * 32, "Stop")
    [conversation] = inbox(client, company)
    showing = client.post("/api/v1/tasks", {
        "title": "Showing: 4218 E Camelback Rd", "kind": "meeting",
        "due_at": (db.utcnow() + timedelta(minutes=60)).replace(microsecond=0).isoformat(),
        "related": {"type": "contact", "id": conversation["contact_id"]}}, token=company.owner.token)
    assert showing.status_code == 201, showing.body
    transport.clear_sandbox()
    feed.deliver()
    due.run_due(now=db.utcnow() + timedelta(minutes=1))
    runs: list[dict[str, Any]] = body(client.get(f"/api/v1/automations/{body(rule)['id']}/runs",
                                                 token=company.owner.token))["items"]
    [run] = runs
    step = run["steps"][0]
    assert step["code"] == "consent_withdrawn", run  # it was message_sent; then refused by the SMS line itself
    assert transport.sandbox_requests("twilio") == []


def test_the_buyer_is_told_where_the_showing_is(client: ApiClient, feed: Feed) -> None:
    company, line, _ = _with_a_showing_reminder(client, "Reminder: your showing at {place} is {when}.")
    _text(client, line, "SM" + "8" * 32, "Can I see 7312 N Central Ave?")
    [conversation] = inbox(client, company)
    now = db.utcnow()
    # 2:00 PM in Phoenix (UTC-7 all year) on a day after tomorrow, whatever the hour the test runs at
    day = (now.astimezone(UTC) - timedelta(hours=7)).date() + timedelta(days=3)
    at = datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC)
    showing = client.post("/api/v1/tasks", {
        "title": "Showing", "kind": "meeting", "due_at": at.isoformat(), "location": "7312 N Central Ave, Phoenix",
        "related": {"type": "contact", "id": conversation["contact_id"]}}, token=company.owner.token)
    assert showing.status_code == 201, showing.body
    transport.clear_sandbox()
    feed.deliver()
    due.run_due(now=at - timedelta(minutes=119))
    [request] = transport.sandbox_requests("twilio")
    text = dict(parse_qsl(request["body"]))["Body"]
    # reminded at 12:01 PM on the showing's day, on the Phoenix clock
    assert text == "Reminder: your showing at 7312 N Central Ave, Phoenix is today at 2:00 PM.", text
