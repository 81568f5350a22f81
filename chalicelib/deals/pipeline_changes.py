"""Changing the stages of a pipeline that holds deals: removed stages empty into ``move_to``, moved
stages re-sort their deals on the board.

The deals of a removed stage move one transaction each (with history, timelines and totals, like
any move), before the pipeline change commits; its commit then deletes the removed stages'
summaries only if they are still empty (version-checked), so a deal arriving meanwhile cancels it.
Re-sorting rewrites the board key of the deals of each stage whose position changed.
"""

from __future__ import annotations

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import pipelines, records
from chalicelib.deals import schemas as s
from chalicelib.deals.models import Deal, Pipeline, Stage, board_pk, board_stage_prefix
from chalicelib.deals.service import get, move_change

REKEY_BATCH = 25


def update_pipeline(ctx: TenantContext, pipeline_id: str, body: s.PipelineUpdate) -> Pipeline:
    """Rename a pipeline or change its stages; deals of removed stages go to move_to, moved stages re-sort."""
    plan = pipelines.plan_update(ctx, pipeline_id, body)
    for stage in plan.occupied:
        for deal in _deals_in(ctx, pipeline_id, stage):
            _move_out(ctx, deal.deal_id, stage, plan)
    pipeline = pipelines.commit_update(ctx, plan)
    new_positions = {stage.stage_id: int(stage.position) for stage in pipeline.stages}
    for stage in plan.old_stages:
        if new_positions.get(stage.stage_id, int(stage.position)) != int(stage.position):
            _rekey(ctx, pipeline, _deals_in(ctx, pipeline_id, stage))
    return pipeline


def _deals_in(ctx: TenantContext, pipeline_id: str, stage: Stage) -> list[Deal]:
    """Every live deal indexed under a stage's (old) position: one Query read to its end."""
    prefix = board_stage_prefix(int(stage.position), stage.stage_id)
    with db.translate_errors():
        found = Deal.gsi1.query(board_pk(ctx, pipeline_id), Deal.gsi1sk.startswith(prefix))
        return [item for item in found if isinstance(item, Deal)]


def _move_out(ctx: TenantContext, deal_id: str, stage: Stage, plan: pipelines.PipelinePlan) -> None:
    target = plan.target
    if target is None:
        return

    def build() -> tuple[db.Change | None, None]:
        deal = get(ctx, deal_id)
        if deal is None or deal.stage_id != stage.stage_id:
            return None, None
        reason = f"Stage {stage.name} removed" if target.stage_kind == "lost" else None
        return move_change(ctx, deal, stage, plan.pipeline, target, lost_reason=reason), None

    records.commit_retrying(ctx, build)


def _rekey(ctx: TenantContext, pipeline: Pipeline, deals: list[Deal]) -> None:
    """Re-sort deals under their stage's new position (not audited: the pipeline's record says why)."""
    for batch in db.each_in_batches(deals, REKEY_BATCH):
        change = db.Change()
        for deal in batch:
            records.index(ctx, deal, pipeline)
            change.save(deal)
        try:
            db.commit(ctx, change)
        except errors.VersionConflictError:
            for deal in batch:  # someone changed one of them meanwhile: each again, freshly read
                _rekey_one(ctx, pipeline, deal.deal_id)


def _rekey_one(ctx: TenantContext, pipeline: Pipeline, deal_id: str) -> None:
    deal = get(ctx, deal_id)
    if deal is not None and deal.pipeline_id == pipeline.pipeline_id:
        records.index(ctx, deal, pipeline)
        db.commit(ctx, db.Change().save(deal))
