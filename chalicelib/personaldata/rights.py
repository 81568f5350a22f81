"""Who may export or erase a person's data, and which person: administrators only, a contact of their company."""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, types
from chalicelib.records.fieldaccess import service as fieldaccess


class AdminOnlyError(errors.ForbiddenError):
    code = "personal_data_admin_only"
    message = "Only an administrator may export or erase a person's data."


def require_admin(ctx: TenantContext) -> None:
    """403 unless the caller may delete every contact (an administrator), as a purge requires."""
    if permissions.scope_of(ctx, "contacts", "delete") != "all":
        raise AdminOnlyError()


class FieldsHiddenError(errors.ForbiddenError):
    code = "personal_data_fields_hidden"
    message = "Your role does not show every field of a contact, so it may not export a person's whole data."


def require_whole_view(ctx: TenantContext) -> None:
    """403 unless the caller's role shows a contact whole: no field rule hides one of its fields, and it reads
    sensitive values in clear. The export gives her every value; a role that may delete every contact but is kept
    from her phone or her passport number must not read them there."""
    if fieldaccess.hidden(ctx, types.get("contact")) or not permissions.sees_sensitive(ctx):
        raise FieldsHiddenError("Your role does not show every field of a contact (a field rule, or sensitive values "
                                "masked), so it may not export a person's whole data. Ask an administrator.")


class ErasureRunningError(errors.ConflictError):
    code = "personal_data_erasure_running"
    message = "This person's data is being erased; there is nothing left to export."


def contact_or_404(ctx: TenantContext, contact_id: str) -> Any:
    """The contact, live or in the trash (not one merged into another), or 404."""
    contact = access.get_any(ctx, types.get("contact"), contact_id)
    if contact is None or contact.merged_into:
        raise errors.NotFoundError("No such contact.")
    return contact
