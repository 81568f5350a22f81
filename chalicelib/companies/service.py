"""Companies: create, update, read and the card; trash, lists, links and access are the record engine's.

List rows, the trash and links work as for every record type (``records``); contacts are linked from
the contact's side, which also writes the company's ``CONTACT#<id>`` item; deals and tasks put their
``DEAL#``/``TASK#<id>`` items with ``records.links`` in their own transaction.
"""

from __future__ import annotations

from typing import Any

from chalicelib.companies.models import Company, CompanyLink
from chalicelib.companies.record import COMPANY, link_summary
from chalicelib.companies.schemas import CompanyCard, CompanyCreate, CompanyRead
from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.records import access, links
from chalicelib.records import service as records_service
from chalicelib.records import timeline as timeline_service
from chalicelib.records.models import TimelineEntry
from chalicelib.records.schemas import LinkOut

CARD_ENTRIES = 20


def get_or_raise(ctx: TenantContext, company_id: str, *, action: str = "read") -> Company:
    """A live company the caller may act on: 404 when missing or out of read scope, 403 for the action."""
    company: Company = access.get_or_raise(ctx, COMPANY, company_id, action=action)
    return company


def company_read(ctx: TenantContext, company: Company) -> CompanyRead:
    """The API view of a company."""
    custom = records_service.custom_view(ctx, COMPANY, company)
    return CompanyRead(
        id=company.company_id, name=company.name, phones=list(company.phones or []),
        emails=list(company.emails or []), website=company.website, industry=company.industry,
        address=company.address, tags=list(company.tags or []), owner_id=company.owner_id, team_id=company.team_id,
        custom=custom, created_at=company.created_at, updated_at=company.updated_at, deleted_at=company.deleted_at,
        version=int(company.version or 0),
    )


def card(ctx: TenantContext, company_id: str) -> CompanyCard:
    """The company card (company, its contacts and deals, newest timeline entries) from one Query."""
    permissions.require(ctx, COMPANY.plural, "read")
    items: list[Any] = []
    complete = True
    if is_valid_id(company_id):
        with db.translate_errors():
            results = db.MainTable.query(access.collection_pk(ctx, COMPANY, company_id),
                                         limit=CARD_ENTRIES + 80, page_size=CARD_ENTRIES + 80)
            items = [item for item in results if db.owned(ctx, item) is not None]
            complete = results.last_evaluated_key is None
    company = next((item for item in items if isinstance(item, Company)), None)
    if company is None or company.deleted_at is not None:
        raise errors.NotFoundError("No such company.")
    access.check_access(ctx, COMPANY, company)
    linked: dict[str, list[LinkOut]] = {kind: [] for kind in COMPANY.link_kinds}
    for item in items:
        if isinstance(item, CompanyLink):
            linked.setdefault(item.link_kind, []).append(LinkOut(id=item.ref_id, linked_at=item.linked_at,
                                                                 summary=item.summary or {}))
    entries = [timeline_service.entry_view(item) for item in items if isinstance(item, TimelineEntry)]
    more_links = not complete and not entries  # the Query stopped before reaching the timeline
    return CompanyCard(**company_read(ctx, company).model_dump(), contact_ids=[c.id for c in linked["contact"]],
                       links=linked, timeline=entries[:CARD_ENTRIES],
                       more_timeline=len(entries) > CARD_ENTRIES or not complete, more_links=more_links)


# -- writing --------------------------------------------------------------------------------


def create(ctx: TenantContext, *, data: CompanyCreate, company_id: str | None = None) -> Company:
    """Create a company (an import passes the id it chose for the row, so a retry never creates twice)."""
    company: Company = records_service.create(ctx, COMPANY, data=data, record_id=company_id)
    return company


def refresh_contact_links(ctx: TenantContext, before: Company, after: Company) -> None:
    """Show a renamed company's new name on its contacts' cards (best effort, after the commit)."""
    if link_summary(before) == link_summary(after):
        return
    for contact_id in links.linked_ids(ctx, "company", subject_id=after.company_id, kind="contact"):
        links.refresh_summary(ctx, "contact", subject_id=contact_id, kind="company", ref_id=after.company_id,
                              summary=link_summary(after))
