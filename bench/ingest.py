"""Webhook ingest: what a form event costs in DynamoDB requests and write units, 10% sent twice.

Written against the integrations contract: an admin creates a form integration (its
``webhook_url`` ends in the key), the public hook answers ``{ok, event_id, duplicate?}``. As
deployed, the hook stores the event; the table's stream brings its audit record to the domain-event
feed (``app.domain_events``), which queues it (``inbox.dispatch``); the jobs queue's handler
(``inbox.jobs.queued_events``) makes the contact, deal and task. The bench posts every event to the
hook, hands the stream to the feed as Lambda would (local/streams.py, what ``make run`` runs), drains
the queue through the handler, ten messages a batch as Lambda hands them, hands the feed what that
wrote, and counts every DynamoDB request and its capacity (bench.accounting): the hook's and the
processing's apart from the feed's (its consumers: reports, notifications, automations ...). Every
unique submission carries its own e-mail address and phone; afterwards every event must have exactly
one contact (none lost) and every repeat must have been recognised (none doubled). A form event's CPU: bench.cpu.
``python -m bench.ingest [events]``; skipped while ``chalicelib/forms`` is not in the tree.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path
from typing import Any

from bench import accounting, harness

DUPLICATE_SHARE = 0.10
FORMS = Path(__file__).resolve().parent.parent / "chalicelib" / "forms"


def _submissions(events: int) -> list[dict[str, str]]:
    unique = [{"name": f"Lead {number}", "email": f"lead.{number}@example.com", "phone": f"+44207{number:07d}",
               "message": "Bench submission"} for number in range(round(events * (1 - DUPLICATE_SHARE)))]
    repeats = random.Random(8).choices(unique, k=events - len(unique))
    mixed = unique + [dict(submission) for submission in repeats]
    random.Random(9).shuffle(mixed)
    return mixed


def _count_contacts(api: harness.Api) -> int:
    total, path = 0, "/api/v1/contacts?sort=created&limit=200"
    while True:
        page = api.ok("GET", path)
        total += len(page["items"])
        if not page.get("next_cursor"):
            return total
        path = f"/api/v1/contacts?sort=created&limit=200&cursor={page['next_cursor']}"


def _queue() -> str:
    """Create the jobs queue and configure the app to hand events to it, as a deployed stage does."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.inbox import queue

    url = str(aws.client("sqs").create_queue(QueueName=settings.jobs_queue_name)["QueueUrl"])
    queue.settings = dataclasses.replace(settings, jobs_queue_url=url)  # type: ignore[misc]
    return url


def _drain(url: str) -> int:
    """Feed the queued messages to the queue's handler in batches of ten, as Lambda does; how many."""
    from chalice.app import SQSEvent

    from chalicelib.core import aws
    from chalicelib.inbox import jobs

    sqs, handled = aws.client("sqs"), 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return handled
        jobs.queued_events(SQSEvent({"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                                                  "body": m["Body"]} for m in messages]}, None))
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for n, m in enumerate(messages)])
        handled += len(messages)



def measure(events: int = 300) -> dict[str, Any]:
    """Send events (10% repeated) through the public hook, then through the feed and the queue; what it cost,
    lost/doubled."""
    if not FORMS.is_dir():
        return {"skipped": "/hooks/forms not in tree"}
    accounting.install()
    with harness.in_process_app() as app:
        url = _queue()
        submissions = _submissions(events)
        api, hook, path = _form(app)
        feed = harness.DomainFeed(app)
        feed.deliver()  # the sign-up's own records
        accounting.LEDGER.reset()
        answers = [hook.call("POST", path, submission) for submission in submissions]
        hook_calls = accounting.LEDGER.snapshot()
        accounting.LEDGER.reset()
        records = feed.deliver()  # the dispatch queues the stored events; the feed's consumers see them
        dispatch_calls = accounting.LEDGER.snapshot()
        accounting.LEDGER.reset()
        handled = _drain(url)
        calls = hook_calls + accounting.LEDGER.snapshot()
        accounting.LEDGER.reset()
        records += feed.deliver()  # the feed's consumers see the contacts, deals and tasks made
        feed_calls = dispatch_calls + accounting.LEDGER.snapshot()
        contacts = _count_contacts(api)
    unique = len({submission["email"] for submission in submissions})
    failed = sum(1 for status, _ in answers if status >= 300)
    flagged = sum(1 for status, found in answers if status < 300 and found.get("duplicate"))
    return {"events": events, "unique": unique, "queued": handled, "hook_requests_per_event": len(hook_calls) / events,
            "failed": failed, "contacts": contacts, "lost": max(unique - contacts, 0),
            "doubled": max(contacts - unique, 0), "duplicates_flagged": flagged,
            "dynamodb_requests_per_event": len(calls) / events,
            "wru_per_event": sum(call.write_units for call in calls) / events,
            "wru_by_kind": accounting.wru_by_kind(calls, events),
            "rru_per_event": sum(call.read_units for call in calls) / events,
            "feed_records_per_event": records / events, "feed_requests_per_event": len(feed_calls) / events,
            "feed_wru_per_event": sum(call.write_units for call in feed_calls) / events,
            "feed_rru_per_event": sum(call.read_units for call in feed_calls) / events,
            "feed_wru_by_kind": accounting.wru_by_kind(feed_calls, events)}


def _form(app: Any) -> tuple[harness.Api, harness.Api, str]:
    """A new tenant's owner, the public hook client and the path of the tenant's new form."""
    api, _ = harness.sign_up(app)
    integration = api.ok("POST", "/api/v1/integrations", {"type": "form", "name": "Bench form", "settings": {
        "rate_limit_per_minute": 1000, "sender_limit_per_minute": 1000}})  # the maxima: one sender posts all
    return api, harness.Api(app), "/hooks/forms/" + integration["webhook_url"].rstrip("/").rsplit("/", 1)[1]


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    if "skipped" in result:
        return [("webhook ingest", "skipped", result["skipped"])]
    clean = not (result["failed"] or result["lost"] or result["doubled"])
    return [("webhook ingest: DynamoDB per event", f"{result['dynamodb_requests_per_event']:.1f} req",
             f"{result['wru_per_event']:.1f} WRU, {result['rru_per_event']:.1f} RRU; "
             f"{result['hook_requests_per_event']:.1f} req before the answer"),
            ("webhook ingest: WRU per event by item", ", ".join(
                f"{kind} {units:.1f}" for kind, units in list(result.get("wru_by_kind", {}).items())[:4]), ""),
            ("webhook ingest: the domain-event feed per event", f"{result['feed_requests_per_event']:.1f} req",
             f"{result['feed_wru_per_event']:.1f} WRU, {result['feed_rru_per_event']:.1f} RRU for "
             f"{result['feed_records_per_event']:.1f} stream records (reports, segments, campaigns, automations); "
             + ", ".join(f"{kind} {units:.1f}" for kind, units in list(result["feed_wru_by_kind"].items())[:3])),
            ("webhook ingest: none lost or doubled", "ok" if clean else "MISSED",
             f"{result['events']} events, {result['queued']} queued; lost {result['lost']}, doubled "
             f"{result['doubled']}, failed {result['failed']}, repeats flagged {result['duplicates_flagged']}")]


if __name__ == "__main__":
    harness.emit(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
