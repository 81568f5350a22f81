"""What every write of a deal shares: its views, its index keys, its links, its stage changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.deals import pipelines
from chalicelib.deals import schemas as s
from chalicelib.deals.models import (
    Deal,
    Pipeline,
    Stage,
    StageChange,
    board_pk,
    board_stage_prefix,
    inverted,
    owner_pk,
    stage_change_sk,
    stamp,
    trash_pk,
)
from chalicelib.deals.record import DEAL
from chalicelib.identity import service as identity_service
from chalicelib.records import access, links, store
from chalicelib.records import timeline as timeline_service
from chalicelib.records.customfields import service as customfields_service

SUMMARY_RETRIES = 3
_T = TypeVar("_T")


# -- views ----------------------------------------------------------------------------------


def deal_read(ctx: TenantContext, deal: Deal) -> s.DealRead:
    """The API view of a deal."""
    custom = deal.custom or {}
    if custom:  # custom views may read definitions: skip that read when there is nothing to show
        custom = customfields_service.view(ctx, entity="deal", record_id=deal.deal_id, stored=custom)
    return s.DealRead(
        id=deal.deal_id, title=deal.title, pipeline_id=deal.pipeline_id, stage_id=deal.stage_id,
        status=deal.status,  # type: ignore[arg-type]
        lost_reason=deal.lost_reason, amount=s.AmountRead(minor=int(deal.amount_minor), currency=deal.currency),
        amount_orders=list(deal.amount_orders or []), amount_other_orders=list(deal.amount_other_orders or []),
        amount_order_numbers=dict(deal.amount_order_numbers or {}),
        contact_ids=list(deal.contact_ids or []), company_id=deal.company_id, owner_id=deal.owner_id,
        team_id=deal.team_id, tags=list(deal.tags or []), custom=custom, source=deal.source, utm=deal.utm,
        created_by=deal.created_by,
        expected_close_on=date.fromisoformat(deal.expected_close_on) if deal.expected_close_on else None,
        created_at=deal.created_at, updated_at=deal.updated_at, stage_entered_at=deal.stage_entered_at,
        closed_at=deal.closed_at, deleted_at=deal.deleted_at, version=int(deal.version or 0),
    )


def audit_view(deal: Deal) -> dict[str, Any]:
    """The fields of a deal the audit trail records."""
    return {name: getattr(deal, name) for name in DEAL.audit_fields}


def stage_change_read(change: StageChange) -> s.StageChangeRead:
    """The API view of a stage change."""
    source = s.StageRef(id=change.from_stage_id, name=change.from_stage_name or "") if change.from_stage_id else None
    seconds = change.seconds_in_previous
    return s.StageChangeRead(
        id=change.change_id, from_stage=source, to_stage=s.StageRef(id=change.to_stage_id, name=change.to_stage_name),
        to_kind=change.to_stage_kind,  # type: ignore[arg-type]
        actor_id=change.actor_id, at=change.at, seconds_in_previous=int(seconds) if seconds is not None else None,
    )


# -- reading for a write --------------------------------------------------------------------


def write_rows(ctx: TenantContext, change: db.Change, before: Deal | None, after: Deal) -> None:
    """The deal's search rows, rewritten in change only when what finds it changed (its title, owner, team,
    tags, custom select values, the trash): a move on the board writes none."""
    if before is not None and _found_by(before) == _found_by(after):
        return
    store.rewrite_rows(ctx, DEAL, change, before, after)


def _found_by(deal: Deal) -> tuple[object, ...]:
    facets = store.facets(DEAL, deal)
    return (deal.title, facets.owner_id, facets.team_id, facets.tags, facets.custom, facets.deleted_at)


def check_version(deal: Deal, version: int) -> None:
    """409 unless the client's version is the deal's current one."""
    if int(deal.version or 0) != version:
        raise errors.VersionConflictError()


def owner_team(ctx: TenantContext, owner_id: str, *, handed: bool = False) -> str | None:
    """The team of a deal's owner; 422 when the owner is not an active user of the tenant, or, for a deal ``handed``
    to a colleague, one whose role reads no deals (``cannot_read_deals``)."""
    from chalicelib.identity import access as identity_access

    if owner_id == ctx.actor_id and ctx.actor_kind == "user":
        return ctx.team_id
    user = identity_service.get_user(ctx, owner_id)
    if user is None or user.status != "active":
        raise errors.ValidationError(details=[{"loc": ["owner_id"], "msg": "Not an active user of this company",
                                               "type": "unknown_user"}])
    if handed:
        identity_access.require_reader(ctx, user.role, "deals", ["owner_id"])
    return user.team_id


def pipeline_of(ctx: TenantContext, deal: Deal) -> Pipeline:
    """The pipeline a deal sits in (409 when it was deleted while the deal was in the trash)."""
    pipeline = pipelines.get(ctx, deal.pipeline_id)
    if pipeline is None:
        raise errors.ConflictError("The deal's pipeline no longer exists.", code="pipeline_gone")
    return pipeline


def commit_retrying(ctx: TenantContext, build: Callable[[], tuple[db.Change | None, _T]]) -> _T:
    """Commit what build() prepares; when a stage summary was raced, read everything again and retry.

    build() re-reads the deal and raises 409 itself when the client's version is stale, so only a
    raced summary (which the client cannot fix) is retried.
    """
    for attempt in range(SUMMARY_RETRIES):
        change, result = build()
        if change is None:
            return result
        try:
            db.commit(ctx, change)
        except errors.VersionConflictError:
            if attempt == SUMMARY_RETRIES - 1:
                raise
            continue
        return result
    raise errors.VersionConflictError()  # unreachable: the loop returns or raises


# -- keys and links -------------------------------------------------------------------------


def index(ctx: TenantContext, deal: Deal, pipeline: Pipeline) -> None:
    """Set the deal's board and owner index keys from its state (a deal in the trash leaves both lists)."""
    moment = stamp(deal.updated_at)
    if deal.deleted_at is not None:
        deal.gsi1pk = deal.gsi1sk = None
        deal.gsi2pk, deal.gsi2sk = trash_pk(ctx), f"{stamp(deal.deleted_at)}#{deal.deal_id}"
        return
    stage = pipelines.stage_of(pipeline, deal.stage_id)
    position = int(stage.position) if stage is not None else 999
    deal.gsi1pk = board_pk(ctx, deal.pipeline_id)
    deal.gsi1sk = f"{board_stage_prefix(position, deal.stage_id)}{inverted(deal.updated_at)}#{deal.deal_id}"
    deal.gsi2pk, deal.gsi2sk = owner_pk(ctx, deal.owner_id), f"{moment}#{deal.deal_id}"


