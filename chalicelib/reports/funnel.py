"""The funnel of a pipeline for a period, read from the ``funnel`` and ``lost_reasons`` counters.

Per stage: distinct deals that reached it (a deal returning to a stage is no new entry: ``DealFacts`` remembers
the stages it entered), conversion from the first stage and from the stage before, deals that moved on and the
average time they spent there, the value of the deals as they reached it, won and lost deals and won revenue;
and the lost reasons. Two Queries of counters and the pipeline, whatever the number of deals. Scope applies:
a counter carries its deal's owner and team.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import pipelines
from chalicelib.reports import schemas as s
from chalicelib.reports import service

FUNNEL_DAYS = 90
COLUMNS = ("entered", "value", "left", "stage_seconds", "won", "lost", "revenue")


def funnel(ctx: TenantContext, *, query: s.FunnelQuery) -> s.FunnelRead:
    """Conversion per stage, time in stage, value, won and lost, and lost reasons, for a pipeline and period."""
    start, end = service.period(query, default_days=FUNNEL_DAYS, ctx=ctx)
    pipeline = pipelines.get_or_raise(ctx, query.pipeline_id) if query.pipeline_id \
        else pipelines.default_pipeline(ctx)
    currency = service.currency_of(ctx)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in service.counters(ctx, "funnel", start, end, entity="deals"):
        if item.pipeline_id != pipeline.pipeline_id:
            continue
        row = sums[item.stage_id or ""]
        for name in COLUMNS:
            if name not in ("value", "revenue") or item.currency in (None, currency):
                row[name] += int(getattr(item, name) or 0)
    stages: list[s.FunnelStage] = []
    first = previous = None
    for stage in pipeline.stages:
        row = sums[stage.stage_id]
        entered = row["entered"]
        first = entered if first is None else first
        # Deals reach a lost stage from any stage: it has no stage before it to convert from (its entries over the
        # won stage's read "200%"); a won stage converts from the last open stage.
        step = None if stage.stage_kind == "lost" else _ratio(entered, first if previous is None else previous)
        stages.append(s.FunnelStage(
            stage=pipelines.stage_read(stage), entered=entered, conversion=_ratio(entered, first),
            step_conversion=step,
            left=row["left"], avg_seconds_in_stage=row["stage_seconds"] // row["left"] if row["left"] else None,
            value=row["value"], won=row["won"], lost=row["lost"], revenue=row["revenue"]))
        if stage.stage_kind == "open":
            previous = entered
    return s.FunnelRead(pipeline_id=pipeline.pipeline_id, from_=start, to=end, currency=currency, stages=stages,
                        lost_reasons=_lost_reasons(ctx, pipeline.pipeline_id, start, end))


def _ratio(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _lost_reasons(ctx: TenantContext, pipeline_id: str, start: Any, end: Any) -> list[s.LostReasonRow]:
    lost: dict[str, int] = defaultdict(int)
    for item in service.counters(ctx, "lost_reasons", start, end, entity="deals"):
        if item.pipeline_id == pipeline_id:
            lost[item.reason or "unspecified"] += int(item.lost_count or 0)
    rows = [s.LostReasonRow(reason=reason, lost=count) for reason, count in lost.items() if count]
    return sorted(rows, key=lambda row: (-row.lost, row.reason))


def csv_rows(report: s.FunnelRead) -> list[s.FunnelCsvRow]:
    """The funnel's stages as flat rows for a CSV file."""
    return [s.FunnelCsvRow(stage_id=row.stage.id, stage=row.stage.name,
                           **row.model_dump(exclude={"stage"})) for row in report.stages]
