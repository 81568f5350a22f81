"""What the segment conditions read of a contact: kept from the contact itself, its activity and its purchases.

``of_contact`` sets the facts a contact's own fields give (owner, tags, source, select and text custom values,
birthday, creation, the trash); ``touch`` records activity on the contact (a note, a call, a conversation, a deal);
``bought`` a purchase (a won deal today; a paid order once #23's orders send their events, ``purchases``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, is_valid_id, tenant_key
from chalicelib.segments.conditions import ANY_PRODUCT
from chalicelib.segments.models import ContactFacts


def facts_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's contact facts (the contact id as sort key)."""
    return tenant_key(ctx, "SEGFACTS")


def get(ctx: TenantContext, contact_id: str) -> ContactFacts | None:
    """A contact's facts, or None."""
    return db.get(ctx, ContactFacts, facts_pk(ctx), contact_id) if is_valid_id(contact_id) else None


def new(ctx: TenantContext, contact_id: str) -> ContactFacts:
    """Empty facts of a contact not seen before."""
    return ContactFacts(facts_pk(ctx), contact_id, contact_id=contact_id)


def of_contact(facts: ContactFacts, contact: Any) -> ContactFacts:
    """Facts with what the contact's own fields say (sensitive custom values are never read: they are sealed)."""
    facts.owner_id = contact.owner_id
    facts.team_id = contact.team_id
    facts.tags = sorted({str(tag) for tag in contact.tags or []})
    facts.source = contact.source
    sensitive = set(contact.custom_sensitive or [])
    facts.custom = {str(k): v for k, v in (contact.custom or {}).items()
                    if k not in sensitive and isinstance(v, str | int | float | bool)}
    facts.birthday = contact.birthday
    facts.contact_created_at = contact.created_at
    facts.deleted = contact.deleted_at is not None or bool(getattr(contact, "merged_into", None))
    return facts


def touch(facts: ContactFacts, at: datetime) -> bool:
    """Record activity at a time; False when the facts knew of something newer."""
    if facts.last_activity_at is not None and facts.last_activity_at >= at:
        return False
    facts.last_activity_at = at
    return True


def bought(facts: ContactFacts, at: datetime, product_ids: list[str]) -> bool:
    """Record a purchase of products (any purchase counts as ``*``); False when nothing is newer."""
    purchases = dict(facts.purchases or {})
    changed = False
    for product in {ANY_PRODUCT, *product_ids}:
        known = purchases.get(product)
        if known is None or str(known) < at.isoformat():
            purchases[product] = at.isoformat()
            changed = True
    if changed:
        facts.purchases = purchases
        if facts.last_purchase_at is None or facts.last_purchase_at < at:
            facts.last_purchase_at = at
    touch(facts, at)
    return changed


def absorb(facts: ContactFacts, other: ContactFacts) -> bool:
    """Take in a merged-away contact's purchases and activity (the newest of each wins); False when nothing is
    newer. Its own fields come with the surviving contact itself."""
    changed = False
    for product, at in (other.purchases or {}).items():
        known = (facts.purchases or {}).get(product)
        if known is None or str(known) < str(at):
            facts.purchases = {**(facts.purchases or {}), product: at}
            changed = True
    for name in ("last_purchase_at", "last_activity_at"):
        theirs = getattr(other, name)
        if theirs is not None and (getattr(facts, name) is None or getattr(facts, name) < theirs):
            setattr(facts, name, theirs)
            changed = True
    return changed


def same(before: ContactFacts | None, after: ContactFacts) -> bool:
    """True when saving after would change nothing a condition reads."""
    if before is None:
        return False
    names = ("owner_id", "team_id", "tags", "source", "custom", "birthday", "contact_created_at",
             "last_activity_at", "last_purchase_at", "purchases", "segments", "deleted")
    return all(getattr(before, name) == getattr(after, name) for name in names)
