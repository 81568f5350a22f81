"""Creating and changing a record of any type: owner, fields, custom values, version, timeline, audit.

A type's own values are set by its ``apply(ctx, record, fields)`` hook (``fields`` is the request's
JSON dump, unset fields absent) and what follows a committed change by ``updated(ctx, before,
after)``; everything else is the same for every type.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.records import access, editing, store
from chalicelib.records import timeline as timeline_service
from chalicelib.records.types import RecordType

OWN_FIELDS = {"custom", "owner_id", "version"}


def create(ctx: TenantContext, rtype: RecordType, *, data: Any, record_id: str | None = None,
           change: db.Change | None = None) -> Any:
    """Create a record owned by the caller unless another owner is given.

    An import passes the id it chose for the row, so a retried row cannot create a second record."""
    if record_id is not None and not is_valid_id(record_id):
        raise ValueError("a record id must be a ULID")
    scope = permissions.require(ctx, rtype.plural, "create")
    owner_id, team_id = editing.resolve_owner(ctx, data.owner_id, scope)
    record_id = record_id or new_id()
    record = rtype.model(access.collection_pk(ctx, rtype, record_id), timeline_service.PROFILE_SK,
                         owner_id=owner_id, team_id=team_id, **{rtype.id_attribute: record_id})
    rtype.hooks["apply"](ctx, record, data.model_dump(mode="json", exclude_unset=True, exclude=OWN_FIELDS))
    editing.apply_custom(ctx, rtype, record, data.custom, new=True)
    change = db.Change().extend(change)
    timeline_service.add_entry(ctx, change, subject_type=rtype.name, subject_id=record_id, kind="created",
                               summary=f"{rtype.label.capitalize()} created")
    store.write(ctx, rtype, None, record, action="create", change=change)
    return record


def update(ctx: TenantContext, rtype: RecordType, record_id: str, *, data: Any) -> tuple[Any, Any]:
    """Change a record; a stale version answers 409 and changes nothing. Answers (before, after)."""
    before = access.get_or_raise(ctx, rtype, record_id, action="update")
    after = editing.updating(ctx, rtype, before, data)
    rtype.hooks["apply"](ctx, after, data.model_dump(mode="json", exclude_unset=True, exclude=OWN_FIELDS))
    if "custom" in data.model_fields_set:
        editing.apply_custom(ctx, rtype, after, data.custom, new=False)
    store.write(ctx, rtype, before, after, action="update")
    updated = rtype.hook("updated")
    if updated is not None:
        updated(ctx, before, after)
    return before, after


def custom_view(ctx: TenantContext, rtype: RecordType, record: Any) -> dict[str, Any]:
    """A record's custom values as the API shows them (sensitive ones masked)."""
    if not record.custom:
        return {}  # no definitions to read for a record without custom values
    from chalicelib.records.customfields import service as customfields_service

    view: dict[str, Any] = customfields_service.view(ctx, entity=rtype.name, record_id=rtype.record_id(record),
                                                     stored=record.custom)
    return view
