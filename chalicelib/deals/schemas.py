"""Request and response schemas of pipelines, deals and the board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.core.schema import Schema
from chalicelib.records.money import Amount
from chalicelib.records.schemas import Tag, Tags, Utm

Id = Annotated[str, Field(min_length=1, max_length=26)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
StageName = Annotated[str, Field(min_length=1, max_length=60)]
PipelineName = Annotated[str, Field(min_length=1, max_length=80)]
Reason = Annotated[str, Field(min_length=1, max_length=200)]
StageKind = Literal["open", "won", "lost"]
DealStatus = Literal["open", "won", "lost"]
MAX_STAGES = 30
MAX_CONTACTS = 20


# -- pipelines ------------------------------------------------------------------------------


class StageIn(Schema):
    id: Id | None = Field(default=None, description="An existing stage's id; leave out for a new stage")
    name: StageName
    kind: StageKind = "open"
    position: int | None = Field(default=None, ge=0, le=1000, description=(
        "Ignored: the list's order is the stages' order (taken so that a pipeline read can be sent back as it is)"))


class PipelineCreate(Schema):
    name: PipelineName
    stages: list[StageIn] | None = Field(default=None, min_length=2, max_length=MAX_STAGES,
                                         description="Ordered; the standard sales stages when left out")
    lost_reasons: list[Reason] = Field(default_factory=list, max_length=50)


class PipelineUpdate(Schema):
    version: int
    name: PipelineName | None = None
    stages: list[StageIn] | None = Field(
        default=None, min_length=2, max_length=MAX_STAGES,
        description="The full ordered list: stages left out are removed, stages without id are added")
    lost_reasons: list[Reason] | None = Field(default=None, max_length=50)
    move_to: Id | None = Field(default=None, description="Stage that receives the deals of removed stages")


class StageRead(BaseModel):
    id: str
    name: str
    kind: StageKind
    position: int


class PipelineRead(BaseModel):
    id: str
    name: str
    stages: list[StageRead]
    lost_reasons: list[str]
    is_default: bool
    created_at: datetime
    updated_at: datetime
    version: int


class PipelineList(BaseModel):
    items: list[PipelineRead]


# -- deals ----------------------------------------------------------------------------------


class DealCreate(Schema):
    title: Title
    pipeline_id: Id | None = Field(default=None, description="The default pipeline when left out")
    stage_id: Id | None = Field(default=None, description="The pipeline's first stage when left out")
    amount: Amount | None = Field(default=None, description="Zero in the company's currency when left out")
    contact_ids: list[Id] = Field(default_factory=list, max_length=MAX_CONTACTS)
    company_id: Id | None = None
    owner_id: Id | None = Field(default=None, description="The caller when left out")
    expected_close_on: date | None = None
    lost_reason: Reason | None = None
    tags: Tags = Field(default_factory=list)
    custom: dict[str, Any] = Field(default_factory=dict)
    source: Annotated[str, Field(max_length=40)] | None = Field(
        default=None, description="Where the deal came from (a form's 'form:<name>', call, whatsapp, telegram, "
                                  "e-mail; manual when left out); kept as made")
    utm: Utm | None = Field(default=None, description="The lead's utm_* parameters; kept as made")


class DealUpdate(Schema):
    version: int
    title: Title | None = None
    amount: Amount | None = None
    contact_ids: list[Id] | None = Field(default=None, max_length=MAX_CONTACTS)
    company_id: Id | None = None
    owner_id: Id | None = None
    expected_close_on: date | None = None
    tags: Tags | None = None
    custom: dict[str, Any] | None = None


class DealMove(Schema):
    version: int
    stage_id: Id
    pipeline_id: Id | None = Field(default=None, description="To move the deal into another pipeline")
    lost_reason: Reason | None = Field(default=None, description="Required when the stage is a lost stage")


class AmountRead(BaseModel):
    minor: int
    currency: str


class DealRead(BaseModel):
    id: str
    title: str
    pipeline_id: str
    stage_id: str
    status: DealStatus
    lost_reason: str | None
    amount: AmountRead
    # The orders whose total the amount is (then read-only: 409 ``amount_follows_orders`` on a change by hand),
    # and those in another currency, not added (``deals.amounts``).
    amount_orders: list[str] = Field(default_factory=list)
    amount_other_orders: list[str] = Field(default_factory=list)
    amount_order_numbers: dict[str, int] = Field(default_factory=dict, description=(
        "The numbers of those orders (\"Order #154\"), by id; an order not numbered yet is not named here"))
    contact_ids: list[str]
    company_id: str | None
    owner_id: str
    team_id: str | None
    expected_close_on: date | None
    tags: list[str]
    custom: dict[str, Any]
    source: str | None = Field(default=None, description="Where the deal came from, as it was made")
    utm: dict[str, Any] | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    closed_at: datetime | None
    deleted_at: datetime | None
    version: int


class DealPage(BaseModel):
    items: list[DealRead]
    next_cursor: str | None = None


class DealListQuery(Schema):
    """``GET /deals``: a pipeline's or an owner's deals; with ``q`` (title words), a ``tag`` or
    ``custom.<key>=<value>`` filters, a search across pipelines (narrowed by pipeline, stage and status when given)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    q: str | None = Field(default=None, min_length=1, max_length=100, description="Words the title starts with")
    pipeline_id: Id | None = Field(default=None, description="The default pipeline when no owner is given")
    stage_id: Id | None = None
    owner_id: Id | None = Field(default=None, description="Agents always see their own deals only")
    status: DealStatus | None = None
    tag: Tag | None = Field(default=None, description="Deals with this tag, across pipelines unless one is given")
    sort: Literal["updated"] = Field(default="updated", description="Most recently updated first; a search (q or "
                                     "custom filters) answers in the order of the words it matched")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class DealPageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class BoardQuery(DealPageQuery):
    tag: Tag | None = Field(default=None, description="Only the deals with this tag (the totals are then theirs)")


