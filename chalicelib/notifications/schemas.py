"""Request and response schemas of notifications."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema

EmailMode = Literal["immediate", "digest", "off"]


class NotificationSubject(BaseModel):
    type: str
    id: str


class NotificationRead(BaseModel):
    id: str
    type: str = Field(description="task.reminder, task.overdue, task.assigned, deal.assigned, ticket.assigned, "
                                  "call.missed, call.contact_skipped, conversation.contact_skipped, "
                                  "lead.contact_skipped, note.mention, message.received, ticket.sla_breached, "
                                  "ticket.reopened, automation.invalid (a rule met a colleague it cannot hand "
                                  "work to: once per rule version and colleague)")
    subject: NotificationSubject | None
    title: str | None = Field(description="The subject's title or name, as the recipient may see it")
    excerpt: str | None
    actor_id: str | None
    created_at: datetime
    read: bool
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None = None
    unread: int = Field(description="Unread notifications (counted up to 100)")


class NotificationListQuery(Schema):
    unread: bool | None = Field(default=None, description="true: only unread ones")
    limit: int = Field(default=30, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class UnreadCount(BaseModel):
    unread: int
    marked: int = 0


class NotificationSettingsRead(BaseModel):
    email: EmailMode
    reminder_minutes: int
    digest_hour: int
    version: int


class NotificationSettingsUpdate(Schema):
    version: int = Field(description="0 for settings never saved")
    email: EmailMode | None = None
    reminder_minutes: int | None = Field(default=None, ge=0, le=10_080, description="0 reminds when due")
    digest_hour: int | None = Field(default=None, ge=0, le=23)

    not_null: ClassVar[frozenset[str]] = frozenset({"email", "reminder_minutes", "digest_hour"})
