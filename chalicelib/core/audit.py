"""Audit records: who changed what, when, from where; one hash chain per entity; revert.

A record is written in the same transaction as the change it describes (see ``db.Change``).
Its sort key is the entity's sequence number, so two writers racing on one entity cannot both
append a record with the same number, and each record carries the hash of the previous one,
taken from the entity item (``audit_hash``), which the change updates in the same transaction.

An updated entity needs no read: its version names the next number. A new item reads the newest
record of its chain first (one Query), because an entity deleted and created again under the same
id (a role key, a reverted deletion) must continue its chain rather than collide with record 1.

A record's id is a ULID minted from the record's own time, so the id alone names the millisecond
of the tenant feed (gsi1) that holds it: :func:`find_record` is one Query on that slice.
Domains make their entities revertable with :func:`register_reverter`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from ulid import ULID

from chalicelib.core import db
from chalicelib.core.db import Change, MainTable, VersionedItem, utcnow
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, take_fresh, tenant_key

GENESIS = "0" * 64
MASK = "***"


class AuditRecord(MainTable, discriminator="audit"):
    """One recorded change of one entity."""

    audit_id = UnicodeAttribute()
    entity = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    seq = NumberAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    source = UnicodeAttribute()
    request_id = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    changes = JSONAttribute()
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()
    reverted_audit_id = UnicodeAttribute(null=True)  # set on the record a revert writes (hashed when set)
    # Where the audited item lives and its version after the change: the tenant export walks the
    # partitions named here, and a revert checks the entity against it. Not hashed: locators only.
    item_pk = UnicodeAttribute(null=True)
    item_sk = UnicodeAttribute(null=True)
    entity_version = NumberAttribute(null=True)


def entity_key(ctx: TenantContext, entity: str, entity_id: str) -> str:
    """Partition of one entity's audit chain."""
    return tenant_key(ctx, "AUDIT", entity, entity_id)


def tenant_feed_key(ctx: TenantContext) -> str:
    """Partition of the tenant-wide audit feed (gsi1), newest first."""
    return tenant_key(ctx, "AUDIT")


def actor_feed_key(ctx: TenantContext, actor_id: str) -> str:
    """Partition of one actor's audit feed (gsi2)."""
    return tenant_key(ctx, "AUDITBY", actor_id)


def plain(value: Any) -> Any:
    """A JSON-safe copy of a field value (times as ISO 8601, sets sorted)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def actor_fields(ctx: TenantContext) -> dict[str, Any]:
    """Who acted, through what and from where: the fields every audit and read record carries."""
    return {"actor_id": ctx.actor_id, "actor_kind": ctx.actor_kind, "source": ctx.source,
            "request_id": ctx.request_id, "source_ip": ctx.source_ip}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None,
         sensitive: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Field-level before/after of the fields that changed; sensitive values masked."""
    before, after = before or {}, after or {}
    changed: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            if name in sensitive:
                old, new = (MASK if old is not None else None), (MASK if new is not None else None)
            changed[name] = {"before": plain(old), "after": plain(new)}
    return changed


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash linking a record to its predecessor."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def record_content(record: AuditRecord) -> dict[str, Any]:
    """The fields the hash covers."""
    at: datetime = record.at
    content = {
        "audit_id": record.audit_id, "entity": record.entity, "entity_id": record.entity_id,
        "seq": int(record.seq), "action": record.action, "actor_id": record.actor_id,
        "actor_kind": record.actor_kind, "source": record.source, "request_id": record.request_id,
        "at": at.isoformat(), "changes": record.changes,
    }
    if record.reverted_audit_id:  # only when set, so records written before reverts existed still verify
        content["reverted_audit_id"] = record.reverted_audit_id
    return content


# -- reverts --------------------------------------------------------------------------------


@dataclass
class _Revert:
    audit_id: str
    written: list[AuditRecord] = field(default_factory=list)


_reverting: ContextVar[_Revert | None] = ContextVar("audit_reverting", default=None)

# fn(ctx, entity_id, before_fields, expected_version): put the entity back through its domain service.
Reverter = Callable[[TenantContext, str, "dict[str, Any] | None", "int | None"], None]
_REVERTERS: dict[str, Reverter] = {}


def register_reverter(entity: str, fn: Reverter) -> None:
    """Make an entity's changes revertable: fn writes the before values back through its service.

    fn(ctx, entity_id, before_fields, expected_version) receives the fields' values before the
    change (``None`` when the change created the entity: delete it; when the entity no longer
    exists: create it again with these fields) and the version the entity must still have (``None``
    when forced). It writes through the domain's service, which audits as usual: inside a revert
    every record is written with action ``revert`` and the reverted record's id.
    """
    _REVERTERS[entity] = fn


def reverter_for(entity: str) -> Reverter | None:
    """The registered reverter of an entity, if any."""
    return _REVERTERS.get(entity)


@contextmanager
def reverting(audit_id: str) -> Iterator[list[AuditRecord]]:
    """Within the block, audit records are revert records of audit_id; yields those written."""
    state = _Revert(audit_id)
    token = _reverting.set(state)
    try:
        yield state.written
    finally:
        _reverting.reset(token)


# -- writing --------------------------------------------------------------------------------


