"""What segments and campaigns cost (#24): DynamoDB requests and capacity units per recipient of a campaign (the
fan-out and the send batches from the campaign queue, each message once), per contact of a segment's build and of
its daily refresh, per contact change the feed applies to the segments, and for a live count and a results read.

A send batch of 50 e-mail recipients reads their markers (one BatchGetItem, keys only), their contacts and consents
(one BatchGetItem of 100 keys, a projection), claims them in one transaction (a marker each, the campaign's counters,
the month's allowance) and records what SES said in another: about 2 WRU and a little more than 1 RRU a recipient,
plus one SES SendEmail each and one SQS receive and delete per 50. CPU is the process time (moto in-process: an upper
bound of ours). A delivery status (SES's event of one message) is stored in the company's inbox first (its event,
its sealed fields, its dedupe mark and audit record in one transaction), then applied: the message's lookup, its
marker, and one transaction for the marker and the counters. ``python -m bench.campaigns [contacts] [--table]``.
"""

from __future__ import annotations

import time
from typing import Any

from bench import accounting, harness


def _calls() -> list[Any]:
    return [c for c in accounting.LEDGER.snapshot() if not c.auth]


def _measured(run: Any) -> dict[str, Any]:
    accounting.LEDGER.reset()
    started = time.process_time()
    outcome = run()
    cpu = time.process_time() - started
    calls = _calls()
    return {"outcome": outcome, "requests": len(calls), "read_units": sum(c.read_units for c in calls),
            "write_units": sum(c.write_units for c in calls), "cpu_s": cpu,
            "operations": sorted({c.operation for c in calls}), "wru_by_kind": accounting.wru_by_kind(calls)}


def _per(cost: dict[str, Any], count: int) -> dict[str, Any]:
    return {"requests": round(cost["requests"] / count, 3), "read_units": round(cost["read_units"] / count, 2),
            "write_units": round(cost["write_units"] / count, 2), "cpu_ms": round(cost["cpu_s"] * 1000 / count, 2),
            "total_requests": cost["requests"], "operations": cost["operations"],
            "wru_by_kind": {k: round(v / count, 2) for k, v in list(cost["wru_by_kind"].items())[:6]}}


def _drain() -> int:
    import boto3

    from chalicelib.campaigns import sending

    sqs = boto3.client("sqs")
    handled = 0
    while True:
        found = sqs.receive_message(QueueUrl=sending.queue_url(), MaxNumberOfMessages=10).get("Messages", [])
        if not found:
            return handled
        for message in found:
            sending.handle({"Records": [{"messageId": message["MessageId"], "body": message["Body"]}]})
            sqs.delete_message(QueueUrl=sending.queue_url(), ReceiptHandle=message["ReceiptHandle"])
            handled += 1


