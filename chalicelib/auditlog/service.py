"""The audit trail of a tenant: lists on its feeds, the sensitive-read log, chain verification, revert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from functools import reduce
from typing import Any

from chalicelib.auditlog import reverters
from chalicelib.auditlog.schemas import (
    AuditQuery,
    AuditRead,
    ChainAnchor,
    ChainReport,
    ReadsQuery,
    SensitiveReadOut,
)
from chalicelib.core import audit, audit_anchors, db, errors, permissions
from chalicelib.core.audit import AuditRecord, SensitiveRead
from chalicelib.core.audit_anchors import AuditAnchor
from chalicelib.core.tenancy import TenantContext, is_valid_id

reverters.register_identity()
# Actions whose records describe an entity coming into being (not a revert: it may have filled fields).
CREATIONS = frozenset({"create", "invite", "request", "upload"})
# Changes with their own way back, or none: a merge is undone by the merge's undo, a purge is final, a team
# move follows the owner.
ONE_WAY = {"merge": "A merge is reverted with the merge's own undo (POST /api/v1/merges/{merge_id}/undo).",
           "merged_into": "A merge is reverted with the merge's own undo (POST /api/v1/merges/{merge_id}/undo).",
           "merge_undo": "An undone merge is merged again with a new merge.",
           # a record pointed from an absorbed contact to the survivor by a merge: the merge's undo points it back
           "contact_merge": "A merge is reverted with the merge's own undo (POST /api/v1/merges/{merge_id}/undo).",
           "purge": "A purge deleted the record for good; there is nothing left to put back.",
           # a person's data erased at her request (personaldata.erasure): her link is never put back, nor the record
           "erasure": "A person's data was erased at her request; her link to this record is not put back.",
           "erase": "An erasure is final: the person's data is gone for good.",
           # records follow their owner's team (records.teams): the old team is not the owner's any more
           "team_move": "The record moved with its owner to their new team; to change its team, give it to someone "
                        "of that team."}


# -- views ----------------------------------------------------------------------------------


def record_read(record: AuditRecord) -> AuditRead:
    """The API view of an audit record."""
    return AuditRead(
        id=record.audit_id, entity=record.entity, entity_id=record.entity_id, seq=int(record.seq),
        action=record.action, actor_id=record.actor_id, actor_kind=record.actor_kind, source=record.source,
        request_id=record.request_id, source_ip=record.source_ip, at=record.at, changes=record.changes or {},
        reverted_audit_id=record.reverted_audit_id, prev_hash=record.prev_hash, hash=record.hash,
        revertable=refusal(record) is None,
    )


def sensitive_read_view(read: SensitiveRead) -> SensitiveReadOut:
    """The API view of a clear-text read of a sensitive field."""
    return SensitiveReadOut(entity=read.entity, entity_id=read.entity_id, field=read.field, actor_id=read.actor_id,
                            actor_kind=read.actor_kind, source=read.source, request_id=read.request_id,
                            source_ip=read.source_ip, at=read.at)


# -- lists ----------------------------------------------------------------------------------


def _actor_in_scope(ctx: TenantContext, actor: str | None) -> str | None:
    """The actor filter the caller may use: with less than the whole trail, only their own actions."""
    if permissions.require(ctx, "audit", "read") == "all":
        return actor
    if actor is not None and actor != ctx.actor_id:
        raise errors.ForbiddenError("You may only read the trail of your own actions.", code="own_trail_only")
    return ctx.actor_id


def _all(conditions: list[Any]) -> Any:
    return reduce(lambda left, right: left & right, conditions) if conditions else None


def _time_range(attribute: Any, since: datetime | None, until: datetime | None) -> Any:
    # Feed sort keys read "<ISO time>#<id>": '~' sorts after '#', so a record at exactly `until` is in.
    low = since.isoformat() if since else None
    high = until.isoformat() + "~" if until else None
    if low and high:
        return attribute.between(low, high)
    if low:
        return attribute >= low
    return attribute <= high if high else None


def _person(ctx: TenantContext, actor: str) -> bool:
    """Whether the actor is a person of the tenant (a user or an API key), whose records are all on their own feed
    (``audit.on_actor_feed``); anyone else's are read from the tenant feed, which holds every record."""
    if actor == ctx.actor_id:
        return audit.on_actor_feed(ctx.actor_kind, actor)
    if actor in audit.MACHINE_ACTORS or not is_valid_id(actor):
        return False
    from chalicelib.identity import apikeys
    from chalicelib.identity import service as identity_service

    return bool(db.get_many(ctx, [(identity_service.users_pk(ctx), actor), (apikeys.keys_pk(ctx), actor)]))


