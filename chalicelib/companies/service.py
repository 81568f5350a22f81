"""Companies: create, update, read and the card; trash, lists, links and access are the record engine's.

List rows, the trash and links work as for every record type (``records``); contacts are linked from
the contact's side, which also writes the company's ``CONTACT#<id>`` item; deals and tasks put their
``DEAL#``/``TASK#<id>`` items with ``records.links`` in their own transaction.
"""

from __future__ import annotations

from chalicelib.companies.models import Company
from chalicelib.companies.record import COMPANY, link_summary
from chalicelib.companies.schemas import CompanyCard, CompanyCreate, CompanyRead
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import card as records_card
from chalicelib.records import links
from chalicelib.records import service as records_service


def company_read(ctx: TenantContext, company: Company) -> CompanyRead:
    """The API view of a company."""
    custom = records_service.custom_view(ctx, COMPANY, company)
    return CompanyRead(
        id=company.company_id, name=company.name, phones=list(company.phones or []),
        emails=list(company.emails or []), website=company.website, industry=company.industry,
        address=company.address, tax_number=company.tax_number, kpp=company.kpp,
        registration_number=company.registration_number, tags=list(company.tags or []),
        owner_id=company.owner_id, team_id=company.team_id,
        custom=custom, created_at=company.created_at, updated_at=company.updated_at, deleted_at=company.deleted_at,
        version=int(company.version or 0),
    )


def card(ctx: TenantContext, company_id: str) -> CompanyCard:
    """The company card (company, its contacts and deals, newest timeline entries) from one Query."""
    found = records_card.card(ctx, COMPANY, company_id)
    return CompanyCard(**company_read(ctx, found.record).model_dump(), **found.parts(),
                       contact_ids=[link.id for link in found.links["contact"]])


# -- writing --------------------------------------------------------------------------------


def create(ctx: TenantContext, *, data: CompanyCreate, company_id: str | None = None,
           change: db.Change | None = None) -> Company:
    """Create a company (an import passes the id it chose for the row, so a retry never creates twice, and may pass
    a ``change`` of its own writes to commit in the company's transaction: the row's notes)."""
    company: Company = records_service.create(ctx, COMPANY, data=data, record_id=company_id, change=change)
    return company


def refresh_contact_links(ctx: TenantContext, before: Company, after: Company) -> None:
    """Show a renamed company's new name on its contacts' cards (best effort, after the commit)."""
    if link_summary(before) == link_summary(after):
        return
    for contact_id in links.linked_ids(ctx, "company", subject_id=after.company_id, kind="contact"):
        links.refresh_summary(ctx, "contact", subject_id=contact_id, kind="company", ref_id=after.company_id,
                              summary=link_summary(after))
