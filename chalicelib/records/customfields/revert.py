"""Reverting a custom field definition's audited change through its service (``audit.register_reverter``).

A creation is reverted by archiving the definition (stored values stay, as for any archive), an
archive by restoring it, an edit by writing the previous label, options, position and flags through
``service.update_field``. Key, type, entity and sensitivity are fixed at creation and never change.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, errors
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.records.customfields import service
from chalicelib.records.customfields.schemas import FieldUpdate
from chalicelib.records.reverting import expect, not_revertable

EDITABLE = frozenset(FieldUpdate.model_fields) - {"version"}


def field_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of a definition can never be reverted (its key, type, entity or sensitivity), or None."""
    fixed = set(before or {}) - EDITABLE
    return f"A custom field's {', '.join(sorted(fixed))} never change after creation." if fixed else None


def revert_field(ctx: TenantContext, field_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Archive a created definition, restore an archived one, or put an edited one's settings back."""
    definition = service.get_field(ctx, field_id)
    if definition is None:
        raise errors.NotFoundError("No such custom field.")
    version = expect(int(definition.version or 0), expected)
    if before is None:
        if definition.archived:
            raise not_revertable("This custom field is already archived.")
        service.archive_field(ctx, field_id)
        return
    refused = field_refusal(before)
    if refused is not None:
        raise not_revertable(refused)
    service.update_field(ctx, field_id, validate(FieldUpdate, {"version": version, **before}))


audit.register_reverter("custom_field", revert_field, refuses=field_refusal)