def list_records(ctx: TenantContext, query: AuditQuery) -> db.Page[AuditRecord]:
    """One page of the tenant's audit records, newest first: one Query on a partition or feed."""
    actor = _actor_in_scope(ctx, query.actor)
    scope = "audit:" + json.dumps(query.model_dump(mode="json", exclude={"limit", "cursor"}) | {"actor": actor},
                                  sort_keys=True)
    wanted: list[Any] = [AuditRecord.action == query.action] if query.action else []
    if query.entity is not None and query.entity_id is not None:
        if actor:
            wanted.append(AuditRecord.actor_id == actor)
        if query.since:
            wanted.append(AuditRecord.at >= query.since)
        if query.until:
            wanted.append(AuditRecord.at <= query.until)
        return db.query_page(ctx, AuditRecord, audit.entity_key(ctx, query.entity, query.entity_id), scope=scope,
                             limit=query.limit, cursor=query.cursor, filter_condition=_all(wanted))
    if query.entity is not None:
        wanted.append(AuditRecord.pk.startswith(audit.entity_key(ctx, query.entity, "")))  # its chain's key
    if actor and not _person(ctx, actor):  # a machine's records are on the tenant feed only
        wanted.append(AuditRecord.actor_id == actor)
        scope += "#tenant-feed"  # a cursor of the actor feed is not one of this list
    elif actor:
        return db.query_page(ctx, AuditRecord, audit.actor_feed_key(ctx, actor), scope=scope, index=AuditRecord.gsi2,
                             limit=query.limit, cursor=query.cursor, filter_condition=_all(wanted),
                             range_key_condition=_time_range(AuditRecord.gsi2sk, query.since, query.until))
    return db.query_page(ctx, AuditRecord, audit.tenant_feed_key(ctx), scope=scope, index=AuditRecord.gsi1,
                         limit=query.limit, cursor=query.cursor, filter_condition=_all(wanted),
                         range_key_condition=_time_range(AuditRecord.gsi1sk, query.since, query.until))


def list_sensitive_reads(ctx: TenantContext, query: ReadsQuery) -> db.Page[SensitiveRead]:
    """One page of clear-text reads of sensitive fields, newest first."""
    actor = _actor_in_scope(ctx, query.actor)
    scope = "reads:" + json.dumps(query.model_dump(mode="json", exclude={"limit", "cursor"}) | {"actor": actor},
                                  sort_keys=True)
    wanted = [SensitiveRead.actor_id == actor] if actor else []
    if query.entity is not None and query.entity_id is not None:
        return db.query_page(ctx, SensitiveRead, audit.reads_key(ctx, query.entity, query.entity_id), scope=scope,
                             limit=query.limit, cursor=query.cursor, filter_condition=_all(wanted))
    if query.entity is not None:
        wanted.append(SensitiveRead.entity == query.entity)
    return db.query_page(ctx, SensitiveRead, audit.reads_feed_key(ctx), scope=scope, index=SensitiveRead.gsi1,
                         limit=query.limit, cursor=query.cursor, filter_condition=_all(wanted))


# -- verification ---------------------------------------------------------------------------


def _head_ok(ctx: TenantContext, newest: AuditRecord | AuditAnchor) -> bool | None:
    """Whether the entity item still points at the newest record, or at the anchor when every record expired
    (a cut-off tail shows here)."""
    if not newest.item_pk or not newest.item_sk:
        return None
    try:
        item = db.get(ctx, db.MainTable, newest.item_pk, newest.item_sk)
    except ValueError:  # an item kind this process does not know
        return None
    if item is None:  # gone: fine when the newest record is the deletion (or it expired with the others)
        return isinstance(newest, AuditAnchor) or all(change.get("after") is None
                                                      for change in (newest.changes or {}).values())
    return getattr(item, "audit_hash", None) == newest.hash


def check_chain(ctx: TenantContext, entity: str, entity_id: str) -> ChainReport:
    """Verify one entity's chain: every link from its start (its anchor once the oldest records expired), and the
    entity's stored head."""
    records = audit.chain_records(ctx, entity, entity_id)
    anchor = audit_anchors.get(ctx, audit.entity_key(ctx, entity, entity_id))
    broken = audit.verify_chain(records, anchor)
    newest = records[-1] if records else anchor
    head = _head_ok(ctx, newest) if newest is not None else None
    return ChainReport(entity=entity, entity_id=entity_id, records=len(records),
                       ok=broken is None and head is not False, first_broken_seq=broken, head_ok=head,
                       anchor=None if anchor is None else ChainAnchor(
                           seq=int(anchor.seq), hash=anchor.hash, removed=int(anchor.removed),
                           expired_before=anchor.expired_before))


