"""Orders as a document source: their lines and amounts as the order computed them (rounded per line on the
server, tax exclusive or inclusive), made out to the order's contact and company, its shipping for a delivery
note."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.documents import sources
from chalicelib.documents.service import company_country
from chalicelib.documents.source_deal import address_text
from chalicelib.documents.sources import Line, Source
from chalicelib.records import access, types


def _rate(found: dict[str, Any]) -> Decimal | None:
    """An order line's rate in percent, exactly as the order kept it ("8.875"); None where neither the line nor its
    product had one (priced as 0, marked ``no_tax_rate``; a line of an order priced before the mark reads 0)."""
    rate = found.get("tax_rate")
    if found.get("no_tax_rate") or rate is None or rate == "":
        return None
    try:
        return Decimal(str(rate))
    except (InvalidOperation, ValueError):
        return None


def _line(found: dict[str, Any]) -> Line:
    """A line of the order as it computed it (the document never recomputes an order's amounts)."""
    quantity = Decimal(str(found.get("quantity") or 1))
    return Line(description=str(found.get("description") or found.get("sku") or ""), quantity=quantity,
                unit_price_minor=int(found.get("unit_price_minor") or 0), tax_rate=_rate(found),
                unit=found.get("unit"), amount_minor=int(found.get("net_minor") or 0),
                tax_minor=int(found.get("tax_minor") or 0), discount_minor=int(found.get("discount_total_minor") or 0))


def order_lines(order: Any) -> list[Line]:
    """An order's lines as it computed them."""
    return [_line(found) for found in order.lines or [] if isinstance(found, dict)]


def load(ctx: Any, record_id: str, *, action: str, lines: list[Line] | None = None,
         default_rate: Decimal | None = None) -> Source:
    """An order the caller may do action on (its own lines, each at the rate the order gave it: lines given with the
    request and the company's default rate are not taken)."""
    order = access.get_or_raise(ctx, types.get("order"), record_id, action=action)
    shipping = order.shipping or {}
    number = int(order.number) if order.number is not None else None  # "По заказу № 154", an act's basis
    fields = {"number": number, "status": order.status, "currency": order.currency, "price_mode": order.price_mode,
              "subtotal_minor": int(order.subtotal_minor or 0), "discount_minor": int(order.discount_minor or 0),
              "tax_minor": int(order.tax_minor or 0), "total_minor": int(order.total_minor or 0),
              "paid_minor": int(order.paid_minor or 0), "shipping_address": address_text(shipping.get("address"),
                                                                                  company_country(ctx)),
              "carrier": shipping.get("carrier") or "", "tracking_number": shipping.get("tracking_number") or ""}
    return Source(kind="order", record_id=order.order_id, title=None, currency=order.currency,
                  owner_id=order.owner_id, team_id=order.team_id,
                  lines=order_lines(order), fields=fields,
                  contact=sources.readable(ctx, "contact", order.contact_id),
                  company=sources.readable(ctx, "company", order.company_id), created_at=order.created_at)
