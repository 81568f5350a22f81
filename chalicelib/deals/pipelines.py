"""Pipelines: ordered stages and lost reasons, the default "Sales" pipeline, stage summaries.

Deals reference stages by id; a stage's position only orders the board. Changing the stages of a
pipeline that holds deals (removing or reordering them) also touches its deals; that part lives
in ``deals.pipeline_changes.update_pipeline``, which plans with :func:`plan_update` and commits with
:func:`commit_update`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.deals import schemas as s
from chalicelib.deals.models import (
    DEFAULT_MARKER_SK,
    PIPELINE_HEAD_SK,
    DefaultPipeline,
    Pipeline,
    Stage,
    StageSummary,
    board_pk,
    pipelines_pk,
    summaries_prefix,
)
from chalicelib.identity import plans

DEFAULT_NAME = "Sales"
DEFAULT_STAGES = (("New", "open"), ("Qualified", "open"), ("Proposal", "open"), ("Negotiation", "open"),
                  ("Won", "won"), ("Lost", "lost"))
DEFAULT_LOST_REASONS = ("Price", "Chose a competitor", "No budget", "No response", "Not a fit")
# A company that works in Russian starts with its funnel named in Russian (#20 item 3): they are its data, which it
# renames at will, so they are written once in its language rather than translated on every read.
STARTER = {
    "en": (DEFAULT_NAME, DEFAULT_STAGES, DEFAULT_LOST_REASONS),
    "ru": ("Продажи", (("Новая", "open"), ("Квалификация", "open"), ("Предложение", "open"),
                       ("Переговоры", "open"), ("Успешно", "won"), ("Не реализовано", "lost")),  # noqa: RUF001
           ("Цена", "Выбрали конкурента", "Нет бюджета", "Не отвечает", "Не подходит")),  # noqa: RUF001
}


# -- views ----------------------------------------------------------------------------------


def stage_read(stage: Stage) -> s.StageRead:
    """The API view of a stage."""
    return s.StageRead(id=stage.stage_id, name=stage.name, kind=stage.stage_kind,  # type: ignore[arg-type]
                       position=int(stage.position))


def pipeline_read(pipeline: Pipeline) -> s.PipelineRead:
    """The API view of a pipeline."""
    return s.PipelineRead(
        id=pipeline.pipeline_id, name=pipeline.name, stages=[stage_read(stage) for stage in pipeline.stages],
        lost_reasons=list(pipeline.lost_reasons or []), is_default=bool(pipeline.is_default),
        created_at=pipeline.created_at, updated_at=pipeline.updated_at, version=int(pipeline.version or 0),
    )


def audit_view(pipeline: Pipeline) -> dict[str, Any]:
    """The fields of a pipeline the audit trail records."""
    return {"name": pipeline.name, "lost_reasons": list(pipeline.lost_reasons or []),
            "stages": [{"id": st.stage_id, "name": st.name, "kind": st.stage_kind} for st in pipeline.stages]}


def stage_of(pipeline: Pipeline, stage_id: str) -> Stage | None:
    """The pipeline's stage with that id, or None."""
    return next((stage for stage in pipeline.stages if stage.stage_id == stage_id), None)


def first_open_stage(pipeline: Pipeline) -> Stage:
    """Where a new deal starts when no stage is given."""
    return next((stage for stage in pipeline.stages if stage.stage_kind == "open"), pipeline.stages[0])


# -- reads ----------------------------------------------------------------------------------


def get(ctx: TenantContext, pipeline_id: str) -> Pipeline | None:
    """A pipeline of the tenant, or None."""
    if not is_valid_id(pipeline_id):
        return None
    return db.get(ctx, Pipeline, pipelines_pk(ctx), pipeline_id)


def get_or_raise(ctx: TenantContext, pipeline_id: str) -> Pipeline:
    """A pipeline the caller may read, or 404."""
    permissions.require(ctx, "pipelines", "read")
    pipeline = get(ctx, pipeline_id)
    if pipeline is None:
        raise errors.NotFoundError("No such pipeline.")
    return pipeline


