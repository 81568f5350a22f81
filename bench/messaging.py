"""What a message costs: DynamoDB requests, capacity units and our CPU per inbound WhatsApp message and per reply.

An inbound message is a hook request that verifies Meta's signature, stores the raw event and (no queue
in-process) processes it: the message with its conversation's new state, list rows, audit record, timeline entry,
counters and its provider id's claim in one transaction. The bench plays a message from a known contact in a
conversation that exists (the common case), a first message from a known contact (a new conversation), a first
message from a new number (a contact is made), and a reply through the Graph API (the sandbox answers it), then
reads the inbox, a thread and the unread count. CPU is the process time of the interpreter over ``runs`` calls
of each (moto runs in the same process, so it is an upper bound of ours; the requests and units are exact).
``python -m bench.messaging [runs] [--table]``.

E-mail (#17): a customer's e-mail from a new address (a contact is made) and their reply in its thread, each
dropped where SES stores mail and handed to ``app.mail_in`` as S3's notification (routing, the copy under the
tenant's prefix, the inbox's event, the processing with its file), and a reply through SES; besides DynamoDB's
requests and units, the S3 and SES requests each makes are counted.
"""

from __future__ import annotations

from typing import Any

from bench import accounting, harness
from bench.harness import APP_SECRET

_OTHER: list[str] = []  # the S3 and SES requests made since the last reset ("s3.GetObject")


def _count_other(**kwargs: Any) -> None:
    model = kwargs.get("model")
    if model is not None:
        _OTHER.append(f"{model.service_model.service_name}.{model.name}")


def _install_other() -> None:
    """Count S3 and SES requests too (before any botocore session exists, as accounting.install does)."""
    import botocore.handlers

    for service in ("s3", "sesv2"):
        handler = (f"after-call.{service}", _count_other)
        if handler not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(handler)


def _cost(run: Any) -> dict[str, Any]:
    _OTHER.clear()
    found = accounting.cost_of(run)
    return {**found, "other": list(_OTHER)}


def _mail(app: Any, message: Any) -> dict[str, Any]:
    """One e-mail dropped where SES stores mail (not counted), then S3's notification handed to app.mail_in."""
    import json

    from app import mail_in
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from webhooks import mail

    key = mail.object_key()
    aws.client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key=key, Body=message.as_bytes())
    body = json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {
        "bucket": {"name": settings.inbound_mail_bucket}, "object": {"key": key, "size": 1}}}]})
    event = {"Records": [{"messageId": "bench", "receiptHandle": "bench", "body": body, "attributes": {},
                          "messageAttributes": {}, "eventSourceARN": "arn:aws:sqs:eu-west-1:1:bench"}]}
    return _cost(lambda: 200 if mail_in(event, None).get("received") == 1 else 500)


def _emails(app: Any, api: Any, runs: int) -> list[dict[str, Any]]:
    """A first e-mail from each of runs new addresses, a reply through SES to each, and each customer's answer."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from webhooks import mail

    aws.client("s3").create_bucket(Bucket=settings.inbound_mail_bucket,
                                   CreateBucketConfiguration={"LocationConstraint": settings.region})
    aws.client("ses").verify_email_identity(EmailAddress="sales@bench.example")
    aws.client("sesv2").create_email_identity(EmailIdentity="sales@bench.example")
    line = api.ok("POST", "/api/v1/integrations", {"type": "email", "name": "Bench mailbox",
                                                   "settings": {"from_address": "sales@bench.example"}})
    people = [mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender=f"writer{n}@bench.example",
                                 name=f"Writer {n}") for n in range(runs)]
    firsts = [mail.messages("new", who)[0] for who in people]
    first = [_mail(app, message) for message in firsts]
    threads = api.ok("GET", "/api/v1/conversations?channel=email&limit=200")["items"]
    replies, answers = [], []
    for conversation in threads[:runs]:
        cost = _cost(lambda c=conversation: api.call("POST", f"/api/v1/conversations/{c['id']}/messages",
                                                     {"text": "Here is the price list."})[0])
        replies.append(cost)
    for who, conversation in zip(reversed(people), threads[:runs], strict=False):
        sent = api.ok("GET", f"/api/v1/conversations/{conversation['id']}/messages?limit=1")["items"][0]
        [answer] = mail.messages("reply", who, reply_to=sent["provider_message_id"])
        answers.append(_mail(app, answer))
    return [harness.summary("e-mail, new address (contact made, a file kept)", first, 200),
            harness.summary("e-mail, the customer's answer in its thread", answers, 200),
            harness.summary("e-mail reply (SES)", replies, 201)]


def _inbound(app: Any, line: dict[str, Any], customer: str, n: int) -> dict[str, Any]:
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    request = whatsapp_post(line["webhook_url"], APP_SECRET,
                            whatsapp_message(Chat(customer=customer, name="Bench Customer"), n, "text",
                                             {"body": "Is it still available?"}))
    return _cost(lambda: harness.post_request(app, request))


def measure(runs: int = 10) -> dict[str, Any]:
    """Play every scenario runs times and read the screens; the costs."""
    import os

    os.environ["CRM_PROVIDER_TRANSPORT"] = "sandbox"  # the Graph API is answered by its sandbox, never called
    accounting.install()
    _install_other()
    with harness.in_process_app() as app:
        import boto3

        from chalicelib.core.config import settings

        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.recordings_bucket, CreateBucketConfiguration={"LocationConstraint": settings.region})
        api, _ = harness.sign_up(app)
        line = harness.whatsapp_line(api)
        known = [api.ok("POST", "/api/v1/contacts", {"first_name": f"Writer{n}",
                                                     "phones": [{"number": f"+4420794650{n:02d}"}]})
                 for n in range(runs)]
        numbers = [c["phones"][0]["number"] for c in known]
        first_known = [_inbound(app, line, number, 1) for number in numbers]
        again = [_inbound(app, line, number, 2) for number in numbers]
        newcomer = [_inbound(app, line, f"+4420794660{n:02d}", 1) for n in range(runs)]
        conversations = api.ok("GET", "/api/v1/conversations?limit=200")["items"]
        replies = [_cost(lambda c=c: api.call("POST", f"/api/v1/conversations/{c['id']}/messages",
                                              {"text": "Yes, it is."})[0]) for c in conversations[:runs]]
        emails = _emails(app, api, runs)
        newest = conversations[0]["id"]
        reads = []
        for name, path in (("inbox", "/api/v1/conversations"), ("unread inbox", "/api/v1/conversations?unread=true"),
                           ("a conversation", f"/api/v1/conversations/{newest}"),
                           ("a thread", f"/api/v1/conversations/{newest}/messages"),
                           ("unread count", "/api/v1/conversations/unread")):
            cost = _cost(lambda p=path: api.call("GET", p)[0])
            reads.append({"read": name, "status": cost["status"], "requests": cost["requests"],
                          "read_units": cost["read_units"]})
        return {"scenarios": [harness.summary("inbound, known contact, conversation exists", again, 200),
                              harness.summary("inbound, known contact, new conversation", first_known, 200),
                              harness.summary("inbound, new number (contact made)", newcomer, 200),
                              harness.summary("reply (Graph API through the sandbox)", replies, 201), *emails],
                "reads": reads, "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [*(harness.scenario_row("message", scenario) for scenario in result["scenarios"]),
            *harness.read_rows("conversations", result["reads"])]


if __name__ == "__main__":
    harness.run(measure, table, 10)
