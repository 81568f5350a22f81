"""Deals: create, read, change, move through stages, trash and restore; the deal card and lists.

Every write commits the deal, its audit record, its stage summaries (board totals), its stage
history and timeline entries and its links in the contacts' and company's collections in ONE
transaction. Pipelines are in ``deals.pipelines``; the board and funnel in ``deals.board``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.deals import amounts, pipelines, records
from chalicelib.deals import schemas as s
from chalicelib.deals.board import Tally
from chalicelib.deals.models import (
    Deal,
    Pipeline,
    Stage,
    StageChange,
    board_pk,
    board_stage_prefix,
    owner_pk,
    trash_pk,
)
from chalicelib.deals.record import DEAL
from chalicelib.identity import service as identity_service
from chalicelib.records import access, editing, links, listing, naming, trash
from chalicelib.records import search as records_search
from chalicelib.records import timeline as timeline_service
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.models import RecordLink, TimelineEntry
from chalicelib.records.schemas import ListQuery

CARD_ITEMS = 100
NULLABLE = frozenset({"company_id", "expected_close_on"})


def deal_pk(ctx: TenantContext, deal_id: str) -> str:
    """Partition (item collection) of a deal."""
    return timeline_service.subject_pk(ctx, "deal", deal_id)


# -- reads ----------------------------------------------------------------------------------


def get_any(ctx: TenantContext, deal_id: str) -> Deal | None:
    """A deal of the tenant, live or in the trash, without any permission check."""
    deal: Deal | None = access.get_any(ctx, DEAL, deal_id)
    return deal


def get(ctx: TenantContext, deal_id: str) -> Deal | None:
    """A live deal of the tenant, without any permission check (for webhooks and jobs)."""
    deal: Deal | None = access.get(ctx, DEAL, deal_id)
    return deal


def remember(ctx: TenantContext, deal: Deal) -> None:
    """Within a processing run (``http.run_memo``), answer this run's later reads of the deal (a task's
    link check) from this item: for a deal the run has just created and does not change."""
    access.remember(ctx, DEAL, deal)


def get_or_raise(ctx: TenantContext, deal_id: str) -> Deal:
    """A live deal within the caller's read scope (or an open task of theirs is about it), or 404."""
    deal: Deal = access.get_or_raise(ctx, DEAL, deal_id)
    return deal


def card(ctx: TenantContext, deal_id: str) -> s.DealCard:
    """The deal card: the deal, its stage history, its links and newest timeline entries in ONE Query (``people``
    then names its contacts and company and reads its pipeline in one BatchGetItem)."""
    permissions.require(ctx, "deals", "read")
    if not is_valid_id(deal_id):
        raise errors.NotFoundError("No such deal.")
    page = db.query_page(ctx, db.MainTable, deal_pk(ctx, deal_id), scope=f"timeline:deal:{deal_id}",
                         limit=CARD_ITEMS, newest_first=False)
    deal = next((i for i in page.items if isinstance(i, Deal)), None)
    if deal is None or deal.deleted_at is not None:
        raise errors.NotFoundError("No such deal.")
    access.check_access(ctx, DEAL, deal)
    entries = [item for item in page.items if isinstance(item, TimelineEntry)]
    # The page's cursor continues the timeline only when the page ended inside it.
    cursor = page.next_cursor if page.items and isinstance(page.items[-1], TimelineEntry) else None
    return s.DealCard(
        deal=records.deal_read(ctx, deal),
        stage_history=[records.stage_change_read(i) for i in page.items if isinstance(i, StageChange)],
        links=[s.LinkRead(**links.link_view(i)) for i in page.items if isinstance(i, RecordLink)],
        timeline=[s.TimelineEntryRead(**timeline_service.entry_view(entry)) for entry in entries],
        timeline_next_cursor=cursor,
    )