def link_targets(deal: Deal) -> list[tuple[str, str]]:
    """The records a deal is linked to: its contacts and its company."""
    targets = [("contact", str(contact_id)) for contact_id in deal.contact_ids or []]
    return targets + ([("company", str(deal.company_id))] if deal.company_id else [])


def link_summary(deal: Deal, pipeline: Pipeline) -> dict[str, Any]:
    """The projection of a deal its contacts' and company's cards show."""
    stage = pipelines.stage_of(pipeline, deal.stage_id)
    return {"title": deal.title, "stage_id": deal.stage_id, "stage_name": stage.name if stage else None,
            "amount": {"minor": int(deal.amount_minor), "currency": deal.currency}, "status": deal.status,
            "pipeline_id": deal.pipeline_id}


def write_links(ctx: TenantContext, change: db.Change, deal: Deal, pipeline: Pipeline,
                previous: list[tuple[str, str]]) -> None:
    """Refresh the deal's link in every linked record; remove it from records no longer linked."""
    current: list[tuple[str, str]] = [] if deal.deleted_at is not None else link_targets(deal)
    for subject_type, subject_id in previous:
        if (subject_type, subject_id) not in current:
            links.unlink_item(ctx, change, subject_type, subject_id=subject_id, kind="deal",
                              ref_id=deal.deal_id)
    summary = link_summary(deal, pipeline)
    for subject_type, subject_id in current:
        links.link_item(ctx, change, subject_type, subject_id=subject_id, kind="deal",
                        ref_id=deal.deal_id, summary=summary)


def check_linked(ctx: TenantContext, contact_ids: list[str], company_id: str | None,
                 *, already: list[tuple[str, str]]) -> None:
    """404 for a newly linked contact or company the caller cannot see."""
    for position, contact_id in enumerate(contact_ids):
        if ("contact", contact_id) not in already:
            access.require_visible(ctx, "contact", contact_id, loc=["contact_ids", position])
    if company_id and ("company", company_id) not in already:
        access.require_visible(ctx, "company", company_id, loc=["company_id"])


# -- stages ---------------------------------------------------------------------------------


def apply_stage(deal: Deal, stage: Stage, *, lost_reason: str | None, now: datetime) -> None:
    """Put the deal in a stage: its status follows the stage's kind; lost needs a reason."""
    if stage.stage_kind == "lost" and not lost_reason:
        raise errors.ValidationError("A lost deal needs a reason.", details=[
            {"loc": ["lost_reason"], "msg": "Required when moving to a lost stage", "type": "lost_reason_required"}])
    deal.stage_id, deal.stage_entered_at, deal.status = stage.stage_id, now, stage.stage_kind
    deal.lost_reason = lost_reason if stage.stage_kind == "lost" else None
    deal.closed_at = now if stage.stage_kind in ("won", "lost") else None


def record_stage_change(ctx: TenantContext, change: db.Change, deal: Deal, *, source: Stage | None,
                        target: Stage, at: datetime, seconds: int | None) -> StageChange:
    """Add the stage change to the deal's history, its timeline and its contacts' timelines."""
    change_id = new_id()
    item = StageChange(
        deal.pk, stage_change_sk(at, change_id), change_id=change_id, deal_id=deal.deal_id,
        pipeline_id=deal.pipeline_id, from_stage_id=source.stage_id if source else None,
        from_stage_name=source.name if source else None, to_stage_id=target.stage_id, to_stage_name=target.name,
        to_stage_kind=target.stage_kind, actor_id=ctx.actor_id, at=at, seconds_in_previous=seconds,
        owner_id=deal.owner_id, team_id=deal.team_id,
    )
    change.create(item)
    data = {"deal_id": deal.deal_id, "title": deal.title, "from_stage": source.name if source else None,
            "to_stage": target.name, "to_kind": target.stage_kind, "lost_reason": deal.lost_reason,
            "seconds_in_previous": seconds}
    summary = f"{source.name} → {target.name}" if source else f"Created in {target.name}"
    for subject_type, subject_id in [("deal", deal.deal_id), *link_targets(deal)]:
        timeline_service.add_entry(ctx, change, subject_type=subject_type, subject_id=subject_id,
                                   kind="stage_change", summary=f"{deal.title}: {summary}", data=data, at=at)
    return item
