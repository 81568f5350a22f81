"""Use cases across companies and contacts: linking a contact to a company and unlinking it."""

from __future__ import annotations

from chalicelib.companies import service
from chalicelib.contacts import links as contact_links
from chalicelib.contacts import service as contacts_service
from chalicelib.contacts.models import Contact
from chalicelib.core.tenancy import TenantContext


def link_contact(ctx: TenantContext, *, company_id: str, contact_id: str) -> Contact:
    """Link a contact to a company (both cards show it); linking twice changes nothing."""
    company = service.get_or_raise(ctx, company_id, action="update")
    contact = contacts_service.get_or_raise(ctx, contact_id, action="update")
    return contact_links.attach_company(ctx, contact, company_id=company.company_id,
                                        summary=service.link_summary(company))


def unlink_contact(ctx: TenantContext, *, company_id: str, contact_id: str) -> Contact:
    """Unlink a contact from a company; 404 when they are not linked."""
    company = service.get_or_raise(ctx, company_id, action="update")
    contact = contacts_service.get_or_raise(ctx, contact_id, action="update")
    return contact_links.detach_company(ctx, contact, company_id=company.company_id)
