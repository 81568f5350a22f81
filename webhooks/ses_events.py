"""SES's delivery events of campaign e-mails, as SES publishes them through a configuration set to SNS (#24).

``event`` builds one record in the shape of Amazon SES's "Examples of event data that Amazon SES publishes to Amazon
SNS" (Delivery, Bounce Permanent/Transient, Complaint, Reject): ``eventType``, ``mail`` (``messageId``, ``tags``
with the configuration set and the campaign's own ``crm-tenant``, ``crm-campaign`` and ``crm-contact``), and the
event's own object. ``campaign_mails`` finds the campaign e-mails ``make run`` sent in its outbox
(``.local/outbox.jsonl``: SES's message id and the raw message, whose List-Unsubscribe link names the company,
campaign and recipient as the tags do). ``deliver`` puts a record on the campaign mail events queue of the
embedded AWS, as SNS does with raw message delivery; the runner hands it to ``app.campaign_mail_events``.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EVENTS = ("delivery", "bounce", "soft-bounce", "complaint", "reject")
TOKEN = re.compile(r"/m/u/([0-9A-HJKMNP-TV-Z]{26})\.u\.([0-9A-HJKMNP-TV-Z]{26})\.([0-9A-HJKMNP-TV-Z]{26})\.email\.")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event(kind: str, *, message_id: str, tenant_id: str, campaign_id: str, contact_id: str, recipient: str,
          configuration_set: str = "crm-local-campaigns", at: datetime | None = None) -> dict[str, Any]:
    """One SES event record of a campaign e-mail."""
    moment = at or datetime.now(UTC)
    sent = moment - timedelta(seconds=3)
    mail = {"timestamp": _stamp(sent), "source": "no-reply@crm.example.com",
            "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/crm.example.com",
            "sendingAccountId": "123456789012", "messageId": message_id, "destination": [recipient],
            "headersTruncated": False, "headers": [{"name": "To", "value": recipient}],
            "commonHeaders": {"from": ["no-reply@crm.example.com"], "to": [recipient]},
            "tags": {"ses:configuration-set": [configuration_set], "ses:source-ip": ["192.0.2.0"],
                     "ses:from-domain": ["crm.example.com"], "ses:caller-identity": ["crm-local"],
                     "crm-tenant": [tenant_id], "crm-campaign": [campaign_id], "crm-contact": [contact_id]}}
    feedback = f"0100{secrets.token_hex(8)}-{secrets.token_hex(4)}-000000"
    if kind == "delivery":
        return {"eventType": "Delivery", "mail": mail, "delivery": {
            "timestamp": _stamp(moment), "processingTimeMillis": 3000, "recipients": [recipient],
            "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a8-70.smtp-out.amazonses.com"}}
    if kind in ("bounce", "soft-bounce"):
        permanent = kind == "bounce"
        return {"eventType": "Bounce", "mail": mail, "bounce": {
            "bounceType": "Permanent" if permanent else "Transient",
            "bounceSubType": "General" if permanent else "MailboxFull",
            "bouncedRecipients": [{"emailAddress": recipient, "action": "failed",
                                   "status": "5.1.1" if permanent else "4.2.2",
                                   "diagnosticCode": "smtp; 550 5.1.1 user unknown" if permanent else
                                   "smtp; 452 4.2.2 mailbox full"}],
            "timestamp": _stamp(moment), "feedbackId": feedback, "reportingMTA": "dsn; mta.example.com"}}
    if kind == "complaint":
        return {"eventType": "Complaint", "mail": mail, "complaint": {
            "complainedRecipients": [{"emailAddress": recipient}], "timestamp": _stamp(moment),
            "feedbackId": feedback, "userAgent": "Mozilla/5.0", "complaintFeedbackType": "abuse",
            "arrivalDate": _stamp(moment - timedelta(seconds=1))}}
    if kind == "reject":
        return {"eventType": "Reject", "mail": mail, "reject": {"reason": "Bad content"}}
    raise ValueError(f"unknown event {kind}")


def campaign_mails(outbox: Path) -> list[dict[str, str]]:
    """The campaign e-mails in ``make run``'s outbox, oldest first: SES's message id, the recipient, and the ids
    its unsubscribe link names."""
    found = []
    try:
        lines = outbox.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise SystemExit(f"no outbox: start `make run` and send a campaign first ({outbox} is missing)") from exc
    for line in lines:
        try:
            sent = json.loads(line)
        except ValueError:
            continue
        match = TOKEN.search(str(sent.get("body", "")).replace("=\n", "").replace("=\r\n", ""))
        if match is None or not sent.get("id"):
            continue
        to = sent.get("to") or [""]
        found.append({"message_id": str(sent["id"]), "recipient": str(to[0]), "tenant_id": match.group(1),
                      "campaign_id": match.group(2), "contact_id": match.group(3)})
    return found


def deliver(record: dict[str, Any], *, queue: str, endpoint: str, sqs: Any | None = None) -> str:
    """Put one record on the queue as SNS delivers it (raw message delivery); answers SQS's message id."""
    if sqs is None:
        import boto3  # only here: the rest of this kit is the standard library

        sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    return str(sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record, separators=(",", ":")))["MessageId"])
