"""Helpers of the e-mail tests: an e-mail line, messages dropped where SES stores them, S3's notification handed to
the app's mail handler (as the mail queue hands it in AWS), the SES outbox."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from tests.factories import Company
from tests.support import ApiClient, body
from webhooks import mail

BUSINESS = "sales@business.example"


def ensure_mail_bucket() -> None:
    """The mail bucket SES writes to (infra/ in AWS, the local runner locally)."""
    s3 = aws.client("s3")
    if settings.inbound_mail_bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=settings.inbound_mail_bucket,
                         CreateBucketConfiguration={"LocationConstraint": settings.region})


def verify_sender(address: str = BUSINESS) -> None:
    """Verify an address in the embedded SES (both APIs: moto sends raw mail only from v1's identities)."""
    aws.client("ses").verify_email_identity(EmailAddress=address)
    aws.client("sesv2").create_email_identity(EmailIdentity=address)


def create_line(client: ApiClient, company: Company, **settings_: Any) -> dict[str, Any]:
    """An e-mail line of the company (its own verified sender unless told otherwise)."""
    ensure_mail_bucket()
    payload = {"type": "email", "name": "Sales mailbox", "settings": {"from_address": BUSINESS, **settings_}}
    if payload["settings"]["from_address"] == BUSINESS:
        verify_sender()
    made = client.post("/api/v1/integrations", payload, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def notification(*keys: str) -> dict[str, Any]:
    """S3's ObjectCreated notification of objects in the mail bucket (what moto and S3 send the queue)."""
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": settings.region,
                         "eventName": "ObjectCreated:Put", "s3": {"s3SchemaVersion": "1.0", "bucket": {
                             "name": settings.inbound_mail_bucket}, "object": {"key": key, "size": 1}}}
                        for key in keys]}


def deliver(*messages: EmailMessage | bytes) -> dict[str, Any]:
    """Drop messages in the mail bucket and run the app's mail handler on S3's notification of them."""
    from app import mail_in

    s3 = aws.client("s3")
    keys = []
    for one in messages:
        key = mail.object_key()
        s3.put_object(Bucket=settings.inbound_mail_bucket, Key=key,
                      Body=one if isinstance(one, bytes) else one.as_bytes())
        keys.append(key)
    event = {"Records": [{"messageId": f"m{n}", "receiptHandle": f"r{n}", "body": json.dumps(notification(key)),
                          "attributes": {}, "messageAttributes": {}, "eventSourceARN": "arn:aws:sqs:eu-west-1:1:mail"}
                         for n, key in enumerate(keys)]}
    answer: dict[str, Any] = dict(mail_in(event, None))
    answer["keys"] = keys
    return answer


def sent_mail(to: str) -> list[EmailMessage]:
    """The raw e-mails SES accepted for an address, parsed (oldest first)."""
    from tests.factories import outbox

    return [message_from_bytes(m.raw_data.encode(), policy=policy.default)  # type: ignore[misc]
            for m in outbox(to) if getattr(m, "raw_data", None)]
