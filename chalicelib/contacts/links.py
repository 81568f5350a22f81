"""Links between contacts and companies, written from the contact's side in one transaction.

The company's collection gets its ``CONTACT#<id>`` item through the contact's derived items (see
``derived.company_links``), so a link, an unlink, a rename of the contact, a trash and a restore
keep both collections in step without a second code path.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts.models import Contact, ContactLink
from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.service import get_or_raise, write
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, editing, links, types


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
    links.link_item(ctx, change, "contact", subject_id=contact.contact_id, kind="company", ref_id=company_id,
                    summary=summary)
    return write(ctx, contact, after, action="link_company", change=change)


def detach_company(ctx: TenantContext, contact: Contact, *, company_id: str) -> Contact:
    """Unlink a contact from a company (both collections); 404 when they are not linked."""
    if company_id not in (contact.company_ids or []):
        raise errors.NotFoundError("This contact is not linked to this company.", code="not_linked")
    after = editing.clone(contact)
    after.company_ids = [c for c in contact.company_ids or [] if c != company_id]
    editing.touch(after)
    change = db.Change().delete(ContactLink(contact.pk, links.link_key(CONTACT, "company", company_id)))
    return write(ctx, contact, after, action="unlink_company", change=change)


def link_contact(ctx: TenantContext, *, company_id: str, contact_id: str) -> Contact:
    """Link a contact to a company (both cards show it); linking twice changes nothing."""
    companies = types.get("company")
    company = access.get_or_raise(ctx, companies, company_id, action="update")
    contact = get_or_raise(ctx, contact_id, action="update")
    return attach_company(ctx, contact, company_id=company.company_id,
                          summary=companies.hooks["link_summary"](company))


def unlink_contact(ctx: TenantContext, *, company_id: str, contact_id: str) -> Contact:
    """Unlink a contact from a company; 404 when they are not linked."""
    company = access.get_or_raise(ctx, types.get("company"), company_id, action="update")
    contact = get_or_raise(ctx, contact_id, action="update")
    return detach_company(ctx, contact, company_id=company.company_id)
