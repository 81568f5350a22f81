"""Domain events: the audit records every change commits, read from the main table's stream.

Each change already writes an audit record in its own transaction (``core.audit``): who did what to
which entity, its sequence number in the entity's chain, the fields before and after. The table's stream
(NEW_IMAGE) carries each new record once; ``event_of`` turns a stream record into a ``DomainEvent`` and
ignores every other item the stream shows (rows, lookups, counters, the records' own items).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.core.audit import AuditRecord

AUDIT_KIND = "audit"


@dataclass(frozen=True)
class DomainEvent:
    """One change of one entity of one tenant, as its audit record tells it."""

    event_id: str  # the audit record's id (a ULID): names the event for every consumer's claim
    tenant_id: str
    entity: str  # contact, deal, task, note, call, user ...
    entity_id: str
    seq: int  # its place in the entity's chain: later changes of one entity have larger numbers
    action: str  # create, update, delete, complete, stage_change ...
    actor_id: str
    actor_kind: str
    source: str
    at: datetime
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    item_pk: str | None = None
    item_sk: str | None = None
    request_id: str | None = None  # an automation's changes carry its run and depth here (automations.engine)
    position: str = ""  # the stream's sequence number (what a failed batch reports)

    def after(self, name: str) -> Any:
        """A field's value after the change (None when the change did not touch it or removed it)."""
        return (self.changes.get(name) or {}).get("after")

    def before(self, name: str) -> Any:
        """A field's value before the change (None when the change did not touch it)."""
        return (self.changes.get(name) or {}).get("before")

    def changed(self, name: str) -> bool:
        """True when the change touched the field."""
        return name in self.changes

    @property
    def created(self) -> bool:
        """True for the change that made the entity (its before was nothing)."""
        return self.action == "create" or (self.seq == 1 and all(c.get("before") is None
                                                                   for c in self.changes.values()))

    @property
    def deleted(self) -> bool:
        """True for a change that removed the entity (everything after is nothing)."""
        return bool(self.changes) and all(c.get("after") is None for c in self.changes.values()) \
            and self.action in {"delete", "purge"}


def event_of(stream_record: dict[str, Any]) -> DomainEvent | None:
    """The domain event a stream record carries, or None (not an audit record, not an insert, unreadable)."""
    if stream_record.get("eventName") != "INSERT":
        return None
    data = stream_record.get("dynamodb") or {}
    image = data.get("NewImage") or {}
    kind, pk = (image.get("kind") or {}).get("S"), str((image.get("pk") or {}).get("S", ""))
    if kind != AUDIT_KIND or not pk.startswith("T#"):
        return None
    record = AuditRecord.from_raw_data(image)
    tenant_id = str(record.pk).split("#", 2)[1]
    return DomainEvent(
        event_id=str(record.audit_id), tenant_id=tenant_id, entity=str(record.entity), entity_id=str(record.entity_id),
        seq=int(record.seq), action=str(record.action), actor_id=str(record.actor_id),
        actor_kind=str(record.actor_kind), source=str(record.source), at=record.at,
        changes=dict(record.changes or {}), item_pk=record.item_pk, item_sk=record.item_sk,
        request_id=record.request_id, position=str(data.get("SequenceNumber", "")),
    )
