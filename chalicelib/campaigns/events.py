"""The campaigns' consumer of the domain-event feed (#19): replies and conversions.

- A conversation of a contact that a campaign reached in the last three days, opened by the customer or moved by
  their message (its audit record names ``last_direction`` ``in``), is that campaign's reply.
- A deal won or an order paid (the purchases segments read, ``segments.purchases``) by a contact a campaign
  reached in the last seven days is that campaign's conversion, with its amount (last touch; once per deal or
  order: ``CampaignClaim``).
"""

from __future__ import annotations

from chalicelib.campaigns import tracking
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.events.feed import DomainEvent
from chalicelib.segments import purchases


def consume(ctx: TenantContext, event: DomainEvent) -> None:
    """Count a reply or a conversion an event makes."""
    if event.entity == "conversation":
        contact_id = event.after("contact_id")
        inbound = event.created or event.after("last_direction") == "in"
        if isinstance(contact_id, str) and is_valid_id(contact_id) and inbound and event.actor_kind != "user":
            tracking.replied(ctx, contact_id=contact_id, at=event.at)
        return
    bought = purchases.of_event(ctx, event)
    if bought is not None and bought.contact_ids:
        tracking.converted(ctx, contact_ids=bought.contact_ids, ref=bought.ref, at=bought.at,
                           amount_minor=bought.amount_minor)
