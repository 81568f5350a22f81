"""The contact record type: what the engine needs to know of a contact (``records.types``).

A contact writes its own way (its unique phone and e-mail lookups, its entries in its companies'
collections: ``service.save``), is found by an exact key (``search.exact``), and on restore claims
its lookups again and forgets companies purged meanwhile.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts.models import Contact, ContactLink, ContactLookup, ContactRow
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, listing, matching, types

SENSITIVE_FIELDS = ("passport_number", "tax_id", "iban")


def _save(ctx: TenantContext, before: Contact | None, after: Contact | None, *, action: str,
          change: db.Change | None = None) -> Contact | None:
    from chalicelib.contacts import service

    return service.save(ctx, before, after, action=action, change=change)


def _facets(contact: Contact) -> listing.Facets:
    from chalicelib.contacts import derived

    return derived.facets(contact)


def _exact(ctx: TenantContext, query: Any) -> list[ContactRow] | None:
    from chalicelib.contacts import search

    return search.exact(ctx, query)


def whole_token(q: str) -> str | None:
    """An e-mail address is searched as one token."""
    return matching.fold(q) if "@" in q else None


def _restoring(ctx: TenantContext, before: Contact, after: Contact, change: db.Change) -> None:
    """A merged contact comes back only through the merge's undo; companies purged while the contact
    was in the trash (their purge could not see it) are forgotten."""
    if before.merged_into:
        raise errors.ConflictError("This contact was merged into another; undo the merge instead.",
                                   code="merged_contact")
    companies = types.get("company")
    gone = [c for c in after.company_ids or [] if access.get_any(ctx, companies, c) is None]
    for company_id in gone:
        change.delete(ContactLink(after.pk, f"{CONTACT.link_kinds['company']}#{company_id}"))
    after.company_ids = [c for c in after.company_ids or [] if c not in gone]


def _unlinking(ctx: TenantContext, change: db.Change, contact_id: str, sk: str) -> None:
    from chalicelib.contacts import service

    service.unlinking(ctx, change, contact_id, sk)


def _detach(ctx: TenantContext, contact_id: str, *, kind: str, ref_id: str) -> None:
    from chalicelib.contacts import links

    contact = access.get_any(ctx, CONTACT, contact_id)
    if kind == "company" and contact is not None and ref_id in (contact.company_ids or []):
        links.detach_company(ctx, contact, company_id=ref_id)


def _resolve(ctx: TenantContext, contact_id: str) -> str:
    contact = access.get_any(ctx, CONTACT, contact_id)
    return contact.merged_into if contact is not None and contact.merged_into else contact_id


def _tenant_links(ctx: TenantContext, contact: Contact) -> Any:
    from chalicelib.contacts import derived

    return derived.tenant_links(ctx, contact)


def _derived(ctx: TenantContext, contact: Contact) -> list[Any]:
    from chalicelib.contacts import derived

    change = derived.Derived().add(ctx, None, contact, pending=False).apply(db.Change())
    return [item for item in [*change.saves, *change.creates] if isinstance(item, ContactRow | ContactLookup)]


def _hidden(items: list[Any]) -> frozenset[str]:
    from chalicelib.contacts import views

    return views.hidden_keys(items)


def _row_values(contact: Contact) -> dict[str, Any]:
    from chalicelib.contacts import derived

    return derived.row_values(contact)


def _link_summary(contact: Contact) -> dict[str, Any]:
    from chalicelib.contacts import derived

    return derived.link_summary(contact)


CONTACT = types.register(types.RecordType(
    name="contact", plural="contacts", prefix="C", model=Contact, id_attribute="contact_id", space="CX",
    row_model=ContactRow, link_model=ContactLink, sorts=listing.PERSONAL_SORTS,
    link_kinds={"company": "COMPANY", "deal": "DEAL", "task": "TASK", "ticket": "TICKET"},
    fields=(types.Field("first_name", search=True, personal=True, aliases=("first name", "name")),
            types.Field("last_name", search=True, personal=True, aliases=("last name", "surname")),
            types.Field("phones", lookup="phone", unique=True, personal=True),
            types.Field("emails", lookup="email", unique=True, search=True, personal=True),
            *(types.Field(name, personal=True) for name in ("messengers", "billing_address", "shipping_address",
                                                            "birthday", "job_title")),
            *(types.Field(name, sensitive=True) for name in SENSITIVE_FIELDS)),
    audit_fields=("first_name", "last_name", "phones", "emails", "company_ids", "tags", "owner_id", "team_id",
                  "messengers", "billing_address", "shipping_address", "birthday", "job_title", "source", "utm",
                  "consent",
                  *SENSITIVE_FIELDS, "deleted_at", "merged_into"),
    hooks={"save": _save, "facets": _facets, "row_values": _row_values, "exact": _exact, "whole_token": whole_token,
           "restoring": _restoring, "unlinking": _unlinking, "detach": _detach, "link_summary": _link_summary,
           "resolve": _resolve, "tenant_links": _tenant_links,
           "hidden": _hidden, "derived": _derived},
    derived_kinds=("contact_lookup",),
))
