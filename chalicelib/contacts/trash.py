"""The contacts' trash: soft delete, restore within 30 days, purge by an admin or after 30 days.

A deleted contact leaves every list (its rows give way to one trash row) and releases its phones,
e-mails and blind-index lookups, so a new contact may take them; restoring claims them again and
answers 409 when one was taken meanwhile. The item keeps ``expires_at`` (deletion + 30 days), the
TTL that lets DynamoDB remove it should the purge job miss it (moto never expires TTL items).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.contacts import derived, editing, listing, views
from chalicelib.contacts.models import Contact, ContactLink, ContactRow
from chalicelib.contacts.service import ENTITY, check_access, get_any, get_or_raise, link_key, save
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping import service as housekeeping

RETENTION = timedelta(days=30)


class TrashExpiredError(errors.ConflictError):
    code = "trash_expired"
    message = "This contact was deleted more than 30 days ago and can no longer be restored."


def delete(ctx: TenantContext, contact_id: str) -> Contact:
    """Move a contact to the trash (restorable for 30 days)."""
    before = get_or_raise(ctx, contact_id, action="delete")
    after = editing.clone(before)
    now = db.utcnow()
    after.deleted_at, after.updated_at, after.expires_at = now, now, now + RETENTION
    change = db.Change()
    housekeeping.schedule_purge(ctx, change, entity="contact", record_id=contact_id, deleted_at=now)
    return save(ctx, before, after, action="delete", change=change)


def get_trashed(ctx: TenantContext, contact_id: str) -> Contact:
    """A contact in the trash the caller may see, or 404."""
    permissions.require(ctx, ENTITY, "read")
    contact = get_any(ctx, contact_id)
    if contact is None or contact.deleted_at is None:
        raise errors.NotFoundError("No such contact in the trash.")
    check_access(ctx, contact)
    return contact


def restore(ctx: TenantContext, contact_id: str, *, now: datetime | None = None) -> Contact:
    """Bring a contact back from the trash, claiming its phones and e-mails again (409 when taken)."""
    before = get_trashed(ctx, contact_id)
    check_access(ctx, before, "delete")
    if before.merged_into:
        raise errors.ConflictError("This contact was merged into another; undo the merge instead.",
                                   code="merged_contact")
    if (now or db.utcnow()) - before.deleted_at > RETENTION:
        raise TrashExpiredError()
    after = editing.clone(before)
    after.deleted_at, after.expires_at = None, None
    editing.touch(after)
    change = db.Change()
    housekeeping.cancel_purge(ctx, change, entity="contact", record_id=contact_id)
    _drop_purged_companies(ctx, change, after)
    return save(ctx, before, after, action="restore", change=change)


def _drop_purged_companies(ctx: TenantContext, change: db.Change, contact: Contact) -> None:
    """Forget companies purged while the contact was in the trash (their purge could not see it)."""
    from chalicelib.companies import service as companies_service

    gone = [c for c in contact.company_ids or [] if companies_service.get_any(ctx, c) is None]
    for company_id in gone:
        change.delete(ContactLink(contact.pk, link_key("company", company_id)))
    contact.company_ids = [c for c in contact.company_ids or [] if c not in gone]


def list_trash(ctx: TenantContext, *, limit: int, cursor: str | None) -> db.Page[ContactRow]:
    """Deleted contacts the caller could restore, most recently deleted first."""
    scope = permissions.require(ctx, ENTITY, "delete")
    return listing.trash_rows(ctx, ContactRow, derived.SPACE, limit=limit, cursor=cursor,
                              conditions=listing.scope_conditions(ctx, ContactRow, scope))


def purge(ctx: TenantContext, contact_id: str) -> None:
    """Delete a contact in the trash for good, its whole collection included (admins only; audited)."""
    if permissions.require(ctx, ENTITY, "delete") != "all":
        raise errors.ForbiddenError("Only an administrator may purge the trash.")
    purge_contact(ctx, get_trashed(ctx, contact_id))


def purge_contact(ctx: TenantContext, contact: Contact) -> None:
    """Delete a trashed contact's collection, then the contact itself with its audit record."""
    change = db.Change()
    housekeeping.delete_collection(ctx, change, derived.contact_pk(ctx, contact.contact_id),
                                   profile_sk=derived.PROFILE_SK)
    change.delete(contact)
    derived.Derived().add(ctx, contact, None).apply(change)
    audit.attach(ctx, change, contact, entity="contact", entity_id=contact.contact_id, action="purge",
                 before=views.audit_view(contact), after=None, sensitive=views.audit_sensitive(contact))
    db.commit(ctx, change)


def purge_expired(ctx: TenantContext, *, now: datetime | None = None, limit: int = 100) -> int:
    """Purge contacts deleted more than 30 days ago (the scheduled job; no permission check)."""
    cutoff = ((now or db.utcnow()) - RETENTION).isoformat()
    page = listing.trash_rows(ctx, ContactRow, derived.SPACE, limit=limit, cursor=None, conditions=[], before=cutoff)
    purged = 0
    for row in page.items:
        contact = get_any(ctx, row.record_id)
        if contact is not None and contact.deleted_at is not None:
            purge_contact(ctx, contact)
            purged += 1
    return purged


def purge_if_expired(ctx: TenantContext, contact_id: str, now: datetime) -> bool:
    """Purge a contact still in the trash 30 days after its deletion (the housekeeping job); True if purged."""
    contact = get_any(ctx, contact_id)
    if contact is None or contact.deleted_at is None or now - contact.deleted_at <= RETENTION:
        return False
    purge_contact(ctx, contact)
    return True
