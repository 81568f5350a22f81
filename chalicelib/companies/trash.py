"""The companies' trash: soft delete, restore within 30 days, purge by an admin or after 30 days.

A deleted company leaves every list; its contacts keep their link to it (their cards show it until
it is purged), and purging it unlinks them first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.companies import service
from chalicelib.companies.models import Company, CompanyRow
from chalicelib.contacts import editing, listing
from chalicelib.contacts import links as contact_links
from chalicelib.contacts import service as contacts_service
from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping import service as housekeeping

RETENTION = timedelta(days=30)


def delete(ctx: TenantContext, company_id: str) -> Company:
    """Move a company to the trash (restorable for 30 days)."""
    before = service.get_or_raise(ctx, company_id, action="delete")
    after = editing.clone(before)
    now = db.utcnow()
    after.deleted_at, after.updated_at, after.expires_at = now, now, now + RETENTION
    change = db.Change()
    housekeeping.schedule_purge(ctx, change, entity="company", record_id=company_id, deleted_at=now)
    service.save(ctx, before, after, action="delete", change=change)
    return after


def get_trashed(ctx: TenantContext, company_id: str) -> Company:
    """A company in the trash the caller may see, or 404."""
    permissions.require(ctx, service.ENTITY, "read")
    company = service.get_any(ctx, company_id)
    if company is None or company.deleted_at is None:
        raise errors.NotFoundError("No such company in the trash.")
    service.check_access(ctx, company)
    return company


def restore(ctx: TenantContext, company_id: str, *, now: datetime | None = None) -> Company:
    """Bring a company back from the trash."""
    before = get_trashed(ctx, company_id)
    service.check_access(ctx, before, "delete")
    if (now or db.utcnow()) - before.deleted_at > RETENTION:
        raise errors.ConflictError("This company was deleted more than 30 days ago.", code="trash_expired")
    after = editing.clone(before)
    after.deleted_at, after.expires_at, after.updated_at = None, None, db.utcnow()
    change = db.Change()
    housekeeping.cancel_purge(ctx, change, entity="company", record_id=company_id)
    service.save(ctx, before, after, action="restore", change=change)
    return after


def list_trash(ctx: TenantContext, *, limit: int, cursor: str | None) -> db.Page[CompanyRow]:
    """Deleted companies the caller could restore, most recently deleted first."""
    scope = permissions.require(ctx, service.ENTITY, "delete")
    return listing.trash_rows(ctx, CompanyRow, service.SPACE, limit=limit, cursor=cursor,
                              conditions=listing.scope_conditions(ctx, CompanyRow, scope))


def purge(ctx: TenantContext, company_id: str) -> None:
    """Delete a company in the trash for good (admins only; audited); its contacts are unlinked first."""
    if permissions.require(ctx, service.ENTITY, "delete") != "all":
        raise errors.ForbiddenError("Only an administrator may purge the trash.")
    purge_company(ctx, get_trashed(ctx, company_id))


def purge_company(ctx: TenantContext, company: Company) -> None:
    """Unlink the company's contacts, delete its collection, then the company with its audit record."""
    for contact_id in service.contact_ids(ctx, company.company_id):
        contact = contacts_service.get_any(ctx, contact_id)
        if contact is not None and company.company_id in (contact.company_ids or []):
            contact_links.detach_company(ctx, contact, company_id=company.company_id)
    change = db.Change()
    housekeeping.delete_collection(ctx, change, service.company_pk(ctx, company.company_id),
                                   profile_sk=service.PROFILE_SK)
    service.save(ctx, company, None, action="purge", change=change)


def purge_expired(ctx: TenantContext, *, now: datetime | None = None, limit: int = 100) -> int:
    """Purge companies deleted more than 30 days ago (the scheduled job; no permission check)."""
    cutoff = ((now or db.utcnow()) - RETENTION).isoformat()
    page = listing.trash_rows(ctx, CompanyRow, service.SPACE, limit=limit, cursor=None, conditions=[], before=cutoff)
    purged = 0
    for row in page.items:
        company = service.get_any(ctx, row.record_id)
        if company is not None and company.deleted_at is not None:
            purge_company(ctx, company)
            purged += 1
    return purged


def purge_if_expired(ctx: TenantContext, company_id: str, now: datetime) -> bool:
    """Purge a company still in the trash 30 days after its deletion (the housekeeping job); True if purged."""
    company = service.get_any(ctx, company_id)
    if company is None or company.deleted_at is None or now - company.deleted_at <= RETENTION:
        return False
    purge_company(ctx, company)
    return True
