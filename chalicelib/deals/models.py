"""Deal items: pipelines, their per-stage summaries, deals and the history of their stages.

Key layout (``<tid>`` is the tenant, times are fixed-width UTC stamps so they sort as text):

- Pipeline: pk ``T#<tid>#PIPELINE``, sk ``<pipeline id>``; gsi1 ``T#<tid>#DEALS#P#<pipeline>`` /
  ``#PIPELINE`` so it heads its own board.
- Default marker: pk ``T#<tid>#PIPELINE``, sk ``#DEFAULT`` (created once, conditionally).
- Stage summary: pk ``T#<tid>#PIPELINE``, sk ``<pipeline>#STAGE#<stage>``; gsi1 the board partition /
  ``#STAGE#<stage>``: the count and per-currency totals of the stage's live deals.
  Marker and summaries share the pipelines' partition so that whatever reads a tenant's pipelines
  whole (exports, purges) finds them too.
- Deal: pk ``T#<tid>#D#<deal>``, sk ``#PROFILE``; gsi1 the board partition /
  ``<position 3 digits>#<stage>#<inverted updated>#<deal>`` (a column lists its most recently updated
  deals first in a forward Query, so the whole board reads in one direction); gsi2 ``T#<tid>#DEALS#OWNER#<owner>`` /
  ``<updated>#<deal>``. A deal in the trash keeps no gsi1 and sits in gsi2 ``T#<tid>#DEALS#TRASH``.
- Stage change: pk the deal's partition, sk ``STAGE#<at>#<id>``; on no index (the funnel report reads the
  domain-event feed's counters since #19, so the pipeline's funnel index was written for no reader: an index
  write of every stage change saved; items written before keep theirs).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records.models import ListRow


class Stage(MapAttribute[str, object]):
    """One column of a pipeline."""

    stage_id = UnicodeAttribute()
    name = UnicodeAttribute()
    stage_kind = UnicodeAttribute()  # open | won | lost
    position = NumberAttribute()


class Pipeline(VersionedItem, discriminator="pipeline"):
    """An ordered set of stages deals move through."""

    pipeline_id = UnicodeAttribute()
    name = UnicodeAttribute()
    stages: ListAttribute[Stage] = ListAttribute(of=Stage, default=list)
    # PynamoDB types `of` as the element type itself; the stored elements are str.
    lost_reasons: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    is_default = BooleanAttribute(default=False)


class DefaultPipeline(MainTable, discriminator="default_pipeline"):
    """Which pipeline is the tenant's default; its conditional create makes lazy creation race-free."""

    pipeline_id = UnicodeAttribute()


class StageSummary(VersionedItem, discriminator="stage_summary"):
    """Count and per-currency totals of the live deals in one stage, kept in every deal's transaction."""

    pipeline_id = UnicodeAttribute()
    stage_id = UnicodeAttribute()
    deal_count = NumberAttribute(default=0)
    totals = JSONAttribute(default=dict)  # currency -> minor units


class Deal(VersionedItem, discriminator="deal"):
    """A sales opportunity moving through a pipeline."""

    personal = frozenset({"title", "custom"})

    deal_id = UnicodeAttribute()
    title = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    stage_id = UnicodeAttribute()
    stage_entered_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="open")  # open | won | lost
    lost_reason = UnicodeAttribute(null=True)
    amount_minor = NumberAttribute(default=0)
    currency = UnicodeAttribute()
    # While the deal has orders (not cancelled or returned), its amount is their total (``deals.orders``): the
    # orders counted (ids, oldest first), those in another currency than the first's (not added: no conversion),
    # and the amount it had by hand before, which it takes again when no order is left.
    amount_orders: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    amount_other_orders: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    hand_amount = JSONAttribute(null=True)  # {"minor", "currency"}
    amount_order_numbers = JSONAttribute(null=True)  # {order id: its number} of the orders above that have one
    contact_ids: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    company_id = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    expected_close_on = UnicodeAttribute(null=True)  # ISO date
    tags = ListAttribute[str](default=list)
    custom = JSONAttribute(default=dict)
    custom_indexed = JSONAttribute(default=list)  # [[key, value]] the select values a search filters by
    source = UnicodeAttribute(null=True)  # where the deal came from ("form:<name>", call, whatsapp, ...), as made
    utm = JSONAttribute(null=True)
    created_by = UnicodeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    deleted_at = UTCDateTimeAttribute(null=True)


class DealRow(ListRow, discriminator="deal_row"):
    """A deal in its search partitions (``T#<tid>#DX#TOKEN``, ``DX#CF#<key>#<value>``): what finds it, no more."""

    personal = ListRow.personal | frozenset({"title"})

    title = UnicodeAttribute()


class StageChange(MainTable, discriminator="deal_stage_change"):
    """A deal entering a stage: who moved it, when, and how long it sat in the previous one."""

    change_id = UnicodeAttribute()
    deal_id = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    from_stage_id = UnicodeAttribute(null=True)
    from_stage_name = UnicodeAttribute(null=True)
    to_stage_id = UnicodeAttribute()
    to_stage_name = UnicodeAttribute()
    to_stage_kind = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    seconds_in_previous = NumberAttribute(null=True)
    owner_id = UnicodeAttribute()  # the deal's owner and team then, so reports respect record scopes
    team_id = UnicodeAttribute(null=True)


# -- keys -----------------------------------------------------------------------------------

PIPELINE_HEAD_SK = "#PIPELINE"
SUMMARY_HEAD_PREFIX = "#STAGE#"


def stamp(moment: datetime) -> str:
    """A fixed-width UTC stamp (microseconds, ``Z``) that sorts as text in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def inverted(moment: datetime) -> str:
    """A fixed-width text that sorts newest first: microseconds before the year 2286, inverted."""
    micros = int(moment.timestamp() * 1_000_000)
    return f"{10**16 - micros:016d}"


def pipelines_pk(ctx: TenantContext) -> str:
    """Partition holding every pipeline of the tenant."""
    return tenant_key(ctx, "PIPELINE")


DEFAULT_MARKER_SK = "#DEFAULT"


def summaries_prefix(pipeline_id: str) -> str:
    """Sort-key prefix of one pipeline's stage summaries in the pipelines' partition."""
    return f"{pipeline_id}#STAGE#"


def summary_sk(pipeline_id: str, stage_id: str) -> str:
    """Sort key of one stage's summary."""
    return f"{summaries_prefix(pipeline_id)}{stage_id}"


def board_pk(ctx: TenantContext, pipeline_id: str) -> str:
    """gsi1 partition of a pipeline's board: the pipeline, its summaries, then its deals by stage."""
    return tenant_key(ctx, "DEALS", "P", pipeline_id)


def board_stage_prefix(position: int, stage_id: str) -> str:
    """gsi1 sort-key prefix of the deals in one stage."""
    return f"{position:03d}#{stage_id}#"


def owner_pk(ctx: TenantContext, owner_id: str) -> str:
    """gsi2 partition of one owner's live deals ("my deals")."""
    return tenant_key(ctx, "DEALS", "OWNER", owner_id)


def trash_pk(ctx: TenantContext) -> str:
    """gsi2 partition of the deals in the trash."""
    return tenant_key(ctx, "DEALS", "TRASH")


def stage_change_sk(at: datetime, change_id: str) -> str:
    """Sort key of a stage change in its deal's partition (oldest first)."""
    return f"STAGE#{stamp(at)}#{change_id}"