def people(ctx: TenantContext, deal: dict[str, Any], *, with_pipeline: bool = False,
           card_links: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The contacts and company a deal's view names, with what they are called (one BatchGetItem; #20 item 1);
    ``with_pipeline``: and the deal's pipeline in the same request (the card's stage bar), for one who may read
    pipelines (as GET /api/v1/pipelines/{id} decides). Among ``card_links`` (the card's), an open task of the
    caller's about the deal lets them read its contacts (``access.on_my_task``): they are named."""
    contact_ids = [str(i) for i in deal.get("contact_ids") or []]
    company_id = deal.get("company_id")
    refs = [("contact", i) for i in contact_ids] + ([("company", str(company_id))] if company_id else [])
    pipeline_id = str(deal.get("pipeline_id") or "")
    wanted = with_pipeline and is_valid_id(pipeline_id) and permissions.scope_of(ctx, "pipelines", "read") is not None
    key = (pipelines.pipelines_pk(ctx), pipeline_id)
    mine = any(link.get("kind") == "task" and (link.get("summary") or {}).get("assignee_id") == ctx.actor_id
               and not (link.get("summary") or {}).get("done") for link in card_links)
    granted = {("contact", i) for i in contact_ids} if mine else set()
    names, items = naming.names_and_items(ctx, refs, also=[key] if wanted else [], granted=granted) \
        if refs or wanted else ({}, {})
    company = {"id": company_id, "name": names.get(("company", str(company_id)))} if company_id else None
    shown: dict[str, Any] = {"contacts": [{"id": i, "name": names.get(("contact", i))} for i in contact_ids],
                             "company": company}
    if with_pipeline:
        pipeline = items.get(key)
        shown["pipeline"] = pipelines.pipeline_read(pipeline).model_dump(mode="json") \
            if isinstance(pipeline, Pipeline) else None
    return shown


def timeline(ctx: TenantContext, deal_id: str, *, limit: int, cursor: str | None) -> db.Page[TimelineEntry]:
    """A deal's timeline, newest first."""
    get_or_raise(ctx, deal_id)
    return timeline_service.list_entries(ctx, subject_type="deal", subject_id=deal_id, limit=limit, cursor=cursor)


def list_deals(ctx: TenantContext, *, query: s.DealListQuery) -> db.Page[Deal]:
    """Deals of one owner (gsi2, newest first) or of one pipeline (gsi1, by stage): one Query; a search
    by title words, a tag or custom values reads the engine's search rows, then the deals they name."""
    if query.q or query.tag or query.model_extra:
        return search(ctx, query=query)
    scope = permissions.require(ctx, "deals", "read")
    owner_id = ctx.actor_id if scope == "own" else query.owner_id
    keep = _within(ctx, scope)
    if owner_id is not None:
        if scope == "own" and query.owner_id not in (None, ctx.actor_id):
            return db.Page(items=[], next_cursor=None)
        conditions = [Deal.pipeline_id == query.pipeline_id if query.pipeline_id else None,
                      Deal.stage_id == query.stage_id if query.stage_id else None,
                      Deal.status == query.status if query.status else None]
        return db.query_page(ctx, Deal, owner_pk(ctx, owner_id), scope=_list_scope("owner", owner_id, query),
                             limit=query.limit, cursor=query.cursor, index=Deal.gsi2,
                             filter_condition=listing.combined(conditions), keep=keep)
    return _pipeline_deals(ctx, query, keep)


def search(ctx: TenantContext, *, query: s.DealListQuery) -> db.Page[Deal]:
    """Deals whose title words start with ``q``, with ``tag`` and whose custom values match
    ``custom.<key>=<value>``, within the caller's scope (one Query of the search rows, one BatchGetItem of their
    deals); the pipeline, stage and status filters apply to the deals found."""
    asked = validate(ListQuery, {**(query.model_extra or {}), "q": query.q, "tag": query.tag,
                                 "owner_id": query.owner_id, "sort": "created", "limit": query.limit,
                                 "cursor": query.cursor})
    rows = records_search.list_records(ctx, DEAL, asked)
    found = db.get_many(ctx, [(access.collection_pk(ctx, DEAL, row.record_id), timeline_service.PROFILE_SK)
                              for row in rows.items]) if rows.items else {}
    wanted = {"pipeline_id": query.pipeline_id, "stage_id": query.stage_id, "status": query.status}
    deals: list[Deal] = []
    for row in rows.items:
        deal = found.get((access.collection_pk(ctx, DEAL, row.record_id), timeline_service.PROFILE_SK))
        if isinstance(deal, Deal) and deal.deleted_at is None and \
                all(v is None or getattr(deal, k) == v for k, v in wanted.items()):
            deals.append(deal)
    return db.Page(items=deals, next_cursor=rows.next_cursor)


def _within(ctx: TenantContext, scope: str) -> Any:
    """Whether a deal read from an index is within the caller's scope (own / team / all)."""
    return lambda deal: permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id)


