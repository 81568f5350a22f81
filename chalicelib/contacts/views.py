"""What answers show of a contact: its read view (sensitive values masked), its list rows, what a merge hides."""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import sensitive
from chalicelib.contacts.models import Contact, ContactRow, MergeMarker
from chalicelib.contacts.read_schemas import SENSITIVE_FIELDS, ContactRead, ContactSummary
from chalicelib.core.tenancy import TenantContext


def custom_view(ctx: TenantContext, contact: Contact, reveal: frozenset[str]) -> dict[str, Any]:
    """Custom values as the caller may see them."""
    if not contact.custom:
        return {}  # no definitions to read for a contact without custom values
    from chalicelib.records.customfields import service as customfields_service  # a card without them needs none

    keys = frozenset(name.removeprefix("custom.") for name in reveal if name.startswith("custom."))
    return customfields_service.view(ctx, entity="contact", record_id=contact.contact_id, stored=contact.custom,
                                     reveal=keys)


def contact_read(ctx: TenantContext, contact: Contact, *, reveal: frozenset[str] = frozenset()) -> ContactRead:
    """The API view of a contact: sensitive values masked unless revealed (403 without the right)."""
    clear = sensitive.reveal(ctx, contact, reveal)
    masks = contact.masks or {}
    shown = {name: clear[name] if name in clear else masks.get(name) for name in SENSITIVE_FIELDS}
    return ContactRead(
        id=contact.contact_id, first_name=contact.first_name, last_name=contact.last_name,
        phones=list(contact.phones or []), emails=list(contact.emails or []),
        company_ids=list(contact.company_ids or []), tags=list(contact.tags or []), owner_id=contact.owner_id,
        team_id=contact.team_id, custom=custom_view(ctx, contact, reveal), messengers=contact.messengers,
        billing_address=contact.billing_address, shipping_address=contact.shipping_address,
        birthday=contact.birthday, job_title=contact.job_title, source=contact.source, utm=contact.utm,
        consent=contact.consent,
        revealed=sorted(clear), created_at=contact.created_at, updated_at=contact.updated_at,
        deleted_at=contact.deleted_at, merged_into=contact.merged_into, version=int(contact.version or 0), **shown,
    )


def summary(row: ContactRow) -> ContactSummary:
    """A list row as the API shows it (its values read straight from the item: 50 rows of a page, 13 fields
    each, through PynamoDB's descriptors cost more CPU than opening their sealed values, #21)."""
    v = row.attribute_values
    return ContactSummary(
        id=v["record_id"], first_name=v.get("first_name"), last_name=v.get("last_name"), phone=v.get("phone"),
        email=v.get("email"), tags=sorted(v.get("tags") or ()), owner_id=v["owner_id"], team_id=v.get("team_id"),
        company_ids=list(v.get("company_ids") or []), created_at=v["created_at"], updated_at=v["updated_at"],
        deleted_at=v.get("deleted_at"), version=int(v["version"]),
    )


def hidden_keys(items: list[Any]) -> frozenset[str]:
    """Sort keys a merge in flight has copied but not yet made visible (the contact type's ``hidden`` hook)."""
    return frozenset(sk for item in items if isinstance(item, MergeMarker) for sk in item.hidden or [])
