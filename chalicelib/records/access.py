"""Reading a record of any type and checking the caller's scope on it (own / team / all).

``get`` answers live records only, whatever the type; the trash is read through ``records.trash``.
Another tenant's id, a malformed id, a record outside the caller's read scope and a missing one all
answer the same 404.

An open task assigned to the caller lets them read the record it is about, whatever their scope: a visit the
dispatcher hands a technician, a call a manager asks an agent to make (:func:`on_my_task`). They read it only,
as their role's field rules show it, and may add notes and tasks to it; changing it stays within their scope.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, errors, http, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, tenant_key
from chalicelib.records import types
from chalicelib.records.models import RecordLink
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.records.types import RecordType


def collection_pk(ctx: TenantContext, rtype: RecordType, record_id: str) -> str:
    """The record's item collection: the record, its links, its timeline."""
    return tenant_key(ctx, rtype.prefix, record_id)


def get_any(ctx: TenantContext, rtype: RecordType, record_id: str) -> Any:
    """The record whether live or in the trash, or None (no permission check)."""
    if not is_valid_id(record_id):
        return None
    remembered = http.remembered((rtype.name, ctx.tenant_id, record_id))
    if isinstance(remembered, rtype.model):
        return remembered
    return db.get(ctx, rtype.model, collection_pk(ctx, rtype, record_id), PROFILE_SK)


def remember(ctx: TenantContext, rtype: RecordType, record: Any) -> None:
    """Within a processing run (``http.run_memo``), answer the run's later reads of the record from this
    item: one the run has just created or found and does not change."""
    http.remember((rtype.name, ctx.tenant_id, rtype.record_id(record)), record)


def get(ctx: TenantContext, rtype: RecordType, record_id: str) -> Any:
    """A live record of the tenant, or None (no permission check: for webhooks and jobs)."""
    record = get_any(ctx, rtype, record_id)
    return record if record is not None and record.deleted_at is None else None


def get_many(ctx: TenantContext, rtype: RecordType, record_ids: list[str]) -> list[Any]:
    """The live records of those ids in BatchGetItems of 100, in no set order (no permission check: for jobs)."""
    keys = [(collection_pk(ctx, rtype, record_id), PROFILE_SK) for record_id in record_ids if is_valid_id(record_id)]
    found = db.get_many(ctx, keys).values() if keys else []
    return [record for record in found if isinstance(record, rtype.model) and record.deleted_at is None]


def may_read(ctx: TenantContext, rtype: RecordType, record: Any) -> bool:
    """True when the caller's read scope covers the record."""
    return permissions.may_read_record(ctx, rtype.plural, owner_id=record.owner_id, team_id=record.team_id)


def may_act(ctx: TenantContext, rtype: RecordType, record: Any, action: str) -> bool:
    """True when the caller may do action on the record."""
    scope = permissions.scope_of(ctx, rtype.plural, action)
    return scope is not None and permissions.may_touch(ctx, scope, owner_id=record.owner_id, team_id=record.team_id)


def on_my_task(ctx: TenantContext, rtype: RecordType, record_id: str) -> bool:
    """True when an open task about the record (or about a deal it is a contact of) is assigned to the caller: one
    Query over the record's task links, asked only when the caller's scope does not cover the record."""
    if "task" not in rtype.link_kinds or not ctx.actor_id:
        return False
    model = rtype.link_model or RecordLink
    with db.translate_errors():
        tasks = model.query(collection_pk(ctx, rtype, record_id), model.sk.startswith(f"{rtype.link_kinds['task']}#"))
        return any((link.summary or {}).get("assignee_id") == ctx.actor_id and not (link.summary or {}).get("done")
                   for link in tasks)


def check_access(ctx: TenantContext, rtype: RecordType, record: Any, action: str = "read") -> None:
    """404 when the caller may not read the record, 403 when it may read but not do action; a record the caller
    reads through an open task of theirs (:func:`on_my_task`) is theirs to read and not to change."""
    if not may_read(ctx, rtype, record) and permissions.scope_of(ctx, rtype.plural, "read") is not None \
            and on_my_task(ctx, rtype, rtype.record_id(record)):
        if action != "read":
            raise errors.ForbiddenError(f"You may read this {rtype.label} for your task but not change it.",
                                        code="task_read_only")
        return
    permissions.check_record(ctx, rtype.plural, action, owner_id=record.owner_id, team_id=record.team_id,
                             missing=f"No such {rtype.label}.")


def get_or_raise(ctx: TenantContext, rtype: RecordType, record_id: str, *, action: str = "read") -> Any:
    """A live record the caller may act on: 404 when missing or out of read scope, 403 for the action."""
    permissions.require(ctx, rtype.plural, action)
    record = get(ctx, rtype, record_id)
    if record is None:
        raise errors.NotFoundError(f"No such {rtype.label}.")
    check_access(ctx, rtype, record, action)
    return record


def resolve(ctx: TenantContext, rtype: RecordType, record_id: str) -> str:
    """The id a record lives on as: itself, or the one its type says it became (a merged contact)."""
    own = rtype.hook("resolve")
    return str(own(ctx, record_id)) if own is not None else record_id


def require_visible(ctx: TenantContext, subject_type: str, subject_id: str, *, loc: list[str | int]) -> Any:
    """The live record a task, note or link names, within the caller's read scope; 422 for an unknown
    type, 404 (naming loc) otherwise."""
    rtype = types.get(subject_type, loc=tuple(loc))
    try:
        return get_or_raise(ctx, rtype, subject_id)
    except errors.NotFoundError:
        raise errors.NotFoundError(f"No such {rtype.label}.", details=[
            {"loc": loc, "msg": f"No such {rtype.label}", "type": "not_found"}]) from None
