"""A stage's SQS queue in the embedded AWS, delivered to one of the app's ``@app.on_sqs_message`` handlers as Lambda
calls it: one message at a time (the functions' batch size), deleted unless the handler names it in
``batchItemFailures`` or the test asks for SQS's redelivery."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from chalicelib.core.config import settings


def sqs() -> Any:
    return boto3.client("sqs", region_name=settings.region)


def emptied(name: str) -> str:
    """The URL of the queue, made if missing and emptied of what an earlier test left (PurgeQueue is allowed once a
    minute)."""
    url = str(sqs().create_queue(QueueName=name)["QueueUrl"])
    while found := sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages"):
        for message in found:
            sqs().delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return url


@dataclass
class HandlerQueue:
    """``drain`` delivers until the queue is empty; ``handled`` keeps each message's body and ``outcomes`` each
    delivery's answer."""

    url: str
    handler: str  # the name of the app's handler: "campaign_sends"
    handled: list[str] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sqs(self) -> Any:
        return sqs()

    def drain(self, *, redeliver: Callable[[int], bool] = lambda n: False, limit: int = 10_000) -> int:
        """Hand every message to the handler, deleting it unless it failed or ``redeliver(n)`` says to deliver the
        n-th message again (as SQS may); how many were delivered."""
        handle = getattr(importlib.import_module("app"), self.handler)
        count = 0
        while count < limit:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                                VisibilityTimeout=0).get("Messages", [])
            if not messages:
                return count
            for message in messages[:limit - count]:
                count += 1
                record = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                          "body": message["Body"], "eventSource": "aws:sqs"}
                answer = handle({"Records": [record]}, None)
                self.handled.append(message["Body"])
                self.outcomes.append(answer)
                if not answer["batchItemFailures"] and not redeliver(count):
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return count
