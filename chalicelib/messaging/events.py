"""What a messenger's delivery means, whoever sent it, and what a messaging adapter adds to the channel steps.

A provider's stored raw fields are read again into :class:`IncomingMessage`s and :class:`StatusUpdate`s when
the event is processed (``messaging.processor``); the same message delivered twice, or replayed, is one
message, and a status that arrives before its message is kept until it is recorded.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.channels.adapters import Adapter, Credentials
from chalicelib.core.schema import Schema
from chalicelib.integrations.schemas import Id, Responsible

DeliveryStatus = Literal["sent", "delivered", "read", "failed"]
STATUS_RANK = {"received": 0, "queued": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5}


@dataclass(frozen=True)
class Attachment:
    """A file a customer sent: what the provider needs to hand it over, and what we show of it."""

    kind: str  # image | document | audio | video | sticker | voice
    provider_media_id: str
    mime: str | None = None
    name: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Sender:
    """The customer as the channel names them."""

    chat_id: str  # WhatsApp: the wa_id (a phone number without "+"); Telegram: the chat id
    name: str | None = None
    phone: str | None = None  # E.164 when the channel gives one
    username: str | None = None
    email: str | None = None  # an e-mail's From address (lower-cased)
    first_name: str | None = None  # the name's parts where the channel gives them apart (Telegram); else name is
    last_name: str | None = None  # split as a name typed in one box is (records.naming.split_name)


@dataclass(frozen=True)
class IncomingMessage:
    """One message from a customer (or an edit of one)."""

    provider_message_id: str
    sender: Sender
    at: datetime
    kind: str = "text"
    text: str | None = None
    attachments: tuple[Attachment, ...] = ()
    referral: Mapping[str, Any] | None = None  # a click-to-WhatsApp ad's
    edited: bool = False
    start_code: str | None = None  # Telegram's /start <code> deep link
    # E-mail: a thread is its root message, not its sender (``thread_id``: the first of References, else
    # In-Reply-To, else the message's own Message-ID); ``references`` are the ids it answers, newest first.
    thread_id: str | None = None
    references: tuple[str, ...] = ()
    subject: str | None = None
    quoted: str | None = None  # the earlier messages a reply quotes (folded in the thread)
    automated: bool = False  # a bounce, an auto-reply or bulk mail: kept, but it makes no contact or lead
    # E-mail whose sender SES could not verify (DMARC failed, or SPF and DKIM with no DMARC policy): kept in a
    # conversation of its own, attached to no contact until someone does it by hand.
    sender_unverified: bool = False
    files_removed: str | None = None  # virus: SES found one, and the message is kept without its files

    @property
    def chat(self) -> str:
        """What the message's conversation is found by: its chat, or its e-mail thread."""
        return self.thread_id or self.sender.chat_id


@dataclass(frozen=True)
class StatusUpdate:
    """What the provider says of one of our messages: sent, delivered, read, or failed with the error."""

    provider_message_id: str
    status: DeliveryStatus
    at: datetime
    chat_id: str | None = None
    error: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Sent:
    """What the provider answered to a message we sent."""

    provider_message_id: str
    status: str = "sent"


@dataclass(frozen=True)
class Media:
    """A file as the provider handed it over."""

    body: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Template:
    """An approved template message (WhatsApp's ``type: template``)."""

    name: str
    language: str
    parameters: tuple[str, ...] = field(default_factory=tuple)


class MessengerSettings(Schema):
    """Settings every messenger integration shares (a provider's adds its credentials)."""

    unknown_sender: Literal["contact_and_deal", "contact", "ignore"] = Field(
        default="contact", description="What a message from someone nobody knows makes")
    pipeline_id: Id | None = Field(default=None, description="The lead deal's pipeline (the default when null)")
    stage_id: Id | None = Field(default=None, description="The lead deal's stage (the first open one when null)")
    responsible: Responsible = Field(default_factory=Responsible, description=(
        "Who gets a new conversation whose contact has no owner (round_robin: in turn)"))


class MessagingAdapter(Adapter):
    """A messenger: the channel steps plus reading messages, sending, and handing media over."""

    channel: str  # the conversation's channel ("whatsapp")
    reply_window: int | None = None  # seconds a free-text reply is allowed after the customer's last message

    @abstractmethod
    def message_events(self, fields: Mapping[str, Any]) -> list[IncomingMessage | StatusUpdate]:
        """The messages and statuses in one stored delivery (its raw fields)."""

    @abstractmethod
    def send_text(self, credentials: Credentials, *, chat_id: str, text: str) -> Sent:
        """Send a text to a customer's chat (a refusal raises ProviderError: 502)."""

    def send_template(self, credentials: Credentials, *, chat_id: str, template: Template) -> Sent:
        """Send an approved template (only providers with templates offer it)."""
        from chalicelib.core import errors

        raise errors.ValidationError("This channel has no templates.", code="templates_unavailable")

    def fetch_media(self, credentials: Credentials, attachment: Attachment) -> Media:
        """Download a file a customer sent."""
        from chalicelib.channels import transport

        raise transport.ProviderError("This channel hands over no files.")

    def chat_link(self, settings: Mapping[str, Any], chat_id: str) -> str | None:
        """A link that opens the chat in the messenger, where there is one."""
        return None
