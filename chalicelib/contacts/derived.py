"""Items derived from a contact's state, rewritten in the transaction that changes the contact.

List rows, the unique phone and e-mail lookups, the blind-index lookups of encrypted ids and the
contact's entries in its companies' collections all follow from the contact item alone, so a change
is described by the state before and after: no read is needed to know what to delete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.contacts.models import Contact, ContactLookup, ContactRow
from chalicelib.contacts.record import CONTACT
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import links, listing, lookups, store
from chalicelib.records import timeline as timeline_service
from chalicelib.records.matching import fold, search_tokens

SPACE = "CX"
LOOKUP_SK = "LOOKUP"
PROFILE_SK = timeline_service.PROFILE_SK
Key = tuple[str, str]


def contact_pk(ctx: TenantContext, contact_id: str) -> str:
    """The contact's item collection."""
    return timeline_service.subject_pk(ctx, "contact", contact_id)


def phone_key(ctx: TenantContext, e164: str) -> str:
    """Partition of the lookup of one phone number (shared with the companies that have it)."""
    return lookups.lookup_pk(ctx, "phone", e164)


def email_key(ctx: TenantContext, email: str) -> str:
    """Partition of the lookup of one e-mail address."""
    return lookups.lookup_pk(ctx, "email", email)


def blind_key(ctx: TenantContext, field: str, digest: str) -> str:
    """Partition of the contacts whose encrypted field has this blind index."""
    return tenant_key(ctx, "CBI", field, digest)


def full_name(contact: Contact) -> str:
    """First and last name as one display string."""
    return " ".join(part for part in (contact.first_name, contact.last_name) if part)


def primary(contact: Contact, field: str, attr: str) -> str | None:
    """The first phone or e-mail of a contact."""
    values = getattr(contact, field) or []
    return values[0][attr] if values else None


def facets(contact: Contact) -> listing.Facets:
    """What the contact is listed, filtered and found by."""
    emails = [email["address"] for email in contact.emails or []]
    deleted = contact.deleted_at.isoformat() if contact.deleted_at else None
    return listing.Facets(
        record_id=contact.contact_id, owner_id=contact.owner_id, team_id=contact.team_id,
        tags=tuple(contact.tags or ()), custom=tuple((k, v) for k, v in contact.custom_indexed or []),
        tokens=tuple(search_tokens(contact.first_name, contact.last_name, extra=emails)),
        sort_name=fold(full_name(contact)) or (emails[0] if emails else ""), updated_at=contact.updated_at.isoformat(),
        deleted_at=deleted,
    )


def row_values(contact: Contact) -> dict[str, Any]:
    """What a contact's list rows show besides the common attributes."""
    return {"first_name": contact.first_name, "last_name": contact.last_name,
            "phone": primary(contact, "phones", "number"), "email": primary(contact, "emails", "address"),
            "company_ids": list(contact.company_ids or [])}


def row_builder(contact: Contact, *, pending: bool = True) -> Callable[[listing.RowKey], ContactRow]:
    """A function making the contact's row for a list key (pending: the contact is about to be saved)."""
    return store.row_builder(CONTACT, contact, pending=pending)


# What a phone or e-mail lookup carries of the contact's list row: the row's attributes but its search
# tokens (a row found by key needs none), never more, so the lookup is exactly as sensitive as the row.
LOOKUP_SUMMARY = ("first_name", "last_name", "phone", "email", "tags", "cf", "owner_id", "team_id", "company_ids",
                  "created_at", "updated_at", "deleted_at", "version")


def unique_lookups(ctx: TenantContext, contact: Contact | None, *, pending: bool = True) -> dict[Key, ContactLookup]:
    """The phone and e-mail lookups a live contact holds, each with the contact's list row (pending:
    the contact is about to be saved, see ``row_builder``)."""
    if contact is None or contact.deleted_at is not None:
        return {}
    keys = [phone_key(ctx, phone["number"]) for phone in contact.phones or []]
    keys += [email_key(ctx, email["address"]) for email in contact.emails or []]
    if not keys:
        return {}
    row = row_builder(contact, pending=pending)(listing.RowKey(contact_pk(ctx, contact.contact_id), contact.contact_id))
    summary = {name: getattr(row, name) for name in LOOKUP_SUMMARY}
    return {(pk, LOOKUP_SK): ContactLookup(pk, LOOKUP_SK, contact_id=contact.contact_id, **summary) for pk in keys}


def lookup_row(ctx: TenantContext, lookup: ContactLookup) -> ContactRow | None:
    """The list row a phone or e-mail lookup carries, or None for one written before lookups carried it."""
    if lookup.version is None or lookup.owner_id is None or lookup.created_at is None or lookup.updated_at is None:
        return None
    summary = {name: getattr(lookup, name) for name in LOOKUP_SUMMARY}
    summary["company_ids"] = list(lookup.company_ids or [])
    return ContactRow(contact_pk(ctx, lookup.contact_id), lookup.contact_id, record_id=lookup.contact_id, **summary)


