"""Request and response schemas of the audit trail: lists, the sensitive-read log, verification, revert."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from chalicelib.core.schema import Schema


def _utc(value: datetime) -> datetime:
    # A time without an offset is read as UTC, the only zone the API speaks.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


EntityName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
EntityId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.@+-]{1,128}$")]
ActorId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ActionName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Moment = Annotated[datetime, AfterValidator(_utc)]
Limit = Annotated[int, Field(ge=1, le=200)]
Cursor = Annotated[str, Field(max_length=2000)]


class _EntityFilter(Schema):
    entity: EntityName | None = None
    entity_id: EntityId | None = None

    @model_validator(mode="after")
    def _id_needs_entity(self) -> _EntityFilter:
        if self.entity_id is not None and self.entity is None:
            raise ValueError("entity_id needs entity")
        return self


class AuditQuery(_EntityFilter):
    actor: ActorId | None = None
    action: ActionName | None = None
    since: Moment | None = Field(default=None, alias="from")
    until: Moment | None = Field(default=None, alias="to")
    limit: Limit = 50
    cursor: Cursor | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AuditQuery:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError("from must not be after to")
        return self


class ReadsQuery(_EntityFilter):
    actor: ActorId | None = None
    limit: Limit = 50
    cursor: Cursor | None = None


class VerifyQuery(_EntityFilter):
    limit: Annotated[int, Field(ge=1, le=50)] = 20
    cursor: Cursor | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> VerifyQuery:
        if (self.entity is None) != (self.entity_id is None):
            raise ValueError("give entity and entity_id together, or neither to walk the whole trail")
        return self


class AuditRead(BaseModel):
    id: str
    entity: str
    entity_id: str
    seq: int
    action: str
    actor_id: str
    actor_kind: str
    source: str
    request_id: str | None
    source_ip: str | None
    at: datetime
    changes: dict[str, Any]
    reverted_audit_id: str | None = None
    prev_hash: str
    hash: str
    revertable: bool = Field(default=False, description="A revert may work: the entity has a reverter that does "
                                                        "not refuse this change whatever its state")


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_cursor: str | None = None


class SensitiveReadOut(BaseModel):
    entity: str
    entity_id: str
    field: str
    actor_id: str
    actor_kind: str
    source: str
    request_id: str | None
    source_ip: str | None
    at: datetime


class SensitiveReadPage(BaseModel):
    items: list[SensitiveReadOut]
    next_cursor: str | None = None


class ChainAnchor(BaseModel):
    """Where a chain starts once its oldest records expired (the plan's audit retention)."""

    seq: int  # the last record removed; the first kept record is seq + 1
    hash: str  # its hash, which the first kept record chains to
    removed: int
    expired_before: datetime


class ChainReport(BaseModel):
    entity: str
    entity_id: str
    records: int
    ok: bool
    first_broken_seq: int | None = None
    head_ok: bool | None = Field(default=None, description="The entity's stored chain head matches the newest "
                                                            "record (null when it cannot be told)")
    anchor: ChainAnchor | None = Field(default=None, description="The signed start of a chain whose oldest records "
                                                                 "expired; null while none has")


class VerifyOut(BaseModel):
    ok: bool
    first_broken_seq: int | None = Field(default=None, description="For one entity: the first broken link")
    chains: list[ChainReport]
    next_cursor: str | None = None


class RevertIn(Schema):
    force: bool = False
