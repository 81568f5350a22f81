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

from chalicelib.core import audit_anchors, db, permissions
from chalicelib.core.audit_anchors import AuditAnchor
from chalicelib.core.db import Change, MainTable, VersionedItem, utcnow
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, take_fresh, tenant_key

GENESIS = "0" * 64
MASK = "***"


class ChangesAttribute(JSONAttribute):
    """A record's changes, ``{field: {"before", "after"}}`` in Python, stored compactly (#22: write units).

    Stored as ``{"~": 1, "b": {field: before}, "a": {field: after}}`` with no ``None`` value and no
    space: a creation stores its values once, not beside a ``"before": null`` each. Records written
    before are read as they were stored; anything that does not fit the shape is stored as given.
    The hash covers the Python value, so it does not depend on how the changes are stored.
    """

    def serialize(self, value: Any) -> Any:
        """The stored JSON text (compact when the changes have the usual shape)."""
        shaped = isinstance(value, dict) and "~" not in value and all(
            isinstance(change, dict) and change.keys() == {"before", "after"}
            and (change["before"] is not None or change["after"] is not None) for change in value.values())
        if shaped:
            sides = (("b", "before"), ("a", "after"))
            value = {"~": 1, **{short: {name: entry[side] for name, entry in value.items() if entry[side] is not None}
                                for short, side in sides}}
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def deserialize(self, value: Any) -> Any:
        """The changes as ``{field: {"before", "after"}}``, however they were stored."""
        found = json.loads(value)
        if not isinstance(found, dict) or found.get("~") != 1:
            return found
        before, after = found.get("b") or {}, found.get("a") or {}
        return {name: {"before": before.get(name), "after": after.get(name)} for name in sorted({*before, *after})}