def latest_record(ctx: TenantContext, entity: str, entity_id: str) -> AuditRecord | None:
    """The newest record of an entity's chain (one Query), or None when it has none."""
    with db.translate_errors():
        found = AuditRecord.query(entity_key(ctx, entity, entity_id), scan_index_forward=False, limit=1,
                                  consistent_read=True)
        return next(iter(found), None)


def _chain_head(ctx: TenantContext, item: VersionedItem, entity: str, entity_id: str) -> tuple[int, str]:
    if item.version is not None:
        return int(item.version), item.audit_hash or GENESIS
    if take_fresh(entity_id):  # minted here and now: no earlier item under this id, so no chain to read
        return 0, GENESIS
    last = latest_record(ctx, entity, entity_id)  # a new item: an earlier one under this id may have a chain
    return (int(last.seq), last.hash) if last is not None else (0, GENESIS)


def attach(
    ctx: TenantContext,
    change: Change,
    item: VersionedItem,
    *,
    entity: str,
    entity_id: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    sensitive: frozenset[str] = frozenset(),
) -> AuditRecord:
    """Add the audit record of a change of item to the same transaction and advance its chain."""
    head_seq, prev_hash = _chain_head(ctx, item, entity, entity_id)
    seq = head_seq + 1
    now = utcnow()
    audit_id = str(ULID.from_datetime(now))  # its time locates the record in the feed (find_record)
    revert = _reverting.get()
    record = AuditRecord(
        entity_key(ctx, entity, entity_id), f"{seq:012d}",
        gsi1pk=tenant_feed_key(ctx), gsi1sk=f"{now.isoformat()}#{audit_id}",
        gsi2pk=actor_feed_key(ctx, ctx.actor_id), gsi2sk=f"{now.isoformat()}#{audit_id}",
        audit_id=audit_id, entity=entity, entity_id=entity_id, seq=seq,
        action="revert" if revert is not None else action,
        **actor_fields(ctx), at=now,
        changes=diff(before, after, sensitive), prev_hash=prev_hash, hash="",
        reverted_audit_id=revert.audit_id if revert is not None else None,
        item_pk=item.pk, item_sk=item.sk, entity_version=int(item.version or 0) + 1,
    )
    record.hash = chain_hash(record.prev_hash, record_content(record))
    item.audit_hash = record.hash
    change.create(record)
    if revert is not None:
        revert.written.append(record)
    return record


# -- reading and verifying ------------------------------------------------------------------


def find_record(ctx: TenantContext, audit_id: str) -> AuditRecord | None:
    """The record with this id in ctx's tenant (one Query on its millisecond of the feed), or None."""
    if not is_valid_id(audit_id):
        return None
    moment = ULID.from_str(audit_id).datetime
    low, high = moment.isoformat(), (moment + timedelta(milliseconds=1)).isoformat()
    with db.translate_errors():
        found = AuditRecord.gsi1.query(tenant_feed_key(ctx), AuditRecord.gsi1sk.between(low, high),
                                       filter_condition=AuditRecord.audit_id == audit_id)
        record = next(iter(found), None)
    return record if isinstance(record, AuditRecord) and db.owned(ctx, record) else None


def chain_records(ctx: TenantContext, entity: str, entity_id: str) -> list[AuditRecord]:
    """Every record of an entity's chain, oldest first."""
    with db.translate_errors():
        return list(AuditRecord.query(entity_key(ctx, entity, entity_id), consistent_read=True))


def verify_chain(records: list[AuditRecord]) -> int | None:
    """The seq of the first record whose link is broken, or None when the chain holds."""
    prev = GENESIS
    for record in sorted(records, key=lambda r: int(r.seq)):
        if record.prev_hash != prev or chain_hash(prev, record_content(record)) != record.hash:
            return int(record.seq)
        prev = record.hash
    return None


# -- sensitive reads ------------------------------------------------------------------------


class SensitiveRead(MainTable, discriminator="sensitive_read"):
    """A clear-text read of a sensitive field: who read which field of which record, when, from where.

    pk ``T#<tid>#READS#<entity>#<id>``, sk ``<time>#<id>``; gsi1 the tenant-wide feed of reads.
    """

    entity = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    field = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    source = UnicodeAttribute()
    request_id = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()


def reads_key(ctx: TenantContext, entity: str, entity_id: str) -> str:
    """Partition of the sensitive reads of one record."""
    return tenant_key(ctx, "READS", entity, entity_id)


def reads_feed_key(ctx: TenantContext) -> str:
    """Partition of the tenant-wide feed of sensitive reads (gsi1), newest first."""
    return tenant_key(ctx, "READS")


def record_reads(ctx: TenantContext, *, entity: str, entity_id: str, fields: list[str]) -> None:
    """Record clear-text reads of sensitive fields before they are returned (one batch write)."""
    now = utcnow()
    with db.translate_errors(), SensitiveRead.batch_write() as batch:  # throttled: 503, and nothing is shown
        for name in fields:
            read_id = new_id()
            batch.save(SensitiveRead(
                reads_key(ctx, entity, entity_id), f"{now.isoformat()}#{read_id}",
                gsi1pk=reads_feed_key(ctx), gsi1sk=f"{now.isoformat()}#{read_id}", entity=entity,
                entity_id=entity_id, field=name, at=now, **actor_fields(ctx),
            ))
