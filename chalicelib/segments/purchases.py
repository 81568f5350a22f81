"""Purchases, as the segment conditions see them: one seam for what counts as "bought".

Orders (#23) are built in parallel: once their record type commits audit records (entity ``order``), a paid order
is a purchase of its lines' products by its contact. Until then, and beside it, a won deal is a purchase by each of
its contacts (a deal names no products, so it counts for "bought anything" only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.events.feed import DomainEvent

PAID = frozenset({"paid", "completed", "fulfilled", "delivered"})


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
        contacts = _ids(event.after("contact_ids")) or _deal_contacts(ctx, event.entity_id)
        return Purchase(contacts, (), event.at, int(event.after("amount_minor") or 0), event.after("currency"),
                        ref=f"deal:{event.entity_id}")
    if event.entity == "order" and event.changed("status") and str(event.after("status")) in PAID \
            and str(event.before("status")) not in PAID:
        contacts = _ids(event.after("contact_id")) or _ids(event.before("contact_id"))
        lines = event.after("lines") or event.after("items") or event.after("product_ids")
        products = _products(lines) or _ids(lines)
        return Purchase(contacts, products, event.at, int(event.after("total_minor") or 0),
                        event.after("currency"), ref=f"order:{event.entity_id}")
    return None


def _deal_contacts(ctx: TenantContext, deal_id: str) -> tuple[str, ...]:
    from chalicelib.deals.record import DEAL
    from chalicelib.records import access

    deal = access.get_any(ctx, DEAL, deal_id)
    return _ids(list(getattr(deal, "contact_ids", None) or [])) if deal is not None else ()