class KeyPartAttribute(UnicodeAttribute):
    """A value the record's keys already hold: read from them, stored only by records written before #22."""

    def __init__(self, derive: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(null=True, **kwargs)
        self._derive = derive

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self
        stored = super().__get__(instance, owner)
        return stored if stored is not None else self.derived(instance)

    def derived(self, instance: Any) -> str | None:
        """The value as the instance's keys hold it (None while they are not set)."""
        try:
            return self._derive(instance)
        except (AttributeError, IndexError, TypeError):
            return None


def _pk_part(position: int) -> Callable[[Any], str]:
    # T#<tenant>#AUDIT#<entity>#<entity id>: entity names and ids hold no '#'
    return lambda record: str(record.pk).split("#", 4)[position]


class AuditRecord(MainTable, discriminator="audit"):
    """One recorded change of one entity (its entity and id read from its key, its id from its feed key)."""

    personal = frozenset({"changes"})  # before and after values: names, numbers, texts

    audit_id = KeyPartAttribute(lambda record: str(record.gsi1sk).rsplit("#", 1)[1])
    entity = KeyPartAttribute(_pk_part(3))
    entity_id = KeyPartAttribute(_pk_part(4))
    seq = NumberAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    source = UnicodeAttribute()
    request_id = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    changes = ChangesAttribute()
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()
    reverted_audit_id = UnicodeAttribute(null=True)  # set on the record a revert writes (hashed when set)
    # Where the audited item lives and its version after the change: the tenant export walks the
    # partitions named here, and a revert checks the entity against it. Not hashed: locators only.
    # The version is stored only when it is not the record's seq (an id whose chain outlived an item).
    item_pk = UnicodeAttribute(null=True)
    item_sk = UnicodeAttribute(null=True)
    entity_version = NumberAttribute(null=True)

    def _container_serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        """The stored attributes, without those the keys hold (read back through ``KeyPartAttribute``)."""
        stored = super()._container_serialize(null_check=null_check)
        for name in ("audit_id", "entity", "entity_id"):
            attribute: KeyPartAttribute = getattr(type(self), name)
            if name in stored and stored[name]["S"] == attribute.derived(self):
                del stored[name]
        return stored


def entity_key(ctx: TenantContext, entity: str, entity_id: str) -> str:
    """Partition of one entity's audit chain."""
    return tenant_key(ctx, "AUDIT", entity, entity_id)


def tenant_feed_key(ctx: TenantContext) -> str:
    """Partition of the tenant-wide audit feed (gsi1), newest first."""
    return tenant_key(ctx, "AUDIT")


def actor_feed_key(ctx: TenantContext, actor_id: str) -> str:
    """Partition of one actor's audit feed (gsi2)."""
    return tenant_key(ctx, "AUDITBY", actor_id)


# The machines that act on a tenant's data under a fixed name (identity's system context, housekeeping, the
# domain-event feed, the due run, campaign sends, the public knowledge base, a customer's CSAT answer).
MACHINE_ACTORS = frozenset({"system", "housekeeping", "events", "scheduler", "campaigns", "public", "customer"})


def on_actor_feed(actor_kind: str, actor_id: str) -> bool:
    """Whether an actor's records go on the actor feed (gsi2): a person's (a user, an API key, a user signing in)
    do; a machine's (an integration's webhook, a named job) do not, which spares the index write of most records
    a provider's events make (#22). A machine's records are read from the tenant feed, filtered by actor."""
    return actor_kind != "webhook" and actor_id not in MACHINE_ACTORS


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
# fn(before_fields, after_fields): why a change from and to these values can never be put back, or None; told
# without a read, so the trail marks each record revertable or not and a revert refuses before asking about later
# changes.
Refusal = Callable[["dict[str, Any] | None", "dict[str, Any] | None"], "str | None"]
_REVERTERS: dict[str, Reverter] = {}
_REFUSALS: dict[str, Refusal] = {}


def register_reverter(entity: str, fn: Reverter, *, refuses: Refusal | None = None) -> None:
    """Make an entity's changes revertable: fn writes the before values back through its service.

    fn(ctx, entity_id, before_fields, expected_version) receives the fields' values before the
    change (``None`` when the change created the entity: delete it; when the entity no longer
    exists: create it again with these fields) and the version the entity must still have (``None``
    when forced). It writes through the domain's service, which audits as usual: inside a revert
    every record is written with action ``revert`` and the reverted record's id. ``refuses`` tells, from
    the record's before and after values alone, the changes fn always refuses (a call's, a sign-in).
    """
    _REVERTERS[entity] = fn
    if refuses is not None:
        _REFUSALS[entity] = refuses


def reverter_for(entity: str) -> Reverter | None:
    """The registered reverter of an entity, if any."""
    return _REVERTERS.get(entity)


def refusal_for(entity: str) -> Refusal | None:
    """What the entity's reverter refuses whatever the entity's state (``register_reverter(refuses=...)``)."""
    return _REFUSALS.get(entity)


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
    # A new item: an earlier one under this id may have a chain, or only its anchor once its records expired.
    with db.translate_errors():
        found = MainTable.query(entity_key(ctx, entity, entity_id), scan_index_forward=False, limit=1,
                                consistent_read=True)
        last = next(iter(found), None)
    return (int(last.seq), last.hash) if isinstance(last, AuditRecord | AuditAnchor) else (0, GENESIS)


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
    permissions.check_changes(ctx, entity, before, after)  # a field the role may only read: 403, nothing read
    head_seq, prev_hash = _chain_head(ctx, item, entity, entity_id)
    seq = head_seq + 1
    now = utcnow()
    audit_id = str(ULID.from_datetime(now))  # its time locates the record in the feed (find_record)
    revert = _reverting.get()
    version = int(item.version or 0) + 1
    record = AuditRecord(
        entity_key(ctx, entity, entity_id), f"{seq:012d}",  # the key names the entity: not stored again
        gsi1pk=tenant_feed_key(ctx), gsi1sk=f"{now.isoformat()}#{audit_id}",
        seq=seq, action="revert" if revert is not None else action,
        **actor_fields(ctx), at=now,
        changes=diff(before, after, sensitive), prev_hash=prev_hash, hash="",
        reverted_audit_id=revert.audit_id if revert is not None else None,
        item_pk=item.pk, item_sk=item.sk, entity_version=version if version != seq else None,
    )
    if on_actor_feed(ctx.actor_kind, ctx.actor_id):
        record.gsi2pk, record.gsi2sk = actor_feed_key(ctx, ctx.actor_id), record.gsi1sk
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
                                       filter_condition=AuditRecord.gsi1sk.contains(f"#{audit_id}"))
        record = next(iter(found), None)
    return record if isinstance(record, AuditRecord) and db.owned(ctx, record) else None


def chain_records(ctx: TenantContext, entity: str, entity_id: str) -> list[AuditRecord]:
    """Every record of an entity's chain, oldest first."""
    with db.translate_errors():
        return list(AuditRecord.query(entity_key(ctx, entity, entity_id), consistent_read=True))


def verify_chain(records: list[AuditRecord], anchor: AuditAnchor | None = None) -> int | None:
    """The seq of the first record whose link is broken, or None when the chain holds; with the anchor of a chain
    whose oldest records expired, from the anchor (an anchor without the stage's signature is broken at its seq)."""
    prev = GENESIS
    if anchor is not None:
        if not audit_anchors.valid(anchor):
            return int(anchor.seq)
        prev = anchor.hash
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