def list_pipelines(ctx: TenantContext) -> list[Pipeline]:
    """The tenant's pipelines in creation order; the default one is created on first use."""
    permissions.require(ctx, "pipelines", "read")
    return _pipelines(ctx) or [create_default(ctx)]


def default_pipeline(ctx: TenantContext) -> Pipeline:
    """The tenant's default pipeline, created on first use."""
    found = _pipelines(ctx)
    return _default_of(found) or (found[0] if found else create_default(ctx))


def _pipelines(ctx: TenantContext) -> list[Pipeline]:
    with db.translate_errors():
        return list(Pipeline.query(pipelines_pk(ctx), consistent_read=True))


def _default_of(found: list[Pipeline]) -> Pipeline | None:
    return next((pipeline for pipeline in found if pipeline.is_default), None)


def stage_summaries(ctx: TenantContext, pipeline_id: str) -> dict[str, StageSummary]:
    """The stage summaries of a pipeline by stage id (one Query)."""
    with db.translate_errors():
        found = StageSummary.query(pipelines_pk(ctx), StageSummary.sk.startswith(summaries_prefix(pipeline_id)),
                                   consistent_read=True)
        return {item.stage_id: item for item in found}


def deal_count(summaries: dict[str, StageSummary], stage_id: str) -> int:
    """How many live deals a stage holds according to its summary."""
    summary = summaries.get(stage_id)
    return int(summary.deal_count) if summary is not None else 0


# -- creation -------------------------------------------------------------------------------


def _stages(specs: Sequence[tuple[str, str]]) -> list[Stage]:
    return [Stage(stage_id=new_id(), name=name, stage_kind=kind, position=position)
            for position, (name, kind) in enumerate(specs)]


def _new_pipeline(ctx: TenantContext, *, name: str, stages: list[Stage], lost_reasons: Sequence[str],
                  is_default: bool, pipeline_id: str | None = None) -> Pipeline:
    pipeline_id = pipeline_id or new_id()
    return Pipeline(pipelines_pk(ctx), pipeline_id, pipeline_id=pipeline_id, name=name, stages=stages,
                    lost_reasons=list(lost_reasons), is_default=is_default,
                    gsi1pk=board_pk(ctx, pipeline_id), gsi1sk=PIPELINE_HEAD_SK)


def default_pipeline_items(ctx: TenantContext, *, locale: str = "en") -> list[db.MainTable]:
    """The default "Sales" pipeline in the company's language, its marker and its audit record, to commit in
    sign-up's transaction."""
    name, stages, lost_reasons = STARTER.get(locale, STARTER["en"])
    pipeline = _new_pipeline(ctx, name=name, stages=_stages(stages), lost_reasons=lost_reasons, is_default=True)
    change = db.Change().save(pipeline)
    change.create(DefaultPipeline(pipelines_pk(ctx), DEFAULT_MARKER_SK, pipeline_id=pipeline.pipeline_id))
    # is_default in its creation record: the trail then knows, without a read, that a revert (deleting it) is refused
    audit.attach(ctx, change, pipeline, entity="pipeline", entity_id=pipeline.pipeline_id, action="create",
                 before=None, after={**audit_view(pipeline), "is_default": True})
    return [*change.saves, *change.creates]


def create_default(ctx: TenantContext) -> Pipeline:
    """Create the default pipeline unless another request just did (then return theirs)."""
    items = default_pipeline_items(ctx)
    change = db.Change()
    for item in items:
        change.create(item)
    try:
        db.commit(ctx, change)
    except errors.VersionConflictError:
        default = _default_of(_pipelines(ctx))
        if default is None:
            raise
        return default
    return next(item for item in items if isinstance(item, Pipeline))


