"""An order's amounts, computed on the server only and rounded per line, half up, to the currency's minor unit.

With ``q`` the quantity, ``p`` the unit price in minor units, ``d`` the discount (a percentage of ``q * p``, or
an amount in minor units) and ``r`` the tax rate in percent, all exact decimals until rounded:

- prices without tax (``price_mode = exclusive``, the default):
  ``net = round(q * p - d)``, ``tax = round(net * r / 100)``, ``total = net + tax``;
- prices with tax included (``inclusive``):
  ``total = round(q * p - d)``, ``tax = round(total * r / (100 + r))``, ``net = total - tax``;
- each line also shows ``discount = round(q * p) - round(q * p - d)``;
- the order's subtotal, discount, tax and total are the sums of its lines' (so lines always add up to the
  order, as an accountant checks an invoice), and ``taxes`` sums net and tax per rate.

``round`` is ``ROUND_HALF_UP`` to an integer number of minor units. A discount larger than ``q * p`` is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.core import errors
from chalicelib.records import money

HUNDRED = Decimal(100)


def rounded(value: Decimal) -> int:
    """Half up to a whole number of minor units."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Amounts:
    """One line's amounts in minor units."""

    gross: int
    discount: int
    net: int
    tax: int
    total: int


def line_amounts(*, quantity: str, unit_price_minor: int, tax_rate: str, discount_percent: str | None = None,
                 discount_minor: int | None = None, inclusive: bool = False) -> Amounts:
    """A line's amounts by the formulas above (raises ValueError for a discount above the line's amount)."""
    exact = Decimal(quantity) * Decimal(int(unit_price_minor))
    if discount_percent is not None:
        off = exact * Decimal(discount_percent) / HUNDRED
    else:
        off = Decimal(int(discount_minor or 0))
    if off > exact:
        raise ValueError("the discount is more than the line's amount")
    rate = Decimal(tax_rate)
    after_discount = rounded(exact - off)
    if inclusive:
        total = after_discount
        tax = rounded(Decimal(total) * rate / (HUNDRED + rate))
        net = total - tax
    else:
        net = after_discount
        tax = rounded(Decimal(net) * rate / HUNDRED)
        total = net + tax
    gross = rounded(exact)
    return Amounts(gross=gross, discount=gross - after_discount, net=net, tax=tax, total=total)


def compute(lines: list[dict[str, Any]], *, inclusive: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Lines with their amounts, and the order's totals; 422 naming a line whose discount is too large or whose
    total leaves the range of money."""
    computed: list[dict[str, Any]] = []
    taxes: dict[str, dict[str, int]] = defaultdict(lambda: {"net_minor": 0, "tax_minor": 0})
    sums: dict[str, Any] = {"subtotal_minor": 0, "discount_minor": 0, "tax_minor": 0, "total_minor": 0}
    for position, line in enumerate(lines):
        try:
            found = line_amounts(quantity=line["quantity"], unit_price_minor=line["unit_price_minor"],
                                 tax_rate=line["tax_rate"], discount_percent=line.get("discount_percent"),
                                 discount_minor=line.get("discount_minor"), inclusive=inclusive)
        except ValueError as exc:
            raise errors.ValidationError(details=[{"loc": ["lines", position, "discount"], "msg": str(exc),
                                                   "type": "discount_too_large"}]) from None
        if found.total > money.MAX_MINOR or found.gross > money.MAX_MINOR:
            raise errors.ValidationError(details=[{"loc": ["lines", position], "msg": "The amount is too large",
                                                   "type": "amount_too_large"}])
        computed.append({**line, "gross_minor": found.gross, "discount_total_minor": found.discount,
                         "net_minor": found.net, "tax_minor": found.tax, "total_minor": found.total})
        sums["subtotal_minor"] += found.net
        sums["discount_minor"] += found.discount
        sums["tax_minor"] += found.tax
        sums["total_minor"] += found.total
        taxes[line["tax_rate"]]["net_minor"] += found.net
        taxes[line["tax_rate"]]["tax_minor"] += found.tax
    if sums["total_minor"] > money.MAX_MINOR:
        raise errors.ValidationError(details=[{"loc": ["lines"], "msg": "The order's total is too large",
                                               "type": "amount_too_large"}])
    sums["taxes"] = [{"rate": rate, **amounts} for rate, amounts in sorted(taxes.items(), key=lambda x: Decimal(x[0]))]
    return computed, sums
