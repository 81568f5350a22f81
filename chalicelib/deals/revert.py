"""Reverting audited changes of deals and pipelines through their services (``audit.register_reverter``).

Deals: a creation is reverted by moving the deal to the trash, a deletion by restoring it (board
totals, links and stage history follow), a stage move by moving it back, an edit by writing the
previous values through ``service.update``. A change that touched a sensitive custom value is never
reverted (the trail keeps it sealed), and ``deal_refusal`` says so, so the trail offers no Revert.
Pipelines: a creation by deleting it (refused while it holds deals), an edit through
``plan_update``/``commit_update`` (a removed stage comes back under its id, empty), a deletion by
creating it again under its id with its stages (pipelines have no trash).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, errors, permissions
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import pipelines, service
from chalicelib.deals import schemas as s
from chalicelib.deals.models import Deal
from chalicelib.records.reverting import (
    Trash,
    delete_created,
    expect,
    not_revertable,
    sealed_refusal,
    start_trash_revert,
)

MOVE_FIELDS = frozenset({"stage_id", "pipeline_id", "status", "lost_reason"})
EDIT_FIELDS = frozenset({"title", "amount_minor", "currency", "contact_ids", "company_id", "owner_id",
                         "expected_close_on", "tags", "custom"})


# -- deals ----------------------------------------------------------------------------------


def _deal(ctx: TenantContext, deal_id: str) -> Deal:
    deal = service.get_any(ctx, deal_id)
    scope = permissions.require(ctx, "deals", "read")
    if deal is None or not permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id):
        raise errors.NotFoundError("No such deal.")
    permissions.require_record(ctx, "deals", "update", owner_id=deal.owner_id, team_id=deal.team_id)
    return deal


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
    kept = ("title", "contact_ids", "company_id", "owner_id", "expected_close_on", "tags")
    data: dict[str, Any] = {name: before[name] for name in kept
                            if name in before and (before[name] is not None or name == "expected_close_on")}
    if "amount_minor" in before or "currency" in before:
        data["amount"] = {"minor": before.get("amount_minor", deal.amount_minor),
                          "currency": before.get("currency", deal.currency)}
    if "custom" in before:
        custom = dict(before["custom"] or {})
        data["custom"] = {**{key: None for key in deal.custom or {} if key not in custom}, **custom}
    if data:
        service.update(ctx, deal.deal_id, data=validate(s.DealUpdate, {"version": int(deal.version or 0), **data}))


def deal_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of a deal can never be reverted (a field no service writes back, a sensitive custom
    value kept sealed), or None."""
    if before is None:
        return None
    unknown = set(before) - MOVE_FIELDS - EDIT_FIELDS - {"deleted_at", "team_id"}
    if unknown:
        return f"This change of a deal ({', '.join(sorted(unknown))}) cannot be reverted."
    return sealed_refusal(dict(before.get("custom") or {}), "custom")


def _refuse_unknown(before: dict[str, Any]) -> None:
    refused = deal_refusal(before)
    if refused is not None:
        raise not_revertable(refused)


TRASH: Trash[Deal] = Trash("deal", find=_deal, delete=service.delete, restore=service.restore, refuse=_refuse_unknown)


def revert_deal(ctx: TenantContext, deal_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a deal back as an audited change found it (trash, restore, stage, edit)."""
    started = start_trash_revert(ctx, TRASH, deal_id, before, expected)
    if started is None:
        return
    deal, rest = started
    if set(rest) & MOVE_FIELDS:
        deal = _move_back(ctx, deal, rest)
    _edit_back(ctx, deal, rest)


# -- pipelines ------------------------------------------------------------------------------


def _stages_in(before: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": stage["id"], "name": stage["name"], "kind": stage["kind"]} for stage in before["stages"]]


def _recreate_pipeline(ctx: TenantContext, pipeline_id: str, before: dict[str, Any]) -> None:
    """Create a deleted pipeline again under its id and its stages' ids (its audit chain continues)."""
    permissions.require(ctx, "pipelines", "create")  # 403 before any check of the audited values
    body = validate(s.PipelineCreate, {"name": before.get("name"), "lost_reasons": before.get("lost_reasons") or [],
                                       "stages": _stages_in(before)})
    pipelines.create_pipeline(ctx, body, pipeline_id=pipeline_id)


DEFAULT_KEPT = "The default pipeline cannot be deleted."


def pipeline_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of a pipeline can never be reverted (the default pipeline's creation: it is never deleted)."""
    return DEFAULT_KEPT if before is None and (after or {}).get("is_default") is True else None


def revert_pipeline(ctx: TenantContext, pipeline_id: str, before: dict[str, Any] | None,
                    expected: int | None) -> None:
    """Delete a created pipeline, put an edited one's name, stages and reasons back, or create a deleted one."""
    pipeline = pipelines.get(ctx, pipeline_id)
    if before is None:
        delete_created(pipeline, expected, noun="pipeline", delete=lambda: pipelines.delete_pipeline(ctx, pipeline_id))
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
    # The stages the change removed come back under their ids (empty: their deals went elsewhere and stay).
    returning = {stage["id"] for stage in data.get("stages", [])}
    plan = pipelines.plan_update(ctx, pipeline_id, validate(s.PipelineUpdate, {"version": version, **data}),
                                 returning=returning)
    pipelines.commit_update(ctx, plan)


audit.register_reverter("deal", revert_deal, refuses=deal_refusal)
audit.register_reverter("pipeline", revert_pipeline, refuses=pipeline_refusal)
