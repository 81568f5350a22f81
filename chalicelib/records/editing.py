"""Values every record type writes the same way: copies, phones in E.164, e-mails, the owner, the time of a change."""

from __future__ import annotations

from typing import Any, TypeVar

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import matching
from chalicelib.records.types import RecordType

_Item = TypeVar("_Item", bound=db.MainTable)


def clone(item: _Item) -> _Item:
    """An independent copy of an item (the "before" of a change)."""
    return type(item).from_raw_data(item.serialize())


def phones(raw: list[dict[str, Any]], region: str) -> list[dict[str, str]]:
    """Phones in E.164 with their kind, duplicates dropped; 422 naming the first invalid one."""
    found: dict[str, str] = {}
    for position, phone in enumerate(raw):
        number = matching.clean_phone(phone["number"], region, loc=["phones", position, "number"])
        found.setdefault(number, phone.get("kind") or "mobile")
    return [{"number": number, "kind": kind} for number, kind in found.items()]


def emails(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """E-mails (already lower-cased by the schema) with their kind, duplicates dropped."""
    found: dict[str, str] = {}
    for email in raw:
        found.setdefault(email["address"], email.get("kind") or "work")
    return [{"address": address, "kind": kind} for address, kind in found.items()]


def resolve_owner(ctx: TenantContext, owner_id: str | None, scope: str, *,
                  handed: str | None = None) -> tuple[str, str | None]:
    """The owner (default: the acting user, else the tenant's owner) and the team the record joins; a record
    ``handed`` over (its entity named) goes only to a colleague whose role reads that entity, else 422."""
    from chalicelib.identity import access as identity_access
    from chalicelib.identity import service as identity_service

    if owner_id is None:  # an API key or a webhook gives new records to the tenant's owner
        owner_id = ctx.actor_id if ctx.actor_kind == "user" else identity_service.tenant_settings_or_raise(ctx).owner_id
    user = identity_service.get_user(ctx, owner_id)
    if user is None or user.status == "deactivated":
        raise errors.ValidationError(details=[{"loc": ["owner_id"], "msg": "No such active user",
                                               "type": "unknown_owner"}])
    if not permissions.may_touch(ctx, scope, owner_id=user.user_id, team_id=user.team_id):
        raise errors.ForbiddenError("You may not give a record to someone outside your scope.",
                                    code="owner_outside_scope")
    if handed is not None:
        identity_access.require_reader(ctx, user.role, handed, ["owner_id"])
    return user.user_id, user.team_id


def touch(record: db.MainTable) -> None:
    """Mark a record as changed now."""
    record.updated_at = db.utcnow()  # type: ignore[attr-defined]


def apply_custom(ctx: TenantContext, rtype: RecordType, record: Any, values: dict[str, Any] | None, *,
                 new: bool) -> None:
    """Validate custom values against the tenant's definitions and set them with their index pairs."""
    from chalicelib.records.customfields import service as customfields_service

    cleaned = customfields_service.clean(ctx, entity=rtype.name, record_id=rtype.record_id(record),
                                         values=values or {}, existing=None if new else dict(record.custom or {}))
    record.custom, record.custom_sensitive = cleaned.stored, sorted(cleaned.sensitive)
    record.custom_indexed = [[key, value] for key, value in cleaned.indexed]


def updating(ctx: TenantContext, rtype: RecordType, before: Any, data: Any) -> Any:
    """The copy of a record an update changes: 409 on a stale version; the owner (and team) changed
    when the update names another one (null changes nothing: records keep an owner)."""
    if int(before.version or 0) != data.version:
        raise errors.VersionConflictError()
    after = clone(before)
    touch(after)
    if data.owner_id is not None and data.owner_id != before.owner_id:
        after.owner_id, after.team_id = resolve_owner(ctx, data.owner_id,
                                                      permissions.require(ctx, rtype.plural, "update"),
                                                      handed=rtype.plural)
    return after