def blind_lookups(ctx: TenantContext, contact: Contact | None) -> dict[Key, ContactLookup]:
    """The blind-index lookups of a live contact's encrypted ids."""
    if contact is None or contact.deleted_at is not None:
        return {}
    found = {}
    for field, digest in (contact.blind or {}).items():
        pk = blind_key(ctx, field, digest)
        found[(pk, contact.contact_id)] = ContactLookup(pk, contact.contact_id, contact_id=contact.contact_id)
    return found


def link_summary(contact: Contact) -> dict[str, Any]:
    """What a company's card shows of a linked contact."""
    return {"first_name": contact.first_name, "last_name": contact.last_name,
            "phone": primary(contact, "phones", "number"), "email": primary(contact, "emails", "address")}


def company_links(ctx: TenantContext, contact: Contact | None) -> dict[Key, db.MainTable]:
    """The contact's entries in the collections of the companies it is linked to (while live)."""
    if contact is None or contact.deleted_at is not None:
        return {}
    summary = link_summary(contact)
    items = [links.entry(ctx, "company", subject_id=company_id, kind="contact", ref_id=contact.contact_id,
                         summary=summary) for company_id in contact.company_ids or []]
    return {(item.pk, item.sk): item for item in items}


def tenant_links(ctx: TenantContext, contact: Contact) -> list[Key]:
    """What the tenant walk reaches from a contact beyond its rows and lookups: its blind-index lookups and
    its entries in its companies' collections."""
    return [*blind_lookups(ctx, contact), *company_links(ctx, contact)]


class Derived:
    """The derived writes of one or more contact transitions, merged before they join a Change.

    Merging matters for lookups: when a phone moves from one contact to another in one transaction
    (a merge, its undo), the same lookup item is released and claimed, which DynamoDB allows only as
    one operation, a put. A lookup a contact keeps is put again with the contact's new list row
    (its version changes with every save, like its rows): an unconditional put, safe because the
    contact's own version-checked write is in the same transaction.
    """

    def __init__(self) -> None:
        self.rows = db.Change()
        self.claims: dict[Key, db.MainTable] = {}
        self.releases: dict[Key, db.MainTable] = {}
        self.refreshes: dict[Key, db.MainTable] = {}
        self.puts: dict[Key, db.MainTable] = {}
        self.drops: dict[Key, db.MainTable] = {}

    def add(self, ctx: TenantContext, before: Contact | None, after: Contact | None, *,
            pending: bool = True) -> Derived:
        """Add the derived writes of one contact going from before to after (None: absent; pending: after is
        about to be saved, see ``row_builder``)."""
        builder = row_builder(after if after is not None else before, pending=pending)  # type: ignore[arg-type]
        store.rewrite_rows(ctx, CONTACT, self.rows, before, after, builder)
        old_unique, new_unique = unique_lookups(ctx, before), unique_lookups(ctx, after, pending=pending)
        if after is not None:  # found by the tenant walk without the key (records.models.Record.lookup_keys)
            after.lookup_keys = list(dict.fromkeys(pk for pk, _ in new_unique))  # in the values' order
        self.claims.update({k: v for k, v in new_unique.items() if k not in old_unique})
        self.releases.update({k: v for k, v in old_unique.items() if k not in new_unique})
        self.refreshes.update({k: v for k, v in new_unique.items() if k in old_unique})
        self._replace(blind_lookups(ctx, before), blind_lookups(ctx, after), refresh=False)
        links_changed = before is None or after is None or link_summary(before) != link_summary(after)
        self._replace(company_links(ctx, before), company_links(ctx, after), refresh=links_changed)
        return self

    def _replace(self, old: Mapping[Key, db.MainTable], new: Mapping[Key, db.MainTable], *, refresh: bool) -> None:
        self.puts.update({k: v for k, v in new.items() if refresh or k not in old})
        self.drops.update({k: v for k, v in old.items() if k not in new})

    def apply(self, change: db.Change) -> db.Change:
        """Add every derived write to change, a lookup moving between contacts as one put.

        A claim stays a create even when another contact of the same transaction keeps that key (a
        duplicate: the transaction must fail), and each lookup key gets exactly one operation.
        """
        change.saves += self.rows.saves
        change.deletes += self.rows.deletes
        for key, item in self.claims.items():
            if key in self.releases:
                change.save(item)
            else:
                change.create(item)
        change.deletes += [item for key, item in self.releases.items()
                           if key not in self.claims and key not in self.refreshes]
        change.saves += [item for key, item in self.refreshes.items() if key not in self.claims]
        change.saves += list(self.puts.values())
        change.deletes += [item for key, item in self.drops.items() if key not in self.puts]
        return change
