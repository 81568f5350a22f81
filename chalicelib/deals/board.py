"""The kanban board of a pipeline, and the stage summaries behind their totals (the funnel report is
``chalicelib.reports.funnel``, read from counters).

Each stage has a summary item (count and per-currency totals of its live deals) that every deal
write adjusts in its own transaction, so the board shows exact totals without reading every deal:
one Query on the pipeline's gsi1 partition returns the pipeline, its summaries, then its deals in
stage order. Summaries are version-checked puts: two writers racing on one stage make one of them
retry (see ``deals.service``), never a wrong total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import pipelines
from chalicelib.deals import schemas as s
from chalicelib.deals.models import (
    Deal,
    Pipeline,
    StageSummary,
    board_pk,
    owner_pk,
    pipelines_pk,
    summary_sk,
)


@dataclass
class Tally:
    """The stage summaries one change touches: read once, adjusted, saved into the change."""

    ctx: TenantContext
    summaries: dict[tuple[str, str], StageSummary] = field(default_factory=dict)

    def add(self, pipeline_id: str, stage_id: str, *, count: int, currency: str, minor: int) -> None:
        """Adjust a stage by count deals and minor units of currency."""
        summary = self._summary(pipeline_id, stage_id)
        summary.deal_count = int(summary.deal_count) + count
        totals = dict(summary.totals or {})
        totals[currency] = int(totals.get(currency, 0)) + minor
        summary.totals = {code: value for code, value in totals.items() if value}
        summary.updated_at = db.utcnow()

    def count_deal(self, deal: Deal, sign: int) -> None:
        """Add (sign 1) or take away (sign -1) a deal from its stage."""
        self.add(deal.pipeline_id, deal.stage_id, count=sign, currency=deal.currency,
                 minor=sign * int(deal.amount_minor))

    def save_into(self, change: db.Change) -> None:
        """Add every adjusted summary to the change."""
        for summary in self.summaries.values():
            change.save(summary)

    def _summary(self, pipeline_id: str, stage_id: str) -> StageSummary:
        key = (pipeline_id, stage_id)
        if key not in self.summaries:
            pk, sk = pipelines_pk(self.ctx), summary_sk(pipeline_id, stage_id)
            self.summaries[key] = db.get(self.ctx, StageSummary, pk, sk) or StageSummary(
                pk, sk, pipeline_id=pipeline_id, stage_id=stage_id, deal_count=0, totals={},
                gsi1pk=board_pk(self.ctx, pipeline_id), gsi1sk=f"#STAGE#{stage_id}")
        return self.summaries[key]


def totals_list(totals: dict[str, Any]) -> list[s.AmountRead]:
    """Per-currency totals as a list, by currency code."""
    return [s.AmountRead(currency=code, minor=int(value)) for code, value in sorted(totals.items()) if int(value)]


# -- the board ------------------------------------------------------------------------------


@dataclass
class BoardPage:
    """What one page of a board holds."""

    pipeline: Pipeline
    summaries: dict[str, StageSummary]
    deals: list[Deal]
    next_cursor: str | None
    totals_cover: str  # all | visible


def board_page(ctx: TenantContext, pipeline_id: str, *, limit: int, cursor: str | None,
               tag: str | None = None) -> BoardPage:
    """One page of a pipeline's board: one Query (own scope: the owner's deals in that pipeline); with a tag, its
    deals alone (a filter on the same Query; the pipeline read apart, the totals of the deals shown)."""
    permissions.require(ctx, "pipelines", "read")
    scope = permissions.require(ctx, "deals", "read")
    if scope == "own":
        return _own_board(ctx, pipeline_id, limit=limit, cursor=cursor, tag=tag)
    if tag is not None:
        pipeline = pipelines.get_or_raise(ctx, pipeline_id)
        found = db.query_page(ctx, Deal, board_pk(ctx, pipeline_id), scope=f"board:{pipeline_id}:tag:{tag}",
                              limit=limit, cursor=cursor, index=Deal.gsi1, newest_first=False,
                              filter_condition=Deal.tags.contains(tag))
        deals = [deal for deal in found.items
                 if permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id)]
        return BoardPage(pipeline=pipeline, summaries={}, deals=deals, next_cursor=found.next_cursor,
                         totals_cover="visible")
    page = db.query_page(ctx, db.MainTable, board_pk(ctx, pipeline_id), scope=f"board:{pipeline_id}", limit=limit,
                         cursor=cursor, index=db.MainTable.gsi1, newest_first=False)
    head = next((item for item in page.items if isinstance(item, Pipeline)), None)
    summaries = {item.stage_id: item for item in page.items if isinstance(item, StageSummary)}
    if head is None:  # a later page (the head items sort first), or a missing pipeline (404)
        head = pipelines.get_or_raise(ctx, pipeline_id)
        summaries = pipelines.stage_summaries(ctx, pipeline_id)
    deals = [item for item in page.items if isinstance(item, Deal)
             and permissions.may_touch(ctx, scope, owner_id=item.owner_id, team_id=item.team_id)]
    return BoardPage(pipeline=head, summaries=summaries, deals=deals, next_cursor=page.next_cursor,
                     totals_cover="all" if scope == "all" else "visible")


def _own_board(ctx: TenantContext, pipeline_id: str, *, limit: int, cursor: str | None, tag: str | None) -> BoardPage:
    pipeline = pipelines.get_or_raise(ctx, pipeline_id)
    condition = Deal.pipeline_id == pipeline_id
    page = db.query_page(ctx, Deal, owner_pk(ctx, ctx.actor_id), scope=f"board:{pipeline_id}:own:{tag}", limit=limit,
                         cursor=cursor, index=Deal.gsi2,
                         filter_condition=condition & Deal.tags.contains(tag) if tag is not None else condition)
    return BoardPage(pipeline=pipeline, summaries={}, deals=page.items, next_cursor=page.next_cursor,
                     totals_cover="visible")


def board_columns(page: BoardPage, deal_view: Any) -> list[s.BoardColumn]:
    """The board's columns in stage order: deals, count and totals (exact from summaries when they cover all)."""
    by_stage: dict[str, list[Deal]] = defaultdict(list)
    for deal in page.deals:
        by_stage[deal.stage_id].append(deal)
    columns = []
    for stage in page.pipeline.stages:
        deals = by_stage.get(stage.stage_id, [])
        if page.totals_cover == "all":
            summary = page.summaries.get(stage.stage_id)
            count = int(summary.deal_count) if summary is not None else 0
            totals = totals_list(summary.totals or {}) if summary is not None else []
        else:
            count, totals = len(deals), totals_list(_sum(deals))
        columns.append(s.BoardColumn(stage=pipelines.stage_read(stage), deals=[deal_view(d) for d in deals],
                                     count=count, totals=totals))
    return columns


def _sum(deals: list[Deal]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for deal in deals:
        totals[deal.currency] += int(deal.amount_minor)
    return totals