def _pipeline_deals(ctx: TenantContext, query: s.DealListQuery, keep: Any) -> db.Page[Deal]:
    pipeline = _body_pipeline(ctx, query.pipeline_id, loc=["query", "pipeline_id"])
    range_condition = None
    if query.stage_id:
        stage = _body_stage(pipeline, query.stage_id, loc=["query", "stage_id"])
        range_condition = Deal.gsi1sk.startswith(board_stage_prefix(int(stage.position), stage.stage_id))
    return db.query_page(ctx, Deal, board_pk(ctx, pipeline.pipeline_id),
                         scope=_list_scope("pipeline", pipeline.pipeline_id, query), limit=query.limit,
                         cursor=query.cursor, index=Deal.gsi1, range_key_condition=range_condition,
                         filter_condition=Deal.status == query.status if query.status else None,
                         newest_first=False, keep=keep)  # the key sorts each stage newest first


def _list_scope(kind: str, key: str, query: s.DealListQuery) -> str:
    return f"deals:{kind}:{key}:{query.pipeline_id}:{query.stage_id}:{query.status}"


def _body_pipeline(ctx: TenantContext, pipeline_id: str | None, *, loc: list[str | int]) -> Pipeline:
    permissions.require(ctx, "pipelines", "read")
    if pipeline_id is None:
        return pipelines.default_pipeline(ctx)
    pipeline = pipelines.get(ctx, pipeline_id)
    if pipeline is None:
        raise errors.ValidationError(details=[{"loc": loc, "msg": "No such pipeline", "type": "unknown_pipeline"}])
    return pipeline


def _body_stage(pipeline: Pipeline, stage_id: str, *, loc: list[str | int]) -> Stage:
    stage = pipelines.stage_of(pipeline, stage_id)
    if stage is None:
        raise errors.ValidationError(details=[{"loc": loc, "msg": "No such stage in this pipeline",
                                               "type": "unknown_stage"}])
    return stage


# -- create ---------------------------------------------------------------------------------


def create(ctx: TenantContext, *, data: s.DealCreate, deal_id: str | None = None,
           change: db.Change | None = None, closed_at: datetime | None = None) -> Deal:
    """Create a deal in a stage (the default pipeline's first stage unless given).

    An import passes the id it chose for the row, so a retried row cannot create a second deal, and, for a deal
    made won or lost, when it closed (a past moment; now otherwise). A ``change`` of the caller's own writes (an inbox
    event's checkpoint) commits in the deal's transaction.
    """
    if deal_id is not None and not is_valid_id(deal_id):
        raise ValueError("a deal id must be a ULID")
    scope = permissions.require(ctx, "deals", "create")
    owner_id = data.owner_id or ctx.actor_id
    team_id = records.owner_team(ctx, owner_id)
    if not permissions.may_touch(ctx, scope, owner_id=owner_id, team_id=team_id):
        raise errors.ForbiddenError("You may only create deals you own.", code="owner_outside_scope")
    pipeline = _body_pipeline(ctx, data.pipeline_id, loc=["pipeline_id"])
    stage = _body_stage(pipeline, data.stage_id, loc=["stage_id"]) if data.stage_id else \
        pipelines.first_open_stage(pipeline)
    records.check_linked(ctx, list(data.contact_ids), data.company_id, already=[])
    deal_id = deal_id or new_id()
    custom = customfields_service.clean(ctx, entity="deal", record_id=deal_id, values=data.custom)
    amount = data.amount or s.AmountRead(minor=0, currency=identity_service.tenant_settings_or_raise(ctx).currency)

    def build() -> tuple[db.Change, Deal]:
        now = db.utcnow()
        deal = Deal(deal_pk(ctx, deal_id), timeline_service.PROFILE_SK, deal_id=deal_id, title=data.title,
                    pipeline_id=pipeline.pipeline_id, stage_id=stage.stage_id, stage_entered_at=now,
                    amount_minor=amount.minor, currency=amount.currency, contact_ids=list(dict.fromkeys(
                        data.contact_ids)), company_id=data.company_id, owner_id=owner_id, team_id=team_id,
                    expected_close_on=data.expected_close_on.isoformat() if data.expected_close_on else None,
                    tags=list(data.tags), custom=custom.stored, custom_indexed=[[k, v] for k, v in custom.indexed],
                    source=data.source, utm=data.utm.model_dump(exclude_none=True) or None if data.utm else None,
                    created_by=ctx.actor_id, created_at=now, updated_at=now)
        records.apply_stage(deal, stage, lost_reason=data.lost_reason, now=now)
        if deal.closed_at is not None and closed_at is not None:
            deal.closed_at = min(closed_at, now)
        tally = Tally(ctx)
        tally.count_deal(deal, 1)
        new = db.Change().extend(change)
        records.record_stage_change(ctx, new, deal, source=None, target=stage, at=now, seconds=None)
        return _written(ctx, new, None, deal, pipeline, tally, action="create"), deal

    return records.commit_retrying(ctx, build)