def create_pipeline(ctx: TenantContext, body: s.PipelineCreate, *, pipeline_id: str | None = None) -> Pipeline:
    """Create a pipeline (the standard stages when none are given).

    A reverted deletion passes the pipeline's id and its stages' ids in ``body.stages``, so deals and
    the audit chain find them again (the item is written only where none exists).
    """
    if pipeline_id is not None and not is_valid_id(pipeline_id):
        raise ValueError("a pipeline id must be a ULID")
    permissions.require(ctx, "pipelines", "create")
    if pipeline_id is None and body.stages and any(stage.id for stage in body.stages):
        raise errors.ValidationError(details=[{"loc": ["stages"], "msg": "A new pipeline's stages have no ids",
                                               "type": "unexpected_id"}])
    stages = ([Stage(stage_id=spec.id or new_id(), name=spec.name, stage_kind=spec.kind, position=position)
               for position, spec in enumerate(body.stages)] if body.stages else _stages(DEFAULT_STAGES))
    check_stages(stages)
    pipeline = _new_pipeline(ctx, name=body.name, stages=stages, lost_reasons=body.lost_reasons, is_default=False,
                             pipeline_id=pipeline_id)
    change = db.Change().save(pipeline)
    plans.require(ctx, count="pipelines", change=change)
    audit.attach(ctx, change, pipeline, entity="pipeline", entity_id=pipeline.pipeline_id, action="create",
                 before=None, after=audit_view(pipeline))
    db.commit(ctx, change)
    return pipeline


def check_stages(stages: list[Stage]) -> None:
    """422 unless the stages hold exactly one won stage, a lost one, an open one and unique names."""
    kinds = [stage.stage_kind for stage in stages]
    problems = []
    if kinds.count("won") != 1:
        problems.append("exactly one won stage")
    if "lost" not in kinds:
        problems.append("at least one lost stage")
    if "open" not in kinds:
        problems.append("at least one open stage")
    names = [stage.name.casefold() for stage in stages]
    if len(set(names)) != len(names):
        problems.append("distinct stage names")
    if problems:
        raise errors.ValidationError("The stages are not valid.", details=[
            {"loc": ["stages"], "msg": f"A pipeline needs {problem}", "type": "invalid_stages"}
            for problem in problems])


# -- changes --------------------------------------------------------------------------------


@dataclass
class PipelinePlan:
    """A validated change of a pipeline and what it means for its deals."""

    pipeline: Pipeline
    before: dict[str, Any]
    old_stages: list[Stage]
    removed: list[Stage] = field(default_factory=list)
    occupied: list[Stage] = field(default_factory=list)  # removed stages that still hold deals
    target: Stage | None = None  # where the deals of occupied stages go


def plan_update(ctx: TenantContext, pipeline_id: str, body: s.PipelineUpdate,
                returning: Collection[str] = ()) -> PipelinePlan:
    """Validate a change of a pipeline (409 on a stale version or a stage that still holds deals).

    ``returning``: ids of stages this pipeline once had that may come back under their id (a revert of
    their removal); any other id the pipeline does not hold is refused.
    """
    permissions.require(ctx, "pipelines", "update")
    pipeline = get_or_raise(ctx, pipeline_id)
    if int(pipeline.version or 0) != body.version:
        raise errors.VersionConflictError()
    plan = PipelinePlan(pipeline=pipeline, before=audit_view(pipeline), old_stages=list(pipeline.stages))
    if body.name is not None:
        pipeline.name = body.name
    if body.lost_reasons is not None:
        pipeline.lost_reasons = list(body.lost_reasons)
    if body.stages is not None:
        counts = stage_summaries(ctx, pipeline_id)
        pipeline.stages = _merged_stages(plan.old_stages, body.stages, counts, returning)
        check_stages(pipeline.stages)
        _plan_stage_moves(plan, counts, body.move_to)
    return plan


