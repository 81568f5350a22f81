"""Contacts found by an exact key (the contact type's ``exact`` hook; lists and word search are the engine's).

- ``q`` that reads as a phone: parsed with the tenant's region, then the phone's lookup item, which
  carries the contact's list row (one GetItem; a lookup written before it did: then the contact); not a
  whole valid number: None (the engine finds it as a part of a number, ``records.search``).
- ``q`` with an ``@``: the e-mail's lookup item likewise, else None (the engine's prefix search).
- ``tax_id`` / ``iban``: the blind index of the encrypted value (sensitive permission only).
"""

from __future__ import annotations

from chalicelib.contacts import derived, sensitive
from chalicelib.contacts.models import Contact, ContactLookup, ContactRow
from chalicelib.contacts.schemas import ContactListQuery
from chalicelib.core import db, errors, permissions, phones
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import listing, matching


def _rows_of(ctx: TenantContext, contacts: list[Contact | None]) -> list[ContactRow]:
    rows: list[ContactRow] = []
    for contact in contacts:
        if contact is not None and contact.deleted_at is None:
            key = listing.RowKey(derived.contact_pk(ctx, contact.contact_id), contact.contact_id)
            rows.append(derived.row_builder(contact, pending=False)(key))
    return rows


def _by_lookup(ctx: TenantContext, pk: str) -> list[ContactRow]:
    """The row of the live contact holding a phone or e-mail: one GetItem of its lookup, which carries
    the row (a lookup written before lookups carried it costs a second GetItem, of the contact)."""
    found = db.get(ctx, ContactLookup, pk, derived.LOOKUP_SK)
    if found is None:
        return []
    row = derived.lookup_row(ctx, found)
    if row is not None:
        return [row] if row.deleted_at is None else []
    return _rows_of(ctx, [db.get(ctx, Contact, derived.contact_pk(ctx, found.contact_id), derived.PROFILE_SK)])


def _by_blind_index(ctx: TenantContext, field: str, value: str) -> list[ContactRow]:
    if not permissions.sees_sensitive(ctx):
        raise errors.ForbiddenError("Your role may not search by sensitive fields.", code="sensitive_forbidden")
    digest = sensitive.lookup_digest(ctx, field, value)
    if digest is None:
        return []
    with db.translate_errors():
        ids = [item.contact_id for item in ContactLookup.query(derived.blind_key(ctx, field, digest), limit=50)]
        keys = [(derived.contact_pk(ctx, cid), derived.PROFILE_SK) for cid in ids]
        contacts = list(Contact.batch_get(keys, consistent_read=True)) if keys else []
    return _rows_of(ctx, [db.owned(ctx, contact) for contact in contacts])


def exact(ctx: TenantContext, query: ContactListQuery) -> list[ContactRow] | None:
    """Rows found by an exact key (phone, e-mail, tax id, IBAN), or None when the query is not one."""
    if query.tax_id or query.iban:
        field, value = ("tax_id", query.tax_id) if query.tax_id else ("iban", query.iban)
        return _by_blind_index(ctx, field, value or "")
    q = query.q or ""
    if matching.looks_like_phone(q):
        e164 = phones.e164(q, matching.tenant_region(ctx))
        if e164 is not None:
            return _by_lookup(ctx, derived.phone_key(ctx, e164))
        return None  # a part of a number: the engine searches its digits
    if "@" in q and matching.is_email(matching.normalise_email(q)):
        rows = _by_lookup(ctx, derived.email_key(ctx, matching.normalise_email(q)))
        return rows or None  # not a known address: fall back to the prefix search
    return None
