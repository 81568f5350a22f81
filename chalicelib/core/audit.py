"""Audit records: who changed what, when, from where; one hash chain per entity.

A record is written in the same transaction as the change it describes (see ``db.Change``).
Its sort key is the entity's new version, so two writers racing on one entity cannot both
append a record with the same number, and each record carries the hash of the previous one,
taken from the entity item (``audit_hash``), which the change updates in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import Change, MainTable, VersionedItem, utcnow
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key

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
    return {
        "audit_id": record.audit_id, "entity": record.entity, "entity_id": record.entity_id,
        "seq": int(record.seq), "action": record.action, "actor_id": record.actor_id,
        "actor_kind": record.actor_kind, "source": record.source, "request_id": record.request_id,
        "at": at.isoformat(), "changes": record.changes,
    }


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
    seq = int(item.version or 0) + 1
    now = utcnow()
    audit_id = new_id()
    record = AuditRecord(
        entity_key(ctx, entity, entity_id), f"{seq:012d}",
        gsi1pk=tenant_feed_key(ctx), gsi1sk=f"{now.isoformat()}#{audit_id}",
        gsi2pk=actor_feed_key(ctx, ctx.actor_id), gsi2sk=f"{now.isoformat()}#{audit_id}",
        audit_id=audit_id, entity=entity, entity_id=entity_id, seq=seq, action=action,
        actor_id=ctx.actor_id, actor_kind=ctx.actor_kind, source=ctx.source,
        request_id=ctx.request_id, source_ip=ctx.source_ip, at=now,
        changes=diff(before, after, sensitive), prev_hash=item.audit_hash or GENESIS, hash="",
    )
    record.hash = chain_hash(record.prev_hash, record_content(record))
    item.audit_hash = record.hash
    change.create(record)
    return record


def verify_chain(records: list[AuditRecord]) -> int | None:
    """The seq of the first record whose link is broken, or None when the chain holds."""
    prev = GENESIS
    for record in sorted(records, key=lambda r: int(r.seq)):
        if record.prev_hash != prev or chain_hash(prev, record_content(record)) != record.hash:
            return int(record.seq)
        prev = record.hash
    return None
