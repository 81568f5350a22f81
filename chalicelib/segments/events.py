"""The segments' consumer of the domain-event feed (#19): each event that says something of a contact moves its facts,
and with them its memberships, in one transaction (``membership.update``).

- a contact created, changed, trashed, restored or merged away: its facts read again from the contact itself; one
  merged away gives the survivor its purchases and activity (so "bought X" and "no purchase for N days" see them);
- a deal won (and, once #23 lands, an order paid): a purchase by its contacts (``purchases``);
- a note on a contact, a call, a conversation or a deal naming contacts: activity on them.

Every effect is idempotent: the facts are what the contact and the newest activity say, so a redelivered event
computes the same facts and writes nothing (``facts.same``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.events.feed import DomainEvent
from chalicelib.segments import facts, membership, purchases
from chalicelib.segments.models import ContactFacts


def _contact(ctx: TenantContext, contact_id: str) -> Any:
    from chalicelib.contacts.record import CONTACT
    from chalicelib.records import access

    return access.get_any(ctx, CONTACT, contact_id)


def _ids(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str) and is_valid_id(v)]


def active_contacts(event: DomainEvent) -> list[str]:
    """The contacts an event is activity on."""
    if event.entity == "note":
        subject = event.after("subject_type") or event.before("subject_type")
        return _ids(event.after("subject_id") or event.before("subject_id")) if subject == "contact" else []
    if event.entity in {"call", "conversation"}:
        return _ids(event.after("contact_id"))
    if event.entity == "deal":
        return _ids(event.after("contact_ids"))[:10]
    return []


def _refresh_contact(ctx: TenantContext, contact_id: str) -> None:
    contact = _contact(ctx, contact_id)

    def mutate(found: ContactFacts) -> bool:
        if contact is None:  # gone: facts it had are marked; none are made for it (an erased person's are gone)
            found.deleted = True
            return found.version is not None
        facts.of_contact(found, contact)
        return True

    membership.update(ctx, contact_id, mutate)


def _seeded(ctx: TenantContext, contact_id: str,
            change: Callable[[ContactFacts], bool]) -> Callable[[ContactFacts], bool]:
    """``change``, on facts first filled from the contact when they are new (a contact older than segments)."""
    def mutate(found: ContactFacts) -> bool:
        if found.version is None:
            contact = _contact(ctx, contact_id)
            if contact is None:
                return False
            facts.of_contact(found, contact)
        return change(found)

    return mutate


def _absorbed(ctx: TenantContext, absorbed_id: str, survivor_id: str) -> None:
    """A merged-away contact's purchases and activity, now the survivor's (idempotent: the newest of each)."""
    gone = facts.get(ctx, absorbed_id)
    if gone is not None:
        membership.update(ctx, survivor_id, _seeded(ctx, survivor_id, lambda found: facts.absorb(found, gone)))


def consume(ctx: TenantContext, event: DomainEvent) -> None:
    """Move the facts (and memberships) of the contacts an event concerns."""
    if event.entity == "contact" and is_valid_id(event.entity_id):
        _refresh_contact(ctx, event.entity_id)
        survivor = event.after("merged_into")
        if isinstance(survivor, str) and is_valid_id(survivor):
            _absorbed(ctx, event.entity_id, survivor)
        return
    bought = purchases.of_event(ctx, event)
    if bought is not None:
        for contact_id in bought.contact_ids[:10]:
            membership.update(ctx, contact_id, _seeded(
                ctx, contact_id, lambda found: facts.bought(found, bought.at, list(bought.product_ids))))
    for contact_id in active_contacts(event):
        if bought is not None and contact_id in bought.contact_ids:
            continue
        membership.update(ctx, contact_id, _seeded(ctx, contact_id, lambda found: facts.touch(found, event.at)))
