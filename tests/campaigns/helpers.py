"""The campaign queue in the tests: moto's SQS, drained by calling the app's queue handler as Lambda would."""

from __future__ import annotations

import email
from typing import Any

from chalicelib.campaigns import sending
from tests.sqs_kit import HandlerQueue, emptied

Queue = HandlerQueue


def queue() -> Queue:
    """The campaign queue, made if missing, emptied."""
    url = emptied(sending.queue_name())
    sending._queue_url.clear()
    return Queue(url, "campaign_sends")


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