def _written(ctx: TenantContext, change: db.Change, before: Deal | None, deal: Deal, pipeline: Pipeline,
             tally: Tally, *, action: str) -> db.Change:
    """What every write of a deal adds to its change: the deal under its index keys, its stage summaries,
    its links (leaving the records before was linked to), its search rows and its audit record."""
    records.index(ctx, deal, pipeline)
    change.save(deal)
    tally.save_into(change)
    records.write_links(ctx, change, deal, pipeline, records.link_targets(before) if before is not None else [])
    records.write_rows(ctx, change, before, deal)
    listing.check_size(change)  # a tag change rewrites its rows: 422 where they pass a transaction's 100 writes
    audit.attach(ctx, change, deal, entity="deal", entity_id=deal.deal_id, action=action,
                 before=records.audit_view(before) if before is not None else None, after=records.audit_view(deal))
    return change


# -- update ---------------------------------------------------------------------------------


def update(ctx: TenantContext, deal_id: str, *, data: s.DealUpdate) -> Deal:
    """Change a deal's title, amount, links, owner, expected close date or custom fields."""
    given = {name for name in data.model_fields_set - {"version"}
             if getattr(data, name) is not None or name in NULLABLE}

    def build() -> tuple[db.Change, Deal]:
        deal = access.get_or_raise(ctx, DEAL, deal_id, action="update")
        records.check_version(deal, data.version)
        pipeline = records.pipeline_of(ctx, deal)
        before = editing.clone(deal)
        _apply_update(ctx, deal, data, given, records.link_targets(before))
        tally = Tally(ctx)
        if (before.currency, int(before.amount_minor)) != (deal.currency, int(deal.amount_minor)):
            tally.add(deal.pipeline_id, deal.stage_id, count=0, currency=before.currency,
                      minor=-int(before.amount_minor))
            tally.add(deal.pipeline_id, deal.stage_id, count=0, currency=deal.currency, minor=int(deal.amount_minor))
        deal.updated_at = db.utcnow()
        return _written(ctx, db.Change(), before, deal, pipeline, tally, action="update"), deal

    return records.commit_retrying(ctx, build)


def change_with(ctx: TenantContext, deal_id: str, *, action: str, mutate: Any) -> Deal:
    """Apply mutate(deal) to the current version of a deal the caller may update (bulk actions: its owner or
    tags), written with its rows, links and audit; its stage and amount stay, so its totals do too."""

    def build() -> tuple[db.Change, Deal]:
        deal = access.get_or_raise(ctx, DEAL, deal_id, action="update")
        before = editing.clone(deal)
        mutate(deal)
        deal.updated_at = db.utcnow()
        return _written(ctx, db.Change(), before, deal, records.pipeline_of(ctx, deal), Tally(ctx), action=action), deal

    return records.commit_retrying(ctx, build)


