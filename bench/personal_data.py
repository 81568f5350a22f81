"""What a person's data costs to export and to erase (GDPR Art. 15/17/20): DynamoDB requests, capacity units and
our CPU for one customer with a typical history, measured on ``runs`` such customers of one company.

Each customer has a phone and an e-mail, five notes, two tasks about her, a deal, consent to e-mails, two calls
through the PBX webhook, three WhatsApp messages through its webhook, a ticket and a confirmed order with its
invoice. The export reads her footprint (her collection, audit chain and read log, one Query of each record type's
``CF#contact`` rows, consent, campaign sends, segments, merges, the inbox of each integration, her documents) and
records the clear read; the erasure reads the same, purges, detaches and deletes. Tenant-wide partitions it reads
(the inbox of each line, the campaigns' message ids, the merges, the export jobs) grow with the company, not with
her: their share is in the figures. CPU is process time (moto runs in-process: an upper bound of ours).

The job path: a long-time customer (``LONG_MESSAGES`` WhatsApp messages, ``LONG_CALLS`` calls, ``LONG_NOTES`` notes)
with the bounds made small (``exports.INLINE_ITEMS``, ``slices.REQUEST_ITEMS`` at ``LONG_BOUND`` items,
``slices.SLICE_ITEMS`` at ``LONG_SLICE``), so the export answers 202 and the queue's function writes her file, and the
erasure answers 202 and the queue runs its slices: each figure is the request and every queued message it led to.
``python -m bench.personal_data [runs] [--table]``.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench import accounting, harness

APP_SECRET = harness.APP_SECRET
LONG_MESSAGES, LONG_CALLS, LONG_NOTES = 300, 10, 20
LONG_BOUND, LONG_SLICE = 100, 150


def _summary(name: str, costs: list[dict[str, Any]], ok: int) -> dict[str, Any]:
    first = costs[0]
    return {"scenario": name, "requests": statistics.median(c["requests"] for c in costs),
            "read_units": statistics.median(c["read_units"] for c in costs),
            "write_units": statistics.median(c["write_units"] for c in costs), "operations": first["operations"],
            "cpu_ms": statistics.median(c["cpu_s"] for c in costs) * 1000,
            "wru_by_kind": {kind: round(units, 1) for kind, units in list(first["wru_by_kind"].items())[:6]},
            "ok": all(c["status"] == ok for c in costs)}


def _drain() -> int:
    """Deliver the personal-data queue's messages to ``app.personal_data_jobs`` until it is empty; how many."""
    import boto3

    from app import personal_data_jobs
    from chalicelib.core.config import settings
    from chalicelib.personaldata import queue

    sqs = boto3.client("sqs", region_name=settings.region)
    url = sqs.create_queue(QueueName=queue.queue_name())["QueueUrl"]
    count = 0
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", []):
        [message] = messages
        answer = personal_data_jobs({"Records": [{"messageId": message["MessageId"], "body": message["Body"],
                                                      "receiptHandle": message["ReceiptHandle"]}]}, None)
        if not answer["batchItemFailures"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        count += 1
    return count


def _long_customer(app: Any, api: harness.Api, lines: dict[str, Any], n: int) -> str:
    """A customer with years of history in miniature: many WhatsApp messages, calls and notes; her id."""
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post
    from webhooks.providers import Call
    from webhooks.providers import pbx as simulator

    phone = f"+4420794691{n:02d}"
    contact = api.ok("POST", "/api/v1/contacts", {"first_name": f"Longtime{n}", "last_name": "Benchmark",
                                                  "phones": [{"number": phone}]})
    for k in range(LONG_NOTES):
        api.ok("POST", "/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]}, "text": f"Visit {k}"})
    for _ in range(LONG_CALLS):
        for request in simulator.requests("answered", lines["pbx"]["webhook_url"], key=None,
                                          secret=lines["pbx"]["secret"], call=Call(customer=phone, talk_seconds=60)):
            harness.post_request(app, request)
    chat = Chat(customer=phone, name=f"Longtime{n} Benchmark")
    for k in range(1, LONG_MESSAGES + 1):
        harness.post_request(app, whatsapp_post(lines["whatsapp"]["webhook_url"], APP_SECRET,
                                 whatsapp_message(chat, k, "text", {"body": f"Message {k}"})))
    return str(contact["id"])


def _job_path(app: Any, api: harness.Api, lines: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    """The export and the erasure of long-time customers through the queue: the request and its messages."""
    from chalicelib.personaldata import exports, slices

    exports.INLINE_ITEMS = slices.REQUEST_ITEMS = LONG_BOUND
    slices.SLICE_ITEMS = LONG_SLICE
    _drain()  # the queue made (infra/ makes it in AWS, the local runner locally)
    people = [_long_customer(app, api, lines, n) for n in range(runs)]
    messages: dict[str, list[int]] = {"export": [], "erasure": []}

    def through_queue(kind: str, method: str, path: str, body: dict[str, Any] | None) -> int:
        status = api.call(method, path, body)[0]
        messages[kind].append(_drain())
        return int(status)

    exported = [accounting.cost_of(lambda p=p: through_queue("export", "GET", f"/api/v1/contacts/{p}/personal-data",
                                                             None)) for p in people]
    erased = [accounting.cost_of(lambda p=p: through_queue("erasure", "POST", f"/api/v1/contacts/{p}/erase",
                                                           {"confirm": True})) for p in people]
    return [{**_summary(f"export of a long history as a file (202, then {max(messages['export'])} queued job)",
                        exported, 202), "queued": messages["export"]},
            {**_summary(f"erasure of a long history (202, then {max(messages['erasure'])} queued slices)",
                        erased, 202), "queued": messages["erasure"]}]


def _customer(app: Any, api: harness.Api, lines: dict[str, Any], n: int) -> str:
    """One customer with a typical history, made through the API and the webhooks; her id."""
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post
    from webhooks.providers import Call
    from webhooks.providers import pbx as simulator

    phone = f"+4420794690{n:02d}"
    contact = api.ok("POST", "/api/v1/contacts", {"first_name": f"Person{n}", "last_name": "Benchmark",
                                                  "phones": [{"number": phone}],
                                                  "emails": [{"address": f"person{n}@bench.example"}]})
    subject = {"type": "contact", "id": contact["id"]}
    for k in range(5):
        api.ok("POST", "/api/v1/notes", {"subject": subject, "text": f"Note {k} about the customer"})
    for k in range(2):
        api.ok("POST", "/api/v1/tasks", {"title": f"Call back {k}", "related": subject})
    api.ok("POST", "/api/v1/deals", {"title": f"Deal of person {n}", "contact_ids": [contact["id"]]})
    api.ok("PUT", f"/api/v1/contacts/{contact['id']}/consent", {"email": "granted"})
    for _ in range(2):
        for request in simulator.requests("answered", lines["pbx"]["webhook_url"], key=None,
                                          secret=lines["pbx"]["secret"], call=Call(customer=phone, talk_seconds=60)):
            harness.post_request(app, request)
    chat = Chat(customer=phone, name=f"Person{n} Benchmark")
    for k in range(1, 4):
        harness.post_request(app, whatsapp_post(lines["whatsapp"]["webhook_url"], APP_SECRET,
                                 whatsapp_message(chat, k, "text", {"body": f"Message {k}"})))
    api.ok("POST", "/api/v1/tickets", {"subject": "Late delivery", "contact_id": contact["id"]})
    order = api.ok("POST", "/api/v1/orders", {"currency": "GBP", "contact_id": contact["id"], "lines": [
        {"description": "Bouquet", "quantity": "1", "unit_price_minor": 4500, "tax_rate": "20"}]})
    api.ok("POST", f"/api/v1/orders/{order['id']}/status", {"status": "confirmed", "version": order["version"]})
    api.ok("POST", f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"})
    return str(contact["id"])


def measure(runs: int = 5) -> dict[str, Any]:
    """Export, then erase, runs customers; the costs."""
    import os

    os.environ["CRM_PROVIDER_TRANSPORT"] = "sandbox"  # the Graph API is answered by its sandbox, never called
    accounting.install()
    with harness.in_process_app() as app:
        import boto3

        from chalicelib.core.config import settings

        for bucket in (settings.recordings_bucket, settings.export_bucket):
            boto3.client("s3", region_name=settings.region).create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.region})
        api, signed = harness.sign_up(app)
        lines = {"pbx": api.ok("POST", "/api/v1/integrations", {
                     "type": "pbx", "name": "Bench PBX", "settings": {"extensions": {"101": signed["user"]["id"]}}}),
                 "whatsapp": api.ok("POST", "/api/v1/integrations", {
                     "type": "whatsapp", "name": "Bench WhatsApp", "settings": {
                         "phone_number_id": "106540352242922", "waba_id": "102290129340398",
                         "access_token": "EAAG-bench-token-0001", "app_secret": APP_SECRET}})}
        people = [_customer(app, api, lines, n) for n in range(runs)]
        harness.sign_in_again(api, signed)
        exported = [accounting.cost_of(lambda p=p: api.call("GET", f"/api/v1/contacts/{p}/personal-data")[0])
                    for p in people]
        erased = [accounting.cost_of(lambda p=p: api.call("POST", f"/api/v1/contacts/{p}/erase",
                                                          {"confirm": True})[0]) for p in people]
        long_runs = max(1, runs // 2)
        return {"scenarios": [_summary("export of one person (GET personal-data)", exported, 200),
                              _summary("erasure of one person (POST erase)", erased, 200),
                              *_job_path(app, api, lines, long_runs)],
                "runs": runs, "long_runs": long_runs,
                "long_history": {"messages": LONG_MESSAGES, "calls": LONG_CALLS, "notes": LONG_NOTES,
                                 "bound": LONG_BOUND, "slice": LONG_SLICE}}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [harness.scenario_row("personal data", scenario) for scenario in result["scenarios"]]


if __name__ == "__main__":
    harness.run(measure, table, 5)
