"""Request and response schemas of the reports read from counters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema

Id = Annotated[str, Field(min_length=1, max_length=26)]


class ReportQuery(Schema):
    from_: date | None = Field(default=None, alias="from", description="First day (UTC); 30 days ago by default")
    to: date | None = Field(default=None, description="Last day (UTC), inclusive; today by default")
    pipeline_id: Id | None = Field(
        default=None, description="Deals of this pipeline only (leads, tasks, calls belong to none)")
    format: Literal["json", "csv"] = Field(default="json", description="csv: the items as a CSV file")


class SourceRow(BaseModel):
    source: str = Field(description="utm_source, else the channel: a form's name, call, a messenger, manual")
    leads: int
    deals: int
    won: int
    revenue: int = Field(description="Won revenue in the company's currency, minor units")


class SourcesReport(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    currency: str
    items: list[SourceRow]


class ManagerRow(BaseModel):
    user_id: str | None
    deals: int = Field(description="Deals made for them")
    won: int
    lost: int
    revenue: int
    tasks_done: int
    tasks_overdue: int
    calls: int
    missed_calls: int
    talk_seconds: int
    messages: int
    avg_response_seconds: int | None


class ManagersReport(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    currency: str
    items: list[ManagerRow]


class ChannelRow(BaseModel):
    channel: str = Field(description="call, or a messenger (whatsapp, telegram ...) once messages are counted")
    direction: str | None
    calls: int
    answered: int
    missed: int
    talk_seconds: int
    messages: int
    responses: int
    avg_response_seconds: int | None


class CommunicationsReport(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    items: list[ChannelRow]