def _apply_update(ctx: TenantContext, deal: Deal, data: s.DealUpdate, given: set[str],
                  previous: list[tuple[str, str]]) -> None:
    if "owner_id" in given and data.owner_id != deal.owner_id:
        _reassign(ctx, deal, data.owner_id or deal.owner_id)
    if "contact_ids" in given or "company_id" in given:
        contact_ids = list(dict.fromkeys(data.contact_ids)) if "contact_ids" in given and data.contact_ids is not None \
            else list(deal.contact_ids or [])
        company_id = data.company_id if "company_id" in given else deal.company_id
        records.check_linked(ctx, contact_ids, company_id, already=previous)
        deal.contact_ids, deal.company_id = contact_ids, company_id
    if "title" in given and data.title is not None:
        deal.title = data.title
    if "amount" in given and data.amount is not None:
        amounts.refuse_hand_edit(deal, data.amount.minor, data.amount.currency)
        deal.amount_minor, deal.currency = data.amount.minor, data.amount.currency
    if "expected_close_on" in given:
        deal.expected_close_on = data.expected_close_on.isoformat() if data.expected_close_on else None
    if "tags" in given and data.tags is not None:
        deal.tags = list(data.tags)
    if "custom" in given and data.custom is not None:
        cleaned = customfields_service.clean(ctx, entity="deal", record_id=deal.deal_id, values=data.custom,
                                             existing=deal.custom or {})
        deal.custom, deal.custom_indexed = cleaned.stored, [[k, v] for k, v in cleaned.indexed]


def _reassign(ctx: TenantContext, deal: Deal, owner_id: str) -> None:
    team_id = records.owner_team(ctx, owner_id, handed=True)
    scope = permissions.require(ctx, "deals", "update")
    if not permissions.may_touch(ctx, scope, owner_id=owner_id, team_id=team_id):
        raise errors.ForbiddenError("You may not hand this deal to someone outside your scope.",
                                    code="owner_outside_scope")
    deal.owner_id, deal.team_id = owner_id, team_id


# -- move -----------------------------------------------------------------------------------


def move(ctx: TenantContext, deal_id: str, *, body: s.DealMove) -> Deal:
    """Move a deal to a stage (of its pipeline, or of another one): history, status, totals, timelines."""

    def build() -> tuple[db.Change | None, Deal]:
        deal = access.get_or_raise(ctx, DEAL, deal_id, action="update")
        records.check_version(deal, body.version)
        source_pipeline = records.pipeline_of(ctx, deal)
        target_pipeline = source_pipeline
        if body.pipeline_id and body.pipeline_id != deal.pipeline_id:
            target_pipeline = _body_pipeline(ctx, body.pipeline_id, loc=["pipeline_id"])
        target = _body_stage(target_pipeline, body.stage_id, loc=["stage_id"])
        if target.stage_id == deal.stage_id and target_pipeline is source_pipeline:
            return None, deal  # already there: nothing happened, nothing to record
        source = pipelines.stage_of(source_pipeline, deal.stage_id)
        return move_change(ctx, deal, source, target_pipeline, target, lost_reason=body.lost_reason), deal

    return records.commit_retrying(ctx, build)


def move_change(ctx: TenantContext, deal: Deal, source: Stage | None, pipeline: Pipeline, target: Stage, *,
                lost_reason: str | None) -> db.Change:
    """The change moving a deal into target: the deal, two summaries, history, timelines, links, audit
    (no search rows: nothing that finds a deal changes with its stage)."""
    now = db.utcnow()
    before = editing.clone(deal)
    seconds = max(0, int((now - deal.stage_entered_at).total_seconds()))
    tally = Tally(ctx)
    tally.count_deal(deal, -1)
    deal.pipeline_id = pipeline.pipeline_id
    records.apply_stage(deal, target, lost_reason=lost_reason, now=now)
    tally.count_deal(deal, 1)
    deal.updated_at = now
    change = db.Change()
    records.record_stage_change(ctx, change, deal, source=source, target=target, at=now, seconds=seconds)
    return _written(ctx, change, before, deal, pipeline, tally, action="move")


# -- trash ----------------------------------------------------------------------------------


