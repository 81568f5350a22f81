"""An order as the API answers it."""

from __future__ import annotations

from typing import Any, Literal

from chalicelib.core.tenancy import TenantContext
from chalicelib.orders import schemas as s
from chalicelib.orders.models import Order

# The statuses a person moves an order to from each; paid and partly paid follow from payments.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("confirmed", "cancelled"),
    "confirmed": ("shipped", "cancelled"),
    "partially_paid": ("shipped", "cancelled"),
    "paid": ("shipped", "cancelled"),
    "shipped": ("delivered", "returned"),
    "delivered": ("returned",),
    "cancelled": (),
    "returned": (),
}


def payment_status(order: Order) -> Literal["unpaid", "partial", "paid"]:
    """unpaid, partial or paid (an order of nothing to pay is paid)."""
    paid, total = int(order.paid_minor), int(order.total_minor)
    return "paid" if paid >= total else ("partial" if paid else "unpaid")


def totals(values: dict[str, Any], lines: list[dict[str, Any]]) -> s.OrderTotals:
    """The totals of an order or a preview, with net and tax per rate summed from its lines."""
    taxes: dict[str, dict[str, int]] = {}
    for line in lines:
        found = taxes.setdefault(line["tax_rate"], {"net_minor": 0, "tax_minor": 0})
        found["net_minor"] += int(line["net_minor"])
        found["tax_minor"] += int(line["tax_minor"])
    from decimal import Decimal

    return s.OrderTotals(subtotal_minor=int(values["subtotal_minor"]), discount_minor=int(values["discount_minor"]),
                    tax_minor=int(values["tax_minor"]), total_minor=int(values["total_minor"]),
                    taxes=[s.OrderTaxOut(rate=rate, **found) for rate, found in sorted(taxes.items(),
                                                                                   key=lambda x: Decimal(x[0]))])


def lines(stored: list[dict[str, Any]]) -> list[s.OrderLineOut]:
    """Stored lines as the API shows them."""
    fields = s.OrderLineOut.model_fields
    return [s.OrderLineOut.model_validate({**{name: line.get(name) for name in fields},
                                           "no_tax_rate": bool(line.get("no_tax_rate"))}) for line in stored]


def order(ctx: TenantContext, found: Order) -> s.OrderRead:
    """An order as the API shows it (OrderRead)."""
    from chalicelib.records import service as records_service
    from chalicelib.records import types

    stored = list(found.lines or [])
    return s.OrderRead(
        id=found.order_id, number=int(found.number) if found.number is not None else None, status=found.status,
         next_statuses=list(TRANSITIONS.get(found.status, ())),
        currency=found.currency, price_mode=found.price_mode, contact_id=found.contact_id,
        company_id=found.company_id, deal_id=found.deal_id, warehouse_id=found.warehouse_id,
        external_id=found.external_id, lines=lines(stored),
        totals=totals({name: getattr(found, name) for name in ("subtotal_minor", "discount_minor", "tax_minor",
                                                               "total_minor")}, stored),
        paid_minor=int(found.paid_minor), due_minor=max(0, int(found.total_minor) - int(found.paid_minor)),
        payment_status=payment_status(found), payments=[s.OrderPaymentOut(**p) for p in found.payments or []],
        shipping=s.OrderShippingOut(**(found.shipping or {})), notes=found.notes, confirmed_at=found.confirmed_at,
        paid_at=found.paid_at, shipped_at=found.shipped_at, delivered_at=found.delivered_at,
        closed_at=found.closed_at, tags=list(found.tags or []), owner_id=found.owner_id, team_id=found.team_id,
        custom=records_service.custom_view(ctx, types.get("order"), found), created_at=found.created_at,
        updated_at=found.updated_at, deleted_at=found.deleted_at, version=int(found.version or 0))
