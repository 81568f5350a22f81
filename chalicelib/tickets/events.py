"""The tickets' consumer of the domain-event feed (#19): a customer's message on a conversation opens its tickets
that were waiting on the customer, and their resolution clocks go on (``statuses.customer_answered``).

The conversation's audit record tells of a customer's message by its ``last_inbound_at`` moving forward (a staff
reply does not touch it). The effect is idempotent: a ticket opened already, or paused after that message, is left
as it is, so a redelivered event changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.events.feed import DomainEvent


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            return None
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    return None


def consume(ctx: TenantContext, event: DomainEvent) -> None:
    """Open the conversation's pending tickets when the customer wrote on it."""
    if event.entity != "conversation" or not event.changed("last_inbound_at") or not is_valid_id(event.entity_id):
        return
    after, before = _moment(event.after("last_inbound_at")), _moment(event.before("last_inbound_at"))
    if after is None or (before is not None and after <= before):
        return
    from chalicelib.tickets import statuses

    statuses.customer_answered(ctx, event.entity_id, at=after)