def delete(ctx: TenantContext, deal_id: str) -> Deal:
    """Move a deal to the trash: it leaves the board, lists, totals and its contacts' cards for 30 days."""

    def build() -> tuple[db.Change, Deal]:
        deal = access.get_or_raise(ctx, DEAL, deal_id, action="delete")
        pipeline = records.pipeline_of(ctx, deal)
        before, tally = editing.clone(deal), Tally(ctx)
        tally.count_deal(deal, -1)
        now = db.utcnow()
        deal.deleted_at, deal.updated_at, deal.expires_at = now, now, now + DEAL.retention
        change = db.Change()
        trash.schedule_purge(ctx, change, DEAL, deal_id, now)
        return _written(ctx, change, before, deal, pipeline, tally, action="delete"), deal

    return records.commit_retrying(ctx, build)


def restore(ctx: TenantContext, deal_id: str) -> Deal:
    """Bring a deal back from the trash (within 30 days) into its stage, totals and cards."""

    def build() -> tuple[db.Change, Deal]:
        deal = _trashed(ctx, deal_id)
        pipeline = records.pipeline_of(ctx, deal)
        before, stage = editing.clone(deal), pipelines.stage_of(pipeline, deal.stage_id)
        now = db.utcnow()
        deal.deleted_at, deal.expires_at, deal.updated_at = None, None, now
        change = db.Change()
        trash.cancel_purge(ctx, change, DEAL, deal_id)
        if stage is None:  # its stage was removed meanwhile: it starts again in the first stage
            stage = pipelines.first_open_stage(pipeline)
            records.apply_stage(deal, stage, lost_reason=None, now=now)
            records.record_stage_change(ctx, change, deal, source=None, target=stage, at=now, seconds=None)
        tally = Tally(ctx)
        tally.count_deal(deal, 1)
        return _written(ctx, change, before, deal, pipeline, tally, action="restore"), deal

    return records.commit_retrying(ctx, build)


def trashed(ctx: TenantContext, *, limit: int, cursor: str | None) -> db.Page[Deal]:
    """Deals in the trash the caller could restore, most recently deleted first: one Query of the trash index."""
    return db.query_page(ctx, Deal, trash_pk(ctx), scope="deals:trash", limit=limit, cursor=cursor, index=Deal.gsi2,
                         keep=_within(ctx, permissions.require(ctx, "deals", "delete")))


def _trashed(ctx: TenantContext, deal_id: str) -> Deal:
    scope = permissions.require(ctx, "deals", "read")
    deal = get_any(ctx, deal_id)
    expired = deal is not None and deal.deleted_at is not None and \
        deal.deleted_at + DEAL.retention < db.utcnow()
    if deal is None or deal.deleted_at is None or expired or \
            not permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id):
        raise errors.NotFoundError("No such deal in the trash.")
    permissions.require_record(ctx, "deals", "delete", owner_id=deal.owner_id, team_id=deal.team_id)
    return deal


def purge_deal(ctx: TenantContext, deal: Deal) -> None:
    """Delete a trashed deal's collection (history, links, timeline), then the deal with its audit record."""
    change = db.Change()
    trash.delete_collection(ctx, change, deal.pk)
    change.delete(deal)
    audit.attach(ctx, change, deal, entity="deal", entity_id=deal.deal_id, action="purge",
                 before=records.audit_view(deal), after=None)
    db.commit(ctx, change)


def move_contact_link(ctx: TenantContext, change: db.Change, deal_id: str, *, from_id: str, to_id: str,
                      keep_from: bool = False) -> bool:
    """Point a deal at to_id instead of from_id (a contact merge or its undo), in change; False if not linked.

    The link items stay as the merge wrote them: the survivor holds a copy and the absorbed contact
    keeps its own, which an undo needs.
    """
    deal = get_any(ctx, deal_id)  # a deal in the trash follows the merge too
    if deal is None or from_id not in (deal.contact_ids or []):
        return False
    before = records.audit_view(deal)
    ids = list(deal.contact_ids or [])
    ids = [*ids, to_id] if keep_from else [to_id if contact_id == from_id else contact_id for contact_id in ids]
    deal.contact_ids = list(dict.fromkeys(ids))
    change.save(deal)
    audit.attach(ctx, change, deal, entity="deal", entity_id=deal_id, action="contact_merge", before=before,
                 after=records.audit_view(deal))
    return True
