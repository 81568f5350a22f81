"""Lines as requested, priced: what a product line takes from its product, then the amounts of ``orders.totals``."""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.orders import totals
from chalicelib.records import types

ASKED = ("product_id", "description", "quantity", "unit_price_minor", "discount_percent", "discount_minor",
         "tax_rate")  # what a line is made from; the rest is computed


def price(ctx: TenantContext, lines: list[dict[str, Any]], *, currency: str, inclusive: bool
          ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The lines with their product's terms and their amounts, and the order's totals (one BatchGetItem of the
    products named); 422 naming a line whose product is missing or has no price in the currency."""
    product_ids = [line["product_id"] for line in lines if line.get("product_id")]
    terms = types.get("product").hooks["sale_terms"](ctx, product_ids, currency) if product_ids else {}
    resolved, problems = [], []
    for position, line in enumerate(lines):
        found = terms.get(line["product_id"]) if line.get("product_id") else None
        if line.get("product_id") and found is None:
            problems.append({"loc": ["lines", position, "product_id"], "msg": "No such product",
                             "type": "not_found"})
            continue
        unit_price = line.get("unit_price_minor")
        if unit_price is None:
            unit_price = found["price_minor"] if found is not None else None
        if unit_price is None:
            problems.append({"loc": ["lines", position, "unit_price_minor"], "type": "no_price_in_currency",
                             "msg": f"The product has no price in {currency}: give a unit price"})
            continue
        rate = line.get("tax_rate")
        # no rate from the line or its product is priced as 0 but marked: its documents say "Без НДС", not 0 %
        no_rate = rate is not None and bool(line.get("no_tax_rate"))
        if rate is None:
            rate = found["tax_rate"] if found is not None else None
            no_rate = rate is None
        resolved.append({
            "id": line.get("id") or new_id(), "product_id": line.get("product_id"),
            "sku": found["sku"] if found is not None else None,
            "description": line.get("description") or (found["name"] if found is not None else ""),
            "unit": found["unit"] if found is not None else None, "quantity": line["quantity"],
            "unit_price_minor": int(unit_price), "discount_percent": line.get("discount_percent"),
            "discount_minor": line.get("discount_minor"), "tax_rate": rate or "0",
            **({"no_tax_rate": True} if no_rate else {})})  # kept only where true: every line is in the order item
    if problems:
        raise errors.ValidationError(details=problems)
    return totals.compute(resolved, inclusive=inclusive)


def requested(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored lines as a request makes them (to price them again in another currency or mode), a line without a
    tax rate still marked so."""
    return [{**{name: line.get(name) for name in ASKED}, "no_tax_rate": line.get("no_tax_rate", False)}
            for line in stored]


def same(priced: list[dict[str, Any]], stored: list[dict[str, Any]]) -> bool:
    """True when priced lines say what the stored ones say (their ids aside)."""
    def shape(lines: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [tuple(line.get(name) for name in (*ASKED, "total_minor")) for line in lines]

    return shape(priced) == shape(stored)
