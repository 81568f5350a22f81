"""Outgoing e-mail through SES (locally the embedded SES; the runner prints the outbox)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core import aws, errors
from chalicelib.core.config import settings
from chalicelib.core.observability import logger


def send(*, to: str, subject: str, text: str) -> str:
    """Send a plain-text e-mail; returns the SES message id. 503 when SES is unavailable."""
    try:
        response = aws.client("sesv2").send_email(
            FromEmailAddress=settings.mail_from,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}}},
        )
    except (ClientError, BotoCoreError) as exc:
        # The address is personal data and the body holds a one-time link: log neither.
        logger.warning("e-mail not sent", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError("E-mail could not be sent; try again shortly.",
                                             code="mail_unavailable") from exc
    return str(response.get("MessageId", ""))


def send_raw(*, to: str, message: bytes) -> str:
    """Send a whole MIME message (attachments: a document's PDF) from the app's address; returns the SES message
    id. 503 when SES is unavailable."""
    try:
        response = aws.client("sesv2").send_email(
            FromEmailAddress=settings.mail_from, Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": message}},
        )
    except (ClientError, BotoCoreError) as exc:
        logger.warning("e-mail not sent", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError("E-mail could not be sent; try again shortly.",
                                             code="mail_unavailable") from exc
    return str(response.get("MessageId", ""))


def link(path: str) -> str:
    """An absolute link into the web app."""
    return f"{settings.public_url}{path}"


def send_mime(*, data: bytes, configuration_set: str | None = None, tags: dict[str, str] | None = None) -> str:
    """Send a whole MIME message as built (its headers name sender and recipient: a campaign's one-click
    unsubscribe headers go with it); returns the SES message id. Raises SES's own error, so a caller can tell a
    refused address (MessageRejected) from an outage. A configuration set publishes the message's delivery events
    with its tags (ids only: SES tag values allow letters, digits, ``_`` and ``-``)."""
    extra: dict[str, object] = {}
    if configuration_set:
        extra["ConfigurationSetName"] = configuration_set
    if tags:
        extra["EmailTags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
    response = aws.client("sesv2").send_email(FromEmailAddress=settings.mail_from, Content={"Raw": {"Data": data}},
                                              **extra)
    return str(response.get("MessageId", ""))
