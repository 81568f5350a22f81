"""Request and response schemas of the reports read from counters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema
from chalicelib.deals.schemas import StageRead

Id = Annotated[str, Field(min_length=1, max_length=26)]


class ReportQuery(Schema):
    from_: date | None = Field(default=None, alias="from",
                               description="First day (the company's time zone); 30 days ago by default")
    to: date | None = Field(default=None, description="Last day (the company's time zone), inclusive; today by default")
    pipeline_id: Id | None = Field(
        default=None, description="Deals of this pipeline only (leads, tasks, calls belong to none)")
    format: Literal["json", "csv"] = Field(default="json", description="csv: the items as a CSV file")


class SourceRow(BaseModel):
    source: str = Field(description="utm_source (with its utm_medium: \"google / cpc\"), else the channel: a "
                        "form's name, call, a messenger, manual")
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


# -- the funnel -------------------------------------------------------------------------------


class FunnelQuery(ReportQuery):
    pipeline_id: Id | None = Field(default=None, description="The default pipeline when left out")
    from_: date | None = Field(default=None, alias="from",
                               description="First day (the company's time zone); 90 days ago by default")


class FunnelStage(BaseModel):
    stage: StageRead
    entered: int = Field(description="Distinct deals that reached the stage in the period (a return is no entry)")
    conversion: float | None = Field(description="entered / entered in the first stage")
    step_conversion: float | None = Field(description="entered / entered in the open stage before (stage to stage); "
                                                      "none for a lost stage, which deals reach from any stage")
    left: int = Field(description="Deals that moved on from the stage in the period")
    avg_seconds_in_stage: int | None = Field(description="Average time the deals that left it spent in it")
    value: int = Field(description="Amounts of the deals as they reached the stage, company currency, minor units")
    won: int
    lost: int
    revenue: int = Field(description="Won revenue, company currency, minor units")


class LostReasonRow(BaseModel):
    reason: str
    lost: int


class FunnelRead(BaseModel):
    pipeline_id: str
    from_: date = Field(serialization_alias="from")
    to: date
    currency: str
    stages: list[FunnelStage]
    lost_reasons: list[LostReasonRow]


class FunnelCsvRow(BaseModel):
    stage_id: str
    stage: str
    entered: int
    conversion: float | None
    step_conversion: float | None
    left: int
    avg_seconds_in_stage: int | None
    value: int
    won: int
    lost: int
    revenue: int
