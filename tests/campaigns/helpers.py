"""The campaign queue in the tests: moto's SQS, drained by calling the app's queue handler as Lambda would."""

from __future__ import annotations

import email
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from chalicelib.campaigns import sending
from chalicelib.core.config import settings


@dataclass
class Queue:
    """The stage's campaign queue; ``drain`` delivers until it is empty."""

    url: str
    handled: list[str] = field(default_factory=list)

    @property
    def sqs(self) -> Any:
        return boto3.client("sqs", region_name=settings.region)

    def drain(self, *, redeliver: Callable[[int], bool] = lambda n: False, limit: int = 10_000) -> int:
        """Hand every message to the app's ``campaign_sends`` (as Lambda calls it) one at a time (the function's batch
        size), deleting it unless it failed or ``redeliver(n)`` says to deliver the n-th message again (an SQS
        redelivery); answers how many."""
        from app import campaign_sends

        count = 0
        while count < limit:
            found = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=0)
            messages = found.get("Messages", [])
            if not messages:
                return count
            for message in messages:
                count += 1
                record = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                          "body": message["Body"], "eventSource": "aws:sqs"}
                failed = campaign_sends({"Records": [record]}, None)["batchItemFailures"]  # as Lambda calls it
                self.handled.append(message["Body"])
                if not failed and not redeliver(count):
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return count


def queue() -> Queue:
    """The campaign queue, made if missing, emptied."""
    sqs = boto3.client("sqs", region_name=settings.region)
    url = sqs.create_queue(QueueName=sending.queue_name())["QueueUrl"]
    while True:  # left over by an earlier test (PurgeQueue is allowed once a minute)
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        if not found:
            break
        for message in found:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sending._queue_url.clear()
    return Queue(url)


def parsed(message: Any) -> email.message.Message:
    """A raw message the embedded SES accepted, parsed."""
    return email.message_from_string(message.raw_data)


def text_of(message: email.message.Message) -> str:
    """The plain-text part of a parsed message."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode() if isinstance(payload, bytes) else str(payload)
    return ""
