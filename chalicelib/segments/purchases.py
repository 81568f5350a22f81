"""Purchases, as the segment conditions see them: one seam for what counts as "bought".

An order (#23) paid in full (its audit record sets ``paid_at``) is a purchase of its lines' products by its contact
(the order read: a payment's change names neither); a won deal is a purchase by each of its contacts (a deal names
no products, so it counts for "bought anything" only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.events.feed import DomainEvent


@dataclass(frozen=True)
class Purchase:
    """Who bought what, when."""

    contact_ids: tuple[str, ...]
    product_ids: tuple[str, ...]
    at: datetime
    amount_minor: int = 0
    currency: str | None = None
    ref: str = ""  # deal:<id> or order:<id>


def _ids(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in values if isinstance(v, str) and is_valid_id(v))


def _products(lines: Any) -> tuple[str, ...]:
    if not isinstance(lines, list):
        return ()
    return tuple(str(line.get("product_id")) for line in lines
                 if isinstance(line, dict) and isinstance(line.get("product_id"), str))


def of_event(ctx: TenantContext, event: DomainEvent) -> Purchase | None:
    """The purchase an event makes, or None."""
    if event.entity == "deal" and event.changed("status") and event.after("status") == "won":
        deal = None if event.changed("contact_ids") and event.changed("amount_minor") else _deal(ctx, event.entity_id)
        contacts = _ids(event.after("contact_ids") if event.changed("contact_ids") else
                        list(getattr(deal, "contact_ids", None) or []))
        amount = event.after("amount_minor") if event.changed("amount_minor") else getattr(deal, "amount_minor", 0)
        currency = event.after("currency") if event.changed("currency") else getattr(deal, "currency", None)
        return Purchase(contacts, (), event.at, int(amount or 0), currency, ref=f"deal:{event.entity_id}")
    if event.entity == "order" and event.changed("paid_at") and event.after("paid_at"):
        order = _order(ctx, event.entity_id)  # a payment's change names neither the contact nor the lines
        if order is None:
            return None
        return Purchase(_ids(getattr(order, "contact_id", None)), _products(getattr(order, "lines", None)), event.at,
                        int(getattr(order, "total_minor", 0) or 0), getattr(order, "currency", None),
                        ref=f"order:{event.entity_id}")
    return None


def _order(ctx: TenantContext, order_id: str) -> Any:
    from chalicelib.records import access, types

    found = types.find("order")
    return access.get_any(ctx, found, order_id) if found is not None else None


def _deal(ctx: TenantContext, deal_id: str) -> Any:
    """The deal as it is now (a move to won names only its stage and status)."""
    from chalicelib.deals.record import DEAL
    from chalicelib.records import access

    return access.get_any(ctx, DEAL, deal_id)