def verify_entity(ctx: TenantContext, *, entity: str, entity_id: str) -> ChainReport:
    """Verify one entity's chain; 404 when the tenant has no record of it."""
    permissions.require(ctx, "audit", "read")
    report = check_chain(ctx, entity, entity_id)
    if report.records == 0 and report.anchor is None:
        raise errors.NotFoundError("No audit records for this entity.")
    return report


def verify_feed_page(ctx: TenantContext, *, limit: int, cursor: str | None) -> tuple[list[ChainReport], str | None]:
    """Verify the chains of the entities named in one page of the tenant feed (newest first)."""
    permissions.require(ctx, "audit", "read")
    page = db.query_page(ctx, AuditRecord, audit.tenant_feed_key(ctx), scope="audit:verify", index=AuditRecord.gsi1,
                         limit=limit, cursor=cursor)
    entities = dict.fromkeys((record.entity, record.entity_id) for record in page.items)
    return [check_chain(ctx, entity, entity_id) for entity, entity_id in entities], page.next_cursor


def tenant_entities(ctx: TenantContext) -> Iterator[tuple[str, str]]:
    """Every entity with an audit chain, walking the whole tenant feed, then the anchors of chains whose records
    all expired (operator tooling)."""
    seen: set[tuple[str, str]] = set()
    with db.translate_errors():
        for record in AuditRecord.gsi1.query(audit.tenant_feed_key(ctx)):
            if isinstance(record, AuditRecord) and (record.entity, record.entity_id) not in seen:
                seen.add((record.entity, record.entity_id))
                yield record.entity, record.entity_id
        for anchor in AuditAnchor.gsi1.query(audit_anchors.feed_key(ctx)):
            if isinstance(anchor, AuditAnchor) and (anchor.entity, anchor.entity_id) not in seen:
                seen.add((anchor.entity, anchor.entity_id))
                yield anchor.entity, anchor.entity_id


# -- revert ---------------------------------------------------------------------------------


def _not_revertable(message: str) -> errors.CRMError:
    return errors.ConflictError(message, code="not_revertable")


def before_fields(record: AuditRecord) -> dict[str, Any] | None:
    """The values the record's change replaced; None when the change created the entity."""
    changes: dict[str, Any] = record.changes or {}
    if not changes:
        raise _not_revertable("This record changed nothing.")
    if any(change.get("before") == audit.MASK for change in changes.values()):
        raise _not_revertable("This change touched a sensitive value, which the audit trail keeps only masked; "
                              "set it again by hand.")
    # An update that filled empty fields also has only empty befores: only a creation reverts to nothing.
    if all(change.get("before") is None for change in changes.values()) and record.action in CREATIONS:
        return None
    return {name: change.get("before") for name, change in changes.items()}


def refusal(record: AuditRecord) -> str | None:
    """Why a recorded change can never be reverted, told from the record and the registered reverters without a
    read; None when a revert may work (it can still find the entity changed, gone or out of reach)."""
    reverter = reverters.reverter_for(record.entity)
    if reverter is None:
        return f"Changes of {record.entity} cannot be reverted."
    if record.action in ONE_WAY:
        return ONE_WAY[record.action]
    try:
        before = before_fields(record)
    except errors.CRMError as refused:
        return refused.message
    refuses = audit.refusal_for(record.entity)
    after = {name: change.get("after") for name, change in (record.changes or {}).items()}
    return refuses(before, after) if refuses is not None else None


def revert(ctx: TenantContext, audit_id: str, *, force: bool) -> AuditRecord:
    """Put the values a recorded change replaced back, through the entity's service; audited as a revert."""
    permissions.require(ctx, "audit", "update")
    record = audit.find_record(ctx, audit_id)
    if record is None:
        raise errors.NotFoundError("No such audit record.")
    reverter = reverters.reverter_for(record.entity)
    refused = refusal(record)  # before "changed since?": forcing a change that cannot be reverted helps no one
    if reverter is None or refused is not None:
        raise _not_revertable(refused or f"Changes of {record.entity} cannot be reverted.")
    before = before_fields(record)
    newest = audit.latest_record(ctx, record.entity, record.entity_id)
    if not force and (newest is None or newest.audit_id != record.audit_id):
        raise errors.ConflictError("The record changed since; revert with force to overwrite the later changes.",
                                   code="changed_since",
                                   details=[{"latest_audit_id": newest.audit_id if newest else None}])
    expected = None if force else int(record.entity_version or record.seq)
    with audit.reverting(record.audit_id) as written:
        reverter(ctx, record.entity_id, before, expected)
    if not written:
        raise _not_revertable("Reverting this record changes nothing.")
    return written[-1]
