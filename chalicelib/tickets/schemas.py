"""Request and response schemas of tickets, their SLA settings and the satisfaction answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import CardParts, Id, ListQuery, RecordRead, RecordRef, RecordSummary, Tags

Channel = Literal["web", "email", "whatsapp", "telegram", "sms", "phone", "manual"]
Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["new", "open", "pending", "resolved", "closed"]
Subject = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=10_000)]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Minutes = Annotated[int, Field(ge=1, le=525_600)]


class TicketFields(Schema):
    """Fields a ticket is created or changed with."""

    single_line: ClassVar[frozenset[str]] = frozenset({"subject"})

    description: Description | None = None
    priority: Priority | None = None
    contact_id: RecordRef | None = None
    order_id: RecordRef | None = None
    conversation_id: RecordRef | None = None
    tags: Tags | None = None
    owner_id: Id | None = Field(default=None, description="The assignee (the caller when left out)")
    custom: Annotated[dict[str, Any], Field(max_length=50)] | None = None


class TicketCreate(TicketFields):
    subject: Subject
    channel: Channel = "manual"


class TicketUpdate(TicketFields):
    not_null: ClassVar[frozenset[str]] = frozenset({"subject", "priority"})
    version: int = Field(ge=1)
    subject: Subject | None = None


class StatusChange(Schema):
    version: int = Field(ge=1)
    status: Status


class ReplyIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=4096)]
    via: Literal["conversation", "comment"] = Field(
        default="comment", description="conversation: sent to the customer on the ticket's conversation; "
                                        "comment: a staff comment on the ticket")


class FromMessage(Schema):
    conversation_id: RecordRef
    message_id: RecordRef
    priority: Priority = "normal"


class FromCall(Schema):
    call_id: RecordRef
    priority: Priority = "normal"


class Sla(BaseModel):
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    breached: list[str]
    paused_at: datetime | None = Field(default=None, description="The resolution clock stopped since "
                                                                   "(pending, resolved or closed)")
    resolution_left_seconds: int | None = Field(default=None, description="Business seconds the stopped resolution "
                                                                          "clock has left (none once breached)")


class Csat(BaseModel):
    score: int | None
    comment: str | None
    answered_at: datetime | None
    sent_via: str | None


class TicketRead(RecordRead):
    subject: str
    description: str | None
    channel: Channel
    priority: Priority
    status: Status
    contact_id: str | None
    order_id: str | None
    conversation_id: str | None
    call_id: str | None
    message_id: str | None
    sla: Sla
    csat: Csat
    closed_at: datetime | None


class TicketContact(BaseModel):
    """The ticket's customer as whoever may read the ticket sees them, their contacts scope aside (a field the
    caller's role may not read is left out)."""

    id: str
    name: str | None = None
    phone: str | None = Field(default=None, description="The contact's first phone")
    email: str | None = Field(default=None, description="The contact's first e-mail")
    readable: bool = Field(description="Whether the caller may open the contact's card")


class TicketReach(BaseModel):
    """The conversation the ticket came through: its channel and how it reaches the customer."""

    channel: str
    handle: str | None = Field(default=None, description="The WhatsApp or SMS number, the e-mail address, the "
                                                          "Telegram name")
    name: str | None = Field(default=None, description="How the channel names the customer")
    readable: bool = Field(description="Whether the caller may open the conversation in the inbox")
    answerable: bool = Field(description="Whether the caller may answer the customer on it")


class TicketCard(TicketRead, CardParts):
    """The card: the ticket, its customer and the conversation it came through, its links by kind, its newest
    timeline entries."""

    contact_name: str | None = Field(default=None, description="What the ticket's customer is called (the contact, "
                                                               "else the conversation's name for them), for whoever "
                                                               "may read the ticket, unless field rules hide it")
    contact: TicketContact | None = None
    reached_via: TicketReach | None = None


class TicketSummary(RecordSummary):
    subject: str | None
    status: Status
    priority: Priority
    channel: Channel
    contact_id: str | None
    contact_name: str | None = Field(default=None, description=(
        "What the ticket's contact is called now, else (a ticket of a conversation with no contact) the "
        "conversation's name for the customer, for whoever may read the ticket (none: neither, a contact in the "
        "trash or gone, or a name field rules hide)"))
    sla: Sla
    csat_score: int | None


class TicketPage(BaseModel):
    items: list[TicketSummary]
    next_cursor: str | None


class TicketListQuery(ListQuery):
    """``GET /tickets``: the queue (open tickets by default), by status, priority, channel, assignee, contact,
    or the words of the subject (``q``)."""

    view: Literal["active", "done", "all"] = "active"
    status: Status | None = None
    priority: Priority | None = None
    channel: Channel | None = None
    contact_id: Id | None = None


class Target(Schema):
    first_response: Minutes = Field(description="Business minutes to the first response")
    resolution: Minutes = Field(description="Business minutes to the resolution")

    @model_validator(mode="after")
    def _order(self) -> Target:
        if self.resolution < self.first_response:
            raise ValueError("the resolution target cannot come before the first response's")
        return self


class SettingsIn(Schema):
    version: int = Field(ge=0, description="0 the first time")
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="IANA time zone; none: the company's")
    days: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(default=None, max_length=7,
                                                                  description="Working days, Monday = 0")
    opens: Clock | None = None
    closes: Clock | None = None
    holidays: list[Day] | None = Field(default=None, max_length=100)
    targets: dict[Priority, Target] | None = None
    csat: bool | None = None

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[int] | None) -> list[int] | None:
        return sorted(set(value)) if value is not None else None


class SettingsRead(BaseModel):
    timezone: str
    timezone_is_company: bool
    days: list[int]
    opens: str
    closes: str
    holidays: list[str]
    targets: dict[str, dict[str, int]]
    csat: bool
    version: int


class CsatIn(Schema):
    score: int = Field(ge=1, le=5)
    comment: Annotated[str, Field(max_length=2000)] | None = None
