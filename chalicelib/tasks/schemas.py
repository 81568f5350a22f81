"""Request and response schemas of tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import RecordTypeName

Id = Annotated[str, Field(min_length=1, max_length=26)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=10_000)]
Location = Annotated[str, Field(max_length=300, description="Where: an address the web app opens in a map")]
TaskKind = Literal["call", "meeting", "email", "todo"]
RelatedType = RecordTypeName


class Related(Schema):
    type: RelatedType
    id: Id


class TaskCreate(Schema):
    title: Title
    kind: TaskKind = "todo"
    due_at: AwareDatetime | None = Field(default=None, description="ISO 8601 with a UTC offset")
    assignee_id: Id | None = Field(default=None, description="The caller when left out")
    everyone: bool = Field(default=False, description=(
        "Everyone's tasks the caller may read, by due time (one who reads only their own gets their own); "
        "not with assignee_id"))
    related: Related | None = None
    description: Description | None = None
    location: Location | None = None


class TaskUpdate(Schema):
    version: int
    title: Title | None = None
    kind: TaskKind | None = None
    due_at: AwareDatetime | None = None
    assignee_id: Id | None = None
    related: Related | None = None
    description: Description | None = None
    location: Location | None = None


class TaskVersion(Schema):
    version: int


class RelatedRead(BaseModel):
    type: RelatedType
    id: str
    name: str | None = Field(default=None, description=(
        "What the record is called (a contact's full name, a company's name, a deal's title), when the caller may "
        "read it"))


class TaskRead(BaseModel):
    id: str
    title: str
    kind: TaskKind
    status: Literal["open", "done"]
    due_at: datetime | None
    assignee_id: str
    team_id: str | None
    related: RelatedRead | None
    description: str | None
    location: str | None = None
    done_at: datetime | None
    done_by: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None = None


class TaskListQuery(Schema):
    view: Literal["today", "overdue", "upcoming", "all"] = Field(
        default="all", description="Days are the company's days (its time zone); overdue means due before today")
    assignee_id: Id | None = Field(default=None, description="The caller when left out")
    everyone: bool = Field(default=False, description=(
        "Everyone's tasks the caller may read, by due time (one who reads only their own gets their own); "
        "not with assignee_id"))
    status: Literal["open", "done"] | None = Field(
        default=None, description="open for today/overdue/upcoming when left out; both for all")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class TaskDaysQuery(Schema):
    start: date | None = Field(default=None, ge=date(1900, 1, 1), le=date(2199, 12, 31), description=(
        "The first day, on the company's clock (YYYY-MM-DD, 1900 to 2199); today when left out"))
    days: int = Field(default=7, ge=1, le=42, description="How many days: 7 for a week, up to 42 (six weeks)")
    assignee_id: Id | None = Field(default=None, description="The caller when left out")
    everyone: bool = Field(default=False, description="Everyone's tasks the caller may read; not with assignee_id")


class TaskDays(BaseModel):
    start: datetime  # the first day's start, in UTC
    end: datetime  # the day after the last one, its start
    items: list[TaskRead]  # by due time, open and done alike; undated tasks are on no day
    truncated: bool  # more than one answer holds (400 tasks): narrow it to one person or fewer days


class CalendarFeedRead(BaseModel):
    allowed: bool  # the company lets its staff subscribe (Settings, Company)
    made_at: datetime | None  # when the caller's current address was made; null: none
    url: str | None = None  # the address, only in the answer that made it (its secret is never shown again)
