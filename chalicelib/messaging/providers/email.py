"""``email``: a business's mailbox forwarded to its line's address (SES receiving -> S3), replies through SES.

Contracts (Amazon SES Developer Guide and API v2 reference):

- Receiving: a receipt rule for the inbound domain stores each message, as it came plus the headers SES adds, in
  the mail bucket (S3 action); S3 tells the mail queue (``s3:ObjectCreated:*``), and ``app.mail_in`` reads the
  object (``messaging.email.receiving``). The line's address is found among the recipients its headers name.
- ``GetEmailIdentity`` (``GET /v2/email/identities/<identity>``) answers ``VerifiedForSendingStatus`` and
  ``VerificationStatus`` (``SUCCESS``): a line's own
  sender (``from_address``) must be verified, as an address or through its domain, when the line is created,
  changed or enabled (422 ``sender_not_verified`` otherwise). Without one, replies come from the stage's sender
  (``CRM_MAIL_FROM``) named after the employee, with the employee's address as Reply-To.
- ``SendEmail`` with ``Content.Raw``: the MIME message is ours (stdlib ``email``, SMTP policy): From, To,
  Subject, Date, our own Message-ID (``<message id>@<inbound domain>``), In-Reply-To and References of the
  thread, a text body. SES overrides the Message-ID header with ``<MessageId>@<region>.amazonses.com``
  ("Amazon SES header fields"), so both ids are claimed for the message: a reply naming either finds its thread.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed
from chalicelib.core import aws, errors
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.messaging.email import mailboxes, mime
from chalicelib.messaging.events import (
    Attachment,
    IncomingMessage,
    Media,
    MessagingAdapter,
    MessengerSettings,
    Sender,
    Sent,
    StatusUpdate,
)

MAX_OBJECT_BYTES = 40 * 1024 * 1024  # SES receives messages up to 40 MB
ADDRESS = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$"


class EmailSettings(MessengerSettings):
    """An e-mail line: the address replies come from (verified in SES), or none (the stage's own sender)."""

    from_address: str | None = Field(default=None, max_length=254, pattern=ADDRESS, description=(
        "The business's own address replies come from, verified in SES (as an address or by its domain); "
        "null: the CRM's address, with the employee's as Reply-To"))
    from_name: str | None = Field(default=None, max_length=100, description="Shown as the sender's name")
    inbound_address: str | None = Field(default=None, description=(
        "Filled in: the address to forward the business's mailbox to"))


@dataclass(frozen=True)
class Outgoing:
    """One e-mail to send: to whom, about what, answering which messages."""

    to: str
    subject: str
    text: str
    message_id: str  # ours, ``<message id>@<inbound domain>``
    to_name: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()  # oldest first, as the header lists them
    author_name: str | None = None
    author_email: str | None = None


def _webhook_key(credentials: Credentials) -> str:
    return credentials.webhook_url.rstrip("/").rsplit("/", 1)[-1]


def _verified(identity: str) -> bool | None:
    """Whether SES may send as this identity (None: SES knows no such identity)."""
    try:
        found = aws.client("sesv2").get_email_identity(EmailIdentity=identity)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise errors.ServiceUnavailableError("SES could not be asked about the sender; try again shortly.",
                                             code="provider_unavailable") from exc
    except BotoCoreError as exc:
        raise errors.ServiceUnavailableError("SES could not be asked about the sender; try again shortly.",
                                             code="provider_unavailable") from exc
    # VerificationStatus (SUCCESS) is the newer of the two fields SES answers; either says it may send.
    return bool(found.get("VerifiedForSendingStatus")) or found.get("VerificationStatus") == "SUCCESS"


def check_sender(address: str) -> None:
    """422 unless SES may send from this address (verified itself, or through its domain)."""
    if _verified(address) or _verified(address.rsplit("@", 1)[-1]):
        return
    raise errors.ValidationError("Verify this address (or its domain) in Amazon SES first.",
                                 code="sender_not_verified", details=[
                                     {"loc": ["settings", "from_address"], "type": "sender_not_verified",
                                      "msg": "Not verified for sending in SES"}])


def compose(credentials: Credentials, outgoing: Outgoing, *, line_name: str) -> tuple[EmailMessage, str]:
    """The MIME message of a reply and the address it goes out from."""
    own = credentials.settings.get("from_address")
    message = EmailMessage()
    if own:
        sender = str(own)
        message["From"] = formataddr((str(credentials.settings.get("from_name") or line_name), sender))
    else:
        sender = settings.mail_from
        shown = f"{outgoing.author_name} ({line_name})" if outgoing.author_name else line_name
        message["From"] = formataddr((shown, sender))
        if outgoing.author_email:
            message["Reply-To"] = formataddr((outgoing.author_name or "", outgoing.author_email))
    message["To"] = formataddr((outgoing.to_name or "", outgoing.to))
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = outgoing.message_id
    if outgoing.in_reply_to:
        message["In-Reply-To"] = outgoing.in_reply_to
    if outgoing.references:
        message["References"] = " ".join(outgoing.references)
    message.set_content(outgoing.text)
    return message, sender


def ses_message_id(message_id: str) -> str:
    """The Message-ID header SES gives a message it accepted with this id."""
    host = "email.amazonses.com" if settings.region == "us-east-1" else f"{settings.region}.amazonses.com"
    return f"<{message_id}@{host}>"


def send(credentials: Credentials, outgoing: Outgoing, *, line_name: str) -> Sent:
    """Send a reply through SES (502 when SES refuses it; nothing is written then)."""
    from email import policy

    message, sender = compose(credentials, outgoing, line_name=line_name)
    try:
        answer = aws.client("sesv2").send_email(
            FromEmailAddress=sender, Destination={"ToAddresses": [outgoing.to]},
            Content={"Raw": {"Data": message.as_bytes(policy=policy.SMTP)}})
    except (ClientError, BotoCoreError) as exc:
        # The address and the text are personal data: neither is logged.
        logger.warning("e-mail reply not sent", extra={"error": type(exc).__name__})
        raise transport.ProviderError("SES refused the e-mail.") from exc
    return Sent(provider_message_id=ses_message_id(str(answer.get("MessageId") or "")), status="sent")


# -- reading stored messages -------------------------------------------------------------------

_LAST: dict[str, tuple[str, bytes]] = {}  # the last object read by this thread: its attachments come from it
_LAST_LOCK = threading.Lock()


def stored(bucket: str, key: str) -> bytes:
    """A message as SES stored it (the last one read is kept, for its attachments)."""
    ident = threading.get_ident()
    with _LAST_LOCK:
        found = _LAST.get(str(ident))
    if found is not None and found[0] == f"{bucket}/{key}":
        return found[1]
    answer = aws.client("s3").get_object(Bucket=bucket, Key=key)
    if int(answer.get("ContentLength") or 0) > MAX_OBJECT_BYTES:
        raise mime.Unreadable("The message is larger than SES receives.")
    raw = answer["Body"].read()
    with _LAST_LOCK:
        _LAST.clear()
        _LAST[str(ident)] = (f"{bucket}/{key}", raw)
    return raw


def incoming(mail: mime.Mail, *, object_key: str) -> IncomingMessage:
    """A stored message as the messaging processor takes it."""
    address = mail.from_address or "unknown@invalid"
    own_id = mail.message_id or f"<{object_key}@{settings.inbound_mail_domain}>"
    infected, unverified = mail.verdicts.infected, mail.verdicts.sender_unverified
    kinds = [] if infected else [Attachment(kind="image" if part.mime.startswith("image/") else "document",
                                            provider_media_id=f"{object_key}#{part.position}", mime=part.mime,
                                            name=part.name, size=part.size) for part in mail.parts]
    # An unverified sender's mail threads only among its own kind: naming a customer's message in References, or
    # writing under their address, must not slip it into their conversation.
    thread = mail.thread_id or own_id
    return IncomingMessage(
        provider_message_id=own_id, sender=Sender(chat_id=address, name=mail.from_name, email=mail.from_address),
        at=mail.at or datetime.now(UTC), kind="email", text=mail.text, attachments=tuple(kinds),
        thread_id=f"unverified:{thread}" if unverified else thread, references=() if unverified else mail.references,
        subject=mail.subject, quoted=mail.quoted, automated=mail.automated or not mail.from_address,
        sender_unverified=unverified, files_removed="virus" if infected else None)


class EmailAdapter(MessagingAdapter):
    type = "email"
    label = "E-mail"
    channel = "email"
    settings_model = EmailSettings
    methods = ()  # nothing posts to a URL: mail arrives through SES and S3

    def connect(self, credentials: Credentials) -> Mapping[str, Any] | None:
        own = credentials.settings.get("from_address")
        if own:
            check_sender(str(own))
        return {"inbound_address": mailboxes.remember(_webhook_key(credentials))}

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        raise adapters.invalid_signature()  # never reached: the line has no hook (methods is empty)

    def parse(self, inbound: Inbound) -> list[Parsed]:
        raise adapters.unparseable("E-mail arrives through the forwarding address.")

    def message_events(self, fields: Mapping[str, Any]) -> list[IncomingMessage | StatusUpdate]:
        bucket, key = str(fields["bucket"]), str(fields["key"])
        mail = mime.read(stored(bucket, key))
        return [incoming(mail, object_key=key)]

    def send_text(self, credentials: Credentials, *, chat_id: str, text: str) -> Sent:
        raise errors.ValidationError("An e-mail is sent with its subject and thread.", code="email_only")

    def fetch_media(self, credentials: Credentials, attachment: Attachment) -> Media:
        key, _, position = attachment.provider_media_id.rpartition("#")
        try:
            bucket = settings.recordings_bucket if key.startswith("tenants/") else settings.inbound_mail_bucket
            body, content_type = mime.part_at(stored(bucket, key), int(position))
        except (ValueError, ClientError, BotoCoreError) as exc:
            raise transport.ProviderError("The message's file could not be read.") from exc
        return Media(body=body, content_type=attachment.mime or content_type)


ADAPTER = adapters.register(EmailAdapter())