class StageRef(BaseModel):
    id: str
    name: str


class StageChangeRead(BaseModel):
    id: str
    from_stage: StageRef | None
    to_stage: StageRef
    to_kind: StageKind
    actor_id: str
    at: datetime
    seconds_in_previous: int | None


class LinkRead(BaseModel):
    kind: str
    id: str
    summary: dict[str, Any]


class SubjectRef(BaseModel):
    type: str
    id: str


class TimelineEntryRead(BaseModel):
    id: str
    kind: str
    at: datetime
    actor_id: str
    summary: str
    data: dict[str, Any]
    subject: SubjectRef


class DealTimelinePage(BaseModel):
    items: list[TimelineEntryRead]
    next_cursor: str | None = None


class NamedRecord(BaseModel):
    id: str
    name: str | None = Field(default=None, description="What it is called, when the caller may read it")


class DealCard(BaseModel):
    deal: DealRead
    stage_history: list[StageChangeRead]
    links: list[LinkRead]
    timeline: list[TimelineEntryRead]
    timeline_next_cursor: str | None = None
    contacts: list[NamedRecord] = Field(default_factory=list, description="The deal's contacts, named")
    company: NamedRecord | None = Field(default=None, description="The deal's company, named")
    pipeline: PipelineRead | None = Field(default=None, description=(
        "The deal's pipeline (its stages and lost reasons, for the card's stage bar), when the caller may read "
        "pipelines"))


# -- the board and the funnel ---------------------------------------------------------------


class BoardColumn(BaseModel):
    stage: StageRead
    deals: list[DealRead]
    count: int
    totals: list[AmountRead]


class Board(BaseModel):
    pipeline: PipelineRead
    columns: list[BoardColumn]
    totals_cover: Literal["all", "visible"] = Field(
        description="all: counts and totals of every deal in each stage; visible: of the deals you may see")
    next_cursor: str | None = None
