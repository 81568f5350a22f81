"""Reverting a contact's audited change through the contacts service (``audit.register_reverter``).

A creation is reverted by moving the contact to the trash, a deletion by restoring it from there
(phones and e-mails claimed again, 409 when another contact took them meanwhile), an edit by
writing the previous values through ``service.update`` (validation, lookups, rows, audit), and a
company link by linking or unlinking. A merge is undone by the merge's own undo, and a purged
contact is gone: both answer 409 ``not_revertable``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import links, service
from chalicelib.contacts.models import Contact
from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.schemas import ContactFields, ContactUpdate
from chalicelib.core import audit
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, types
from chalicelib.records.reverting import Trash, edited_values, not_revertable, record_trash, start_trash_revert

UPDATABLE = frozenset(ContactFields.model_fields) - {"custom"}
DERIVED = frozenset({"team_id"})  # follows the owner: putting the owner back puts it back


def contact_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of a contact can never be reverted (a merge, a field no service writes back), or None."""
    if before is None:
        return None
    if "merged_into" in before:
        return "A merge is reverted with the merge's own undo (POST /api/v1/merges/{merge_id}/undo)."
    unknown = set(before) - UPDATABLE - DERIVED - {"deleted_at", "company_ids"}
    if any(not name.startswith("custom.") for name in unknown):
        return f"This change of a contact ({', '.join(sorted(unknown))}) cannot be reverted."
    return None


def _refuse_unrevertable(before: dict[str, Any]) -> None:
    refused = contact_refusal(before)
    if refused is not None:
        raise not_revertable(refused)


def _put_companies(ctx: TenantContext, contact: Contact, company_ids: list[str]) -> Contact:
    """Link and unlink companies until the contact has the audited ones."""
    companies = types.get("company")
    for company_id in [c for c in contact.company_ids or [] if c not in company_ids]:
        contact = links.detach_company(ctx, contact, company_id=company_id)
    for company_id in [c for c in company_ids if c not in (contact.company_ids or [])]:
        company = access.get(ctx, companies, company_id)
        if company is None:
            raise not_revertable("A company this contact was linked to no longer exists.")
        contact = links.attach_company(ctx, contact, company_id=company_id,
                                       summary=companies.hooks["link_summary"](company))
    return contact


TRASH: Trash[Contact] = record_trash(CONTACT, refuse=_refuse_unrevertable)


def revert_contact(ctx: TenantContext, contact_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a contact back as an audited change found it (trash, restore, edit, company links)."""
    started = start_trash_revert(ctx, TRASH, contact_id, before, expected)
    if started is None:
        return
    contact, rest = started
    if "company_ids" in rest:
        contact = _put_companies(ctx, contact, list(rest.pop("company_ids") or []))
    data = edited_values(rest, UPDATABLE)
    if data:
        service.update(ctx, contact_id, data=validate(ContactUpdate, {"version": int(contact.version or 0), **data}))


audit.register_reverter("contact", revert_contact, refuses=contact_refusal)
