"""The mail handler under faults (#17): DynamoDB throttled, KMS failing, S3 refusing a copy or a delete. Under the
fault the handler never crashes its Lambda: the message goes back to the mail queue (``batchItemFailures``) or its
stored event waits for the inbox's retry; nothing is lost (the mail is in the bucket, or its copy is named by an
event). Once the fault is over, the queue's redelivery (or the retry) makes the message exactly once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.core import aws, crypto, db
from chalicelib.core.config import settings
from chalicelib.inbox import jobs as inbox_jobs
from tests.factories import Company, signup
from tests.faults.test_every_write import FAULTED, failing
from tests.messaging.kit import get, inbox, thread
from tests.messaging.mailkit import create_line
from tests.support import ApiClient
from webhooks import mail

FAULTS = {
    "dynamodb-writes": ("dynamodb", FAULTED["dynamodb"], "ProvisionedThroughputExceededException"),
    "kms": ("kms", FAULTED["kms"], "ThrottlingException"),
    "s3-copy": ("s3", frozenset({"CopyObject"}), "SlowDown"),
    "s3-delete": ("s3", frozenset({"DeleteObject"}), "InternalError"),
}


@pytest.fixture(scope="module")
def mailbox(app: Any) -> tuple[ApiClient, Company, dict[str, Any]]:
    client = ApiClient(app)
    company = signup(client, company="Faulty Mail Ltd", country="GB")
    return client, company, create_line(client, company, from_address=None)


def _notification(key: str) -> dict[str, Any]:
    body = json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {
        "bucket": {"name": settings.inbound_mail_bucket}, "object": {"key": key, "size": 1}}}]})
    return {"Records": [{"messageId": "fault", "receiptHandle": "r", "body": body, "attributes": {},
                         "messageAttributes": {}, "eventSourceARN": "arn:aws:sqs:eu-west-1:1:mail"}]}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_message_under_a_fault_is_kept_and_made_once_after_it(mailbox: Any, fault: str) -> None:
    from app import mail_in

    client, company, line = mailbox
    sender = f"{fault}@faulty.example"
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender=sender, name=f"Fault {fault}")
    key = mail.object_key()
    raw = mail.messages("new", who)[0].as_bytes()
    aws.client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key=key, Body=raw)
    crypto.clear_cache()  # the tenant's data key is opened again, through KMS
    with failing(*FAULTS[fault]) as calls:
        answer = mail_in(_notification(key), None)
    assert calls, "the fault was met"
    kept_key = f"tenants/{company.tenant_id}/mail/{key.rsplit('/', 1)[-1]}"
    kept = [bucket for bucket, name in ((settings.inbound_mail_bucket, key), (settings.recordings_bucket, kept_key))
            if aws.client("s3").list_objects_v2(Bucket=bucket, Prefix=name).get("KeyCount")]
    assert kept, "the mail is still somewhere"
    if answer.get("batchItemFailures"):
        assert settings.inbound_mail_bucket in kept  # the queue brings it again: SES's original is still there
        mail_in(_notification(key), None)  # the redelivery, the fault over
    else:  # stored: its event waits for the inbox's retry
        events = get(client, company.owner.token, f"/api/v1/integrations/{line['id']}/events")["items"]
        for event in events:
            if event["status"] == "failed":
                inbox_jobs.retry_one(company.tenant_id, line["id"], event["id"], now=db.utcnow())
    found = [c for c in inbox(client, company, "?channel=email") if c["customer_name"] == f"Fault {fault}"]
    assert len(found) == 1
    assert [m["subject"] for m in thread(client, company, found[0]["id"])] == ["Price list for spring"]
    assert len(get(client, company.owner.token, f"/api/v1/contacts?q={sender}")["items"]) == 1
