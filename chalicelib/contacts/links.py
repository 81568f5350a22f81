"""Links between contacts and companies, written from the contact's side in one transaction.

The company's collection gets its ``CONTACT#<id>`` item through the contact's derived items (see
``derived.company_links``), so a link, an unlink, a rename of the contact, a trash and a restore
keep both collections in step without a second code path.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import derived, editing
from chalicelib.contacts.models import Contact, ContactLink
from chalicelib.contacts.service import link_item, link_key, save
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext


def attach_company(ctx: TenantContext, contact: Contact, *, company_id: str, summary: dict[str, Any]) -> Contact:
    """Link a contact to a company: the link in both collections and the contact's company ids."""
    from chalicelib.contacts.schemas import MAX_COMPANIES

    if company_id in (contact.company_ids or []):
        return contact
    if len(contact.company_ids or []) >= MAX_COMPANIES:
        raise errors.ValidationError(details=[{"loc": ["contact_id"], "msg": f"At most {MAX_COMPANIES} companies",
                                               "type": "too_many"}])
    after = editing.clone(contact)
    after.company_ids = [*(contact.company_ids or []), company_id]
    editing.touch(after)
    change = db.Change()
    link_item(ctx, change, contact_id=contact.contact_id, kind="company", ref_id=company_id, summary=summary)
    return save(ctx, contact, after, action="link_company", change=change)


def detach_company(ctx: TenantContext, contact: Contact, *, company_id: str) -> Contact:
    """Unlink a contact from a company (both collections); 404 when they are not linked."""
    if company_id not in (contact.company_ids or []):
        raise errors.NotFoundError("This contact is not linked to this company.")
    after = editing.clone(contact)
    after.company_ids = [c for c in contact.company_ids or [] if c != company_id]
    editing.touch(after)
    change = db.Change().delete(ContactLink(contact.pk, link_key("company", company_id)))
    return save(ctx, contact, after, action="unlink_company", change=change)


def refresh_link_summary(ctx: TenantContext, *, contact_id: str, kind: str, ref_id: str,
                         summary: dict[str, Any]) -> None:
    """Update what a contact's card shows of a link, if the link still exists (renames elsewhere)."""
    link = ContactLink(derived.contact_pk(ctx, contact_id), link_key(kind, ref_id))
    try:
        with db.translate_errors():
            link.update(actions=[ContactLink.summary.set(summary)], condition=ContactLink.pk.exists())
    except errors.VersionConflictError:
        return  # unlinked meanwhile: nothing to refresh
