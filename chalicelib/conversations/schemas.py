"""Request and response schemas of conversations and their messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.core.schema import Schema

Id = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Channel = Literal["whatsapp", "telegram", "sms", "email"]
Status = Literal["open", "closed"]
MessageStatus = Literal["received", "queued", "sent", "delivered", "read", "failed"]
Text = Annotated[str, Field(min_length=1, max_length=4096)]


class ConversationListQuery(Schema):
    """Filters of the inbox (any combination; the most selective one is the Query), newest message first."""

    channel: Channel | None = None
    status: Status | None = None
    assignee_id: Id | None = None
    unread: bool | None = None
    contact_id: Id | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class ConversationSummary(BaseModel):
    id: str
    channel: str
    integration_id: str
    contact_id: str | None = None
    contact_skipped: Literal["plan_limit"] | None = Field(
        default=None, description="plan_limit: a new sender was not saved as a contact (the plan's contact limit)")
    sender_unverified: bool = Field(default=False, description=(
        "E-mail: the sender failed SES's checks (DMARC, or SPF and DKIM when the domain has no DMARC policy), so the "
        "message was attached to no contact; someone may attach it by hand"))
    customer_name: str | None = None
    status: Status
    assignee_id: str
    last_message_at: datetime | None = None
    last_message_preview: str | None = None
    last_direction: Literal["in", "out"] | None = None
    unread_count: int
    version: int


class Window(BaseModel):
    """Whether a free-text reply may go out now (WhatsApp's 24 hours after the customer's last message)."""

    open: bool
    closes_at: datetime | None = None


class ConversationContact(BaseModel):
    """The conversation's contact as whoever may read the conversation sees it, their contacts scope aside."""

    id: str
    name: str | None = Field(default=None, description="What the contact is called (none when the caller's field "
                                                        "rules hide it, or the contact is in the trash)")
    readable: bool = Field(description="Whether the caller may open the contact's card")


class ConversationRead(ConversationSummary):
    deal_id: str | None = None
    contact: ConversationContact | None = Field(default=None, description="The contact, when there is one")
    referral: dict[str, Any] | None = None
    window: Window
    chat_link: str | None = None
    subject: str | None = Field(default=None, description="E-mail: the thread's subject")
    address: str | None = Field(default=None, description="E-mail: where a reply goes")
    templates: bool = Field(description="Whether the channel takes approved templates (WhatsApp)")
    created_at: datetime
    updated_at: datetime


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    next_cursor: str | None = None


class AttachmentRead(BaseModel):
    id: str
    kind: str
    mime: str | None = None
    name: str | None = None
    size: int | None = None
    available: bool = Field(description="Kept in our storage; GET its link to open it")


class MessageRead(BaseModel):
    id: str
    direction: Literal["in", "out"]
    kind: str
    text: str | None = None
    attachments: list[AttachmentRead]
    status: MessageStatus
    error: dict[str, Any] | None = None
    author_id: str | None = None
    template: dict[str, Any] | None = None
    created_at: datetime
    edited_at: datetime | None = None
    provider_message_id: str | None = None
    subject: str | None = Field(default=None, description="E-mail: the subject")
    quoted: str | None = Field(default=None, description="E-mail: the earlier messages it quotes (shown folded)")
    sender: str | None = Field(default=None, description="E-mail: its From, as \"Name <address>\"")
    files_removed: Literal["virus"] | None = Field(default=None, description=(
        "E-mail: virus: SES found a virus in it, and its files were not kept"))


class MessagePage(BaseModel):
    items: list[MessageRead]
    next_cursor: str | None = None


class MessageListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class TemplateIn(Schema):
    """An approved WhatsApp template: its name, language code and body parameters in order."""

    name: Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")]
    language: Annotated[str, Field(min_length=2, max_length=15, pattern=r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")]
    parameters: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(default_factory=list,
                                                                                   max_length=20)


class MessageCreate(Schema):
    """A reply: free text, or a template (the only way to write outside WhatsApp's 24-hour window); exactly one
    of them (checked once the conversation is known to the caller: 422 ``text_or_template``)."""

    text: Text | None = None
    template: TemplateIn | None = None
    subject: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(default=None, description=(
        "E-mail only: the subject (a reply keeps its thread's, as \"Re: ...\", when left out; a new e-mail "
        "needs one)"))


class ConversationStart(MessageCreate):
    """Start (or continue) a conversation with a contact on a messenger line, with its first message."""

    contact_id: Id
    integration_id: Id


class VersionIn(Schema):
    version: int


RefId = Annotated[str, Field(min_length=1, max_length=40, description="An id (an unknown one answers 422)")]


class AssignIn(Schema):
    version: int
    assignee_id: RefId


class ContactIn(Schema):
    """The contact a conversation is with, set by hand (an e-mail whose sender could not be verified)."""

    version: int
    contact_id: RefId


class AttachmentLink(BaseModel):
    url: str
    expires_in: int
    content_type: str


PERIOD_RULE = "'from' must not be after 'to', and a period is at most a year"
STATS_DAYS = 30


def period_fits(day_from: date, day_to: date) -> bool:
    """A stats period runs forwards and is at most a year."""
    return day_from <= day_to and (day_to - day_from).days <= 366


class StatsQuery(Schema):
    """A period of whole days (the company's days), the last 30 up to the company's today when left out (the
    service fills them in: the company's today depends on its time zone)."""

    day_from: date | None = Field(default=None, alias="from")
    day_to: date | None = Field(default=None, alias="to")
    user_id: Id | None = None

    @model_validator(mode="after")
    def _range(self) -> StatsQuery:
        if self.day_from is not None and self.day_to is not None and not period_fits(self.day_from, self.day_to):
            raise ValueError(PERIOD_RULE)
        return self


class StatsRow(BaseModel):
    user_id: str | None = None
    channel: str
    inbound: int
    outbound: int
    conversations: int
    first_responses: int
    average_first_response_seconds: int | None = None


class StatsRead(BaseModel):
    items: list[StatsRow]


class Line(BaseModel):
    integration_id: str
    name: str
    type: str
    templates: bool
    bot_username: str | None = None


class LinePage(BaseModel):
    items: list[Line]


class TelegramLink(BaseModel):
    url: str = Field(description="t.me/<bot>?start=<code>: opening it binds the chat to the contact")
    expires_in: int
