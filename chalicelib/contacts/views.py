"""What answers and audit records show of a contact: its read view, list rows, card, audit fields."""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import sensitive
from chalicelib.contacts.models import Contact, ContactLink, ContactRow, MergeMarker
from chalicelib.contacts.schemas import SENSITIVE_FIELDS, ContactCard, ContactRead, ContactSummary, LinkOut
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import timeline as timeline_service
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.models import TimelineEntry

LINK_KINDS = ("company", "deal", "task")
CARD_ENTRIES = 20
def custom_view(ctx: TenantContext, contact: Contact, reveal: frozenset[str]) -> dict[str, Any]:
    """Custom values as the caller may see them."""
    if not contact.custom:
        return {}  # no definitions to read for a contact without custom values
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
        birthday=contact.birthday, source=contact.source, utm=contact.utm, consent=contact.consent,
        revealed=sorted(clear), created_at=contact.created_at, updated_at=contact.updated_at,
        deleted_at=contact.deleted_at, merged_into=contact.merged_into, version=int(contact.version or 0), **shown,
    )


def summary(row: ContactRow) -> ContactSummary:
    """A list row as the API shows it."""
    return ContactSummary(
        id=row.record_id, first_name=row.first_name, last_name=row.last_name, phone=row.phone, email=row.email,
        tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id,
        company_ids=list(row.company_ids or []), created_at=row.created_at, updated_at=row.updated_at,
        deleted_at=row.deleted_at, version=int(row.version),
    )


def link_out(link: ContactLink) -> LinkOut:
    """A link item as the card shows it."""
    return LinkOut(id=link.ref_id, linked_at=link.linked_at, summary=link.summary or {})


def hidden_keys(items: list[Any]) -> set[str]:
    """Sort keys a merge in flight has copied but not yet made visible."""
    return {sk for item in items if isinstance(item, MergeMarker) for sk in item.hidden or []}


def card(ctx: TenantContext, contact: Contact, items: list[Any], *, complete: bool,
         reveal: frozenset[str] = frozenset()) -> ContactCard:
    """The contact card from one Query over its collection: the contact, its links, its newest entries."""
    hidden = hidden_keys(items)
    links: dict[str, list[LinkOut]] = {kind: [] for kind in LINK_KINDS}
    entries = []
    for item in items:
        if item.sk in hidden:
            continue
        if isinstance(item, ContactLink):
            links.setdefault(item.link_kind, []).append(link_out(item))
        elif isinstance(item, TimelineEntry):
            entries.append(timeline_service.entry_view(item))
    reached_timeline = any(isinstance(item, TimelineEntry) for item in items)
    read = contact_read(ctx, contact, reveal=reveal)
    return ContactCard(**read.model_dump(), links=links, timeline=entries[:CARD_ENTRIES],
                       more_timeline=len(entries) > CARD_ENTRIES or not complete,
                       more_links=not complete and not reached_timeline)
