"""Request and response schemas of calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from chalicelib.core.schema import Schema

Id = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Direction = Literal["inbound", "outbound"]
Status = Literal["ringing", "in_progress", "answered", "missed", "busy", "failed"]
# Why a call ended as it did when its provider did not say: no_end_reported (closed by its timer).
EndReason = Annotated[Literal["no_end_reported"] | None, Field(
    description="no_end_reported: the provider never reported the call's end; it was closed after a silence")]
# Why a call from an unknown number has no contact: plan_limit (the company holds as many contacts as its plan allows).
ContactSkipped = Annotated[Literal["plan_limit"] | None, Field(
    description="plan_limit: the caller was not saved as a contact because the plan's contact limit is reached")]


class CallListQuery(Schema):
    """Filters of the calls list (any combination; the most selective one is the Query)."""

    contact_id: Id | None = None
    user_id: Id | None = None
    direction: Direction | None = None
    status: Status | None = None
    started_from: AwareDatetime | None = Field(default=None, alias="from", description="Started at or after")
    started_to: AwareDatetime | None = Field(default=None, alias="to", description="Started before")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _range(self) -> CallListQuery:
        if self.started_from and self.started_to and self.started_from >= self.started_to:
            raise ValueError("'from' must be before 'to'")
        return self


class Recording(BaseModel):
    available: bool


class Callback(BaseModel):
    """A missed call's call-back: its task, and the later answered call with the number."""

    task_id: str | None = None
    returned_call_id: str | None = None
    returned_at: datetime | None = None


class CallRead(BaseModel):
    id: str
    integration_id: str
    provider: str
    provider_call_id: str
    direction: Direction
    status: Status
    from_number: str | None = None
    to_number: str | None = None
    contact_id: str | None = None
    company_id: str | None = None
    deal_id: str | None = None
    user_id: str | None = None
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    end_reason: EndReason = None
    contact_skipped: ContactSkipped = None
    recording: Recording
    callback: Callback
    callback_of: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int


class Party(BaseModel):
    """The contact or company of a call, with its name as the caller may see it (null: not visible)."""

    id: str
    name: str | None = None


class CallSummary(BaseModel):
    id: str
    direction: Direction
    status: Status
    from_number: str | None = None
    to_number: str | None = None
    contact_id: str | None = None
    contact: Party | None = None
    company: Party | None = None
    user_id: str | None = None
    started_at: datetime | None = None
    duration_seconds: int | None = None
    end_reason: EndReason = None
    contact_skipped: ContactSkipped = None
    recording: Recording
    provider: str | None = None
    callback: Callback


class CallPage(BaseModel):
    items: list[CallSummary]
    next_cursor: str | None = None


class CallCreate(Schema):
    """Click-to-call: the provider rings the caller's extension, then the customer."""

    integration_id: Id
    contact_id: Id | None = None
    number: Annotated[str, Field(min_length=3, max_length=40)] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> CallCreate:
        if (self.contact_id is None) == (self.number is None):
            raise ValueError("give either contact_id or number")
        return self


class CallStarted(BaseModel):
    id: str
    status: Status


class RecordingLink(BaseModel):
    url: str
    expires_in: int
    content_type: str


class StatsQuery(Schema):
    started_from: AwareDatetime | None = Field(default=None, alias="from", description="Default: 30 days ago")
    started_to: AwareDatetime | None = Field(default=None, alias="to", description="Default: now")
    user_id: Id | None = None

    @model_validator(mode="after")
    def _range(self) -> StatsQuery:
        self.started_to = self.started_to or datetime.now(UTC)
        self.started_from = self.started_from or self.started_to - timedelta(days=30)
        if self.started_from >= self.started_to:
            raise ValueError("'from' must be before 'to'")
        if (self.started_to - self.started_from).days > 366:
            raise ValueError("a range of at most a year")
        return self


class StatsRow(BaseModel):
    user_id: str | None
    direction: Direction
    calls: int
    answered: int
    missed: int
    busy: int
    failed: int
    talk_seconds: int
    callbacks: int
    average_callback_seconds: int | None


class StatsRead(BaseModel):
    items: list[StatsRow]


class Line(BaseModel):
    """A telephone line the caller has an extension on."""

    integration_id: str
    name: str
    type: str
    extension: str
    click_to_call: bool = Field(description="False for a PBX of one's own: it takes no calls from the CRM")


class LinePage(BaseModel):
    items: list[Line]