def _merged_stages(old: list[Stage], wanted: list[s.StageIn], counts: dict[str, StageSummary],
                   returning: Collection[str] = ()) -> list[Stage]:
    by_id = {stage.stage_id: stage for stage in old}
    back = set(returning) - set(by_id)  # each once
    merged: list[Stage] = []
    for index, spec in enumerate(wanted):
        if spec.id is None:
            merged.append(Stage(stage_id=new_id(), name=spec.name, stage_kind=spec.kind, position=index))
            continue
        existing = by_id.pop(spec.id, None)
        if existing is None and spec.id in back:
            back.discard(spec.id)
            merged.append(Stage(stage_id=spec.id, name=spec.name, stage_kind=spec.kind, position=index))
            continue
        if existing is None:
            raise errors.ValidationError(details=[{"loc": ["stages", index, "id"], "msg": "No such stage here",
                                                   "type": "unknown_stage"}])
        if existing.stage_kind != spec.kind and deal_count(counts, spec.id):
            raise errors.ConflictError("A stage that holds deals cannot change its kind; move them first.",
                                       code="stage_not_empty")
        merged.append(Stage(stage_id=spec.id, name=spec.name, stage_kind=spec.kind, position=index))
    return merged


def _plan_stage_moves(plan: PipelinePlan, counts: dict[str, StageSummary], move_to: str | None) -> None:
    kept = {stage.stage_id: stage for stage in plan.pipeline.stages}
    plan.removed = [stage for stage in plan.old_stages if stage.stage_id not in kept]
    plan.occupied = [stage for stage in plan.removed if deal_count(counts, stage.stage_id)]
    if not plan.occupied:
        return
    plan.target = kept.get(move_to) if move_to else None
    if plan.target is None:
        raise errors.ConflictError(
            "A removed stage still holds deals: give move_to, an existing stage that receives them.",
            code="stage_not_empty",
            details=[{"stage_id": stage.stage_id, "deals": deal_count(counts, stage.stage_id)}
                     for stage in plan.occupied])


def commit_update(ctx: TenantContext, plan: PipelinePlan) -> Pipeline:
    """Commit a planned change once removed stages are empty; their summaries go with it."""
    pipeline = plan.pipeline
    pipeline.updated_at = db.utcnow()
    change = db.Change().save(pipeline)
    if plan.removed:
        counts = stage_summaries(ctx, pipeline.pipeline_id)
        if any(deal_count(counts, stage.stage_id) for stage in plan.removed):
            raise errors.ConflictError("A deal entered a removed stage meanwhile; try again.", code="stage_not_empty")
        for stage in plan.removed:
            if stage.stage_id in counts:
                change.delete(counts[stage.stage_id])  # version-checked: a deal arriving now cancels it all
    audit.attach(ctx, change, pipeline, entity="pipeline", entity_id=pipeline.pipeline_id, action="update",
                 before=plan.before, after=audit_view(pipeline))
    db.commit(ctx, change)
    return pipeline


def delete_pipeline(ctx: TenantContext, pipeline_id: str) -> None:
    """Delete a pipeline that holds no deals (never the default one)."""
    permissions.require(ctx, "pipelines", "delete")
    pipeline = get_or_raise(ctx, pipeline_id)
    if pipeline.is_default:
        raise errors.ConflictError("The default pipeline cannot be deleted.", code="default_pipeline")
    counts = stage_summaries(ctx, pipeline_id)
    if any(int(summary.deal_count) for summary in counts.values()):
        raise errors.ConflictError("Move or delete the pipeline's deals first.", code="pipeline_not_empty")
    change = db.Change().delete(pipeline)
    for summary in counts.values():
        change.delete(summary)
    plans.require(ctx, count="pipelines", by=-1, change=change)
    audit.attach(ctx, change, pipeline, entity="pipeline", entity_id=pipeline_id, action="delete",
                 before=audit_view(pipeline), after=None)
    db.commit(ctx, change)