def _ses_delivery(measured: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """SES's Delivery event of the last campaign e-mail through app.campaign_mail_events (#24), then again."""
    import json

    from chalice.app import SQSEvent
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.campaigns import mail_events
    from webhooks import ses_events

    for sent in reversed(ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages):
        found = ses_events.TOKEN.search(getattr(sent, "raw_data", "").replace("=\r\n", "").replace("=\n", ""))
        if found:
            break
    assert found is not None, "no campaign e-mail was sent"
    record = ses_events.event("delivery", message_id=sent.id, tenant_id=found.group(1), campaign_id=found.group(2),
                              contact_id=found.group(3), recipient="buyer@bench.example.com")
    batch = {"Records": [{"messageId": "m", "receiptHandle": "r", "body": json.dumps(record)}]}
    return (measured(lambda: mail_events.queued_events(SQSEvent(batch, None))),
            measured(lambda: mail_events.queued_events(SQSEvent(batch, None))))


def _telegram(api: Any, ids: list[str], segment_id: str) -> dict[str, Any]:
    """The same recipients on the company's Telegram bot: each contact's chat id and Telegram consent, the owner's own
    chat with the bot for the test (a webhook update), then a Telegram campaign sent through the queue."""
    import json
    from urllib.parse import urlsplit

    from webhooks.messengers import Chat, telegram_post, telegram_update

    line = api.ok("POST", "/api/v1/integrations", {"type": "telegram", "name": "Bench bot", "settings": {
        "bot_token": "123456789:AAE-bench-bot-token-000000000001"}})
    for n, contact_id in enumerate(ids):
        version = api.ok("GET", f"/api/v1/contacts/{contact_id}")["version"]
        api.ok("PATCH", f"/api/v1/contacts/{contact_id}", {"messengers": {"telegram_id": str(900_000 + n)},
                                                          "version": version})
        api.ok("PUT", f"/api/v1/contacts/{contact_id}/consent", {"telegram": "granted"})
    own = telegram_post(line["webhook_url"], line["secret"], telegram_update(Chat(chat_id=899_999, name="Olga Owner"),
                                                                              1, {"message_id": 1, "text": "test"}))
    answer = api._gateway.handle_request(method="POST", path=urlsplit(own.url).path, headers=own.headers, body=own.body)
    assert answer["statusCode"] == 200, answer
    chat = api.ok("GET", "/api/v1/conversations?channel=telegram")["items"][0]
    campaign = api.ok("POST", "/api/v1/campaigns", {"name": "Bench TG", "channel": "telegram", "segment_id": segment_id,
                                                    "integration_id": line["id"], "body": "News, {first_name}"})
    api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/test", {"conversation_id": chat["id"]})
    version = api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")["version"]
    api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/send", {"version": version})
    sent = _measured(_drain)
    results = api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/results")
    assert results["sent"] == results["delivered"] > 0, json.dumps(results)  # the segment's members (one moved out)
    return _per(sent, int(results["sent"]))


def measure(contacts: int = 200) -> dict[str, Any]:
    """A tenant with ``contacts`` consenting contacts: a segment built and refreshed, a campaign sent to it."""
    import os

    import boto3

    from chalicelib.campaigns import sending
    from chalicelib.core import db, tenancy
    from chalicelib.segments import events, jobs

    os.environ["CRM_PROVIDER_TRANSPORT"] = "sandbox"  # the Telegram bot is answered by its sandbox, never called
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        boto3.client("sqs").create_queue(QueueName=sending.queue_name())
        sending.SLEEP = lambda seconds: None  # the pace is the provider's, not what is measured here
        ids = []
        for n in range(contacts):
            made = api.ok("POST", "/api/v1/contacts", {"first_name": f"Buyer{n}", "tags": ["news"],
                                                      "emails": [{"address": f"buyer{n}@bench.example.com"}]})
            api.ok("PUT", f"/api/v1/contacts/{made['id']}/consent", {"email": "granted"})
            ids.append(made["id"])
        segment = api.ok("POST", "/api/v1/segments", {"name": "News", "conditions": [
            {"type": "tag_has", "value": "news"}, {"type": "created_within_days", "value": 30}]})
        ctx = harness.tenant_context(signed)
        with tenancy.bind(ctx):
            build = _measured(lambda: jobs.build(ctx, segment["id"], seconds=600))
            refresh_still = _measured(lambda: jobs.refresh(ctx))
            refresh_moved = _measured(lambda: jobs.refresh(ctx, now=db.utcnow() + __import__("datetime").timedelta(
                days=45)))
            jobs.refresh(ctx)  # back in
            api.ok("PATCH", f"/api/v1/contacts/{ids[0]}", {"tags": ["retail"], "version": 1})
            feed = _measured(lambda: events._refresh_contact(ctx, ids[0]))
        live = _measured(lambda: api.call("POST", "/api/v1/segments/preview", {"conditions": [
            {"type": "tag_has", "value": "news"}]})[0])
        campaign = api.ok("POST", "/api/v1/campaigns", {"name": "Bench", "channel": "email",
                                                        "segment_id": segment["id"], "subject": "Hi {first_name}",
                                                        "body": "News https://bench.example.com/news"})
        api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/test", {})
        version = api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")["version"]
        start = _measured(lambda: api.call("POST", f"/api/v1/campaigns/{campaign['id']}/send", {"version": version})[0])
        sent = _measured(_drain)
        results = api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/results")
        read = _measured(lambda: api.call("GET", f"/api/v1/campaigns/{campaign['id']}/results")[0])
        messages = _measured(lambda: api.call("GET", f"/api/v1/campaigns/{campaign['id']}/messages?limit=50")[0])
        delivered, again = _ses_delivery(_measured)
        recipients = int(results["sent"])
        telegram = _telegram(api, ids, segment["id"])
        return {"contacts": contacts, "recipients": recipients, "queue_messages": sent["outcome"],
                "send_now": {k: start[k] for k in ("outcome", "requests", "read_units", "write_units")},
                "per_recipient": _per(sent, max(recipients, 1)),
                "segment_build_per_contact": _per(build, contacts),
                "daily_refresh_per_contact_unchanged": _per(refresh_still, contacts),
                "daily_refresh_per_contact_moved": _per(refresh_moved, contacts),
                "feed_contact_change": _per(feed, 1), "live_count": _per(live, 1), "results_read": _per(read, 1),
                "messages_page": _per(messages, 1), "ses_delivery_event": _per(delivered, 1),
                "ses_event_repeated": _per(again, 1), "telegram_per_recipient": telegram}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    rows = []
    for key, label in (("per_recipient", "a campaign, per recipient"),
                       ("telegram_per_recipient", "a Telegram campaign, per recipient"), ("segment_build_per_contact",
                                                                        "segment build, per contact"),
                       ("daily_refresh_per_contact_unchanged", "daily refresh, per contact (nobody moves)"),
                       ("daily_refresh_per_contact_moved", "daily refresh, per contact (each moves)"),
                       ("feed_contact_change", "feed: a contact's change"), ("live_count", "live count (preview)"),
                       ("results_read", "campaign results"), ("messages_page", "its messages, a page of 50"),
                       ("ses_delivery_event", "a delivery status (SES event: stored, applied)"),
                       ("ses_event_repeated", "the same status published again")):
        found = result[key]
        rows.append((f"campaigns: {label}", f"{found['requests']:g} req, {found['read_units']:g} RRU, "
                     f"{found['write_units']:g} WRU, {found['cpu_ms']:g} ms CPU", ", ".join(found["operations"])))
    return rows


if __name__ == "__main__":
    harness.run(measure, table, 200)
