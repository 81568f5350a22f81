"""Reverting audited changes of deals and pipelines through their services (``audit.register_reverter``).

Deals: a creation is reverted by moving the deal to the trash, a deletion by restoring it (board
totals, links and stage history follow), a stage move by moving it back, an edit by writing the
previous values through ``service.update``. Pipelines: a creation by deleting it (refused while it
holds deals), an edit through ``plan_update``/``commit_update``, a deletion by creating it again under
its id with its stages (pipelines have no trash).
"""

from __future__ import annotations

from typing import Any

from chalicelib.auditlog.reverting import expect, not_revertable, refuse_sealed
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.http import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import pipelines, service
from chalicelib.deals import schemas as s
from chalicelib.deals.models import PIPELINE_HEAD_SK, Deal, Pipeline, Stage, board_pk, pipelines_pk

MOVE_FIELDS = frozenset({"stage_id", "pipeline_id", "status", "lost_reason"})
EDIT_FIELDS = frozenset({"title", "amount_minor", "currency", "contact_ids", "company_id", "owner_id",
                         "expected_close_on", "custom"})


# -- deals ----------------------------------------------------------------------------------


def _deal(ctx: TenantContext, deal_id: str) -> Deal:
    deal = service.get(ctx, deal_id)
    scope = permissions.require(ctx, "deals", "read")
    if deal is None or not permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id):
        raise errors.NotFoundError("No such deal.")
    permissions.require_record(ctx, "deals", "update", owner_id=deal.owner_id, team_id=deal.team_id)
    return deal


def _put_trash_state(ctx: TenantContext, deal: Deal, deleted_at: Any) -> Deal:
    if deleted_at is None and deal.deleted_at is not None:
        return service.restore(ctx, deal.deal_id)
    if deleted_at is not None and deal.deleted_at is None:
        service.delete(ctx, deal.deal_id)
    return _deal(ctx, deal.deal_id)


def _move_back(ctx: TenantContext, deal: Deal, before: dict[str, Any]) -> Deal:
    stage_id = before.get("stage_id", deal.stage_id)
    pipeline_id = before.get("pipeline_id")
    if stage_id == deal.stage_id and pipeline_id in (None, deal.pipeline_id):
        return deal
    return service.move(ctx, deal.deal_id, body=validate(s.DealMove, {
        "version": int(deal.version or 0), "stage_id": stage_id,
        "pipeline_id": pipeline_id if pipeline_id not in (None, deal.pipeline_id) else None,
        "lost_reason": before.get("lost_reason", deal.lost_reason)}))


def _edit_back(ctx: TenantContext, deal: Deal, before: dict[str, Any]) -> None:
    kept = ("title", "contact_ids", "company_id", "owner_id", "expected_close_on")
    data: dict[str, Any] = {name: before[name] for name in kept
                            if name in before and (before[name] is not None or name == "expected_close_on")}
    if "amount_minor" in before or "currency" in before:
        data["amount"] = {"minor": before.get("amount_minor", deal.amount_minor),
                          "currency": before.get("currency", deal.currency)}
    if "custom" in before:
        custom = dict(before["custom"] or {})
        refuse_sealed(custom, "custom")
        data["custom"] = {**{key: None for key in deal.custom or {} if key not in custom}, **custom}
    if data:
        service.update(ctx, deal.deal_id, data=validate(s.DealUpdate, {"version": int(deal.version or 0), **data}))


def revert_deal(ctx: TenantContext, deal_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a deal back as an audited change found it (trash, restore, stage, edit)."""
    deal = _deal(ctx, deal_id)
    expect(int(deal.version or 0), expected)
    if before is None:
        if deal.deleted_at is not None:
            raise not_revertable("This deal is already in the trash.")
        service.delete(ctx, deal_id)
        return
    unknown = set(before) - MOVE_FIELDS - EDIT_FIELDS - {"deleted_at", "team_id"}
    if unknown:
        raise not_revertable(f"This change of a deal ({', '.join(sorted(unknown))}) cannot be reverted.")
    if "deleted_at" in before:
        deal = _put_trash_state(ctx, deal, before["deleted_at"])
    rest = {name: value for name, value in before.items() if name not in ("deleted_at", "team_id")}
    if rest and deal.deleted_at is not None:
        raise not_revertable("This deal is in the trash; restore it before reverting its edits.")
    if set(rest) & MOVE_FIELDS:
        deal = _move_back(ctx, deal, rest)
    _edit_back(ctx, deal, rest)


# -- pipelines ------------------------------------------------------------------------------


def _stages_in(before: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": stage["id"], "name": stage["name"], "kind": stage["kind"]} for stage in before["stages"]]


def _recreate_pipeline(ctx: TenantContext, pipeline_id: str, before: dict[str, Any]) -> None:
    """Create a deleted pipeline again under its id and its stages' ids (its audit chain continues)."""
    permissions.require(ctx, "pipelines", "create")
    body = validate(s.PipelineCreate, {"name": before.get("name"), "lost_reasons": before.get("lost_reasons") or [],
                                       "stages": [{"name": st["name"], "kind": st["kind"]} for st in before["stages"]]})
    stages = [Stage(stage_id=st["id"], name=spec.name, stage_kind=spec.kind, position=position)
              for position, (st, spec) in enumerate(zip(before["stages"], body.stages or [], strict=True))]
    pipelines.check_stages(stages)
    pipeline = Pipeline(pipelines_pk(ctx), pipeline_id, pipeline_id=pipeline_id, name=body.name, stages=stages,
                        lost_reasons=list(body.lost_reasons), is_default=False, gsi1pk=board_pk(ctx, pipeline_id),
                        gsi1sk=PIPELINE_HEAD_SK)
    change = db.Change().create(pipeline)
    audit.attach(ctx, change, pipeline, entity="pipeline", entity_id=pipeline_id, action="create", before=None,
                 after=pipelines.audit_view(pipeline))
    db.commit(ctx, change)


def revert_pipeline(ctx: TenantContext, pipeline_id: str, before: dict[str, Any] | None,
                    expected: int | None) -> None:
    """Delete a created pipeline, put an edited one's name, stages and reasons back, or create a deleted one."""
    pipeline = pipelines.get(ctx, pipeline_id)
    if before is None:
        if pipeline is None:
            raise errors.NotFoundError("No such pipeline.")
        expect(int(pipeline.version or 0), expected)
        pipelines.delete_pipeline(ctx, pipeline_id)
        return
    if pipeline is None:
        if "stages" not in before or "name" not in before:
            raise not_revertable("This pipeline no longer exists.")
        _recreate_pipeline(ctx, pipeline_id, before)
        return
    version = expect(int(pipeline.version or 0), expected)
    data: dict[str, Any] = {name: before[name] for name in ("name", "lost_reasons") if name in before}
    if "stages" in before:
        data["stages"] = _stages_in(before)
    plan = pipelines.plan_update(ctx, pipeline_id, validate(s.PipelineUpdate, {"version": version, **data}))
    pipelines.commit_update(ctx, plan)


audit.register_reverter("deal", revert_deal)
audit.register_reverter("pipeline", revert_pipeline)
