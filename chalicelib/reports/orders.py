"""The orders report (#23): revenue of confirmed orders, payments received and the time from an order to its
payment, per day and currency, and per owner for the period (a car service's revenue by master), from the day
counters orders keep in each order's own transaction (``orders.models.OrderStats``, one per day, owner and
currency, as the messengers keep theirs): one Query of the period, within the caller's scope of orders. Days are
the company's days, as in the other reports, its default today included. Revenue counts an order on the day it is
confirmed (cancelled and returned ones are counted apart, on the day they close), for its owner then; payments on
the day they are recorded; an order paid in full adds the seconds from its creation to its last payment, so the
average is their sum over the orders paid that day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.orders.models import OrderStats
from chalicelib.reports import schemas as s
from chalicelib.reports import service

NUMBERS = ("created", "confirmed", "revenue", "closed", "closed_amount", "payments", "received", "paid_orders",
           "pay_seconds")


class OrderDay(BaseModel):
    day: date
    currency: str
    created: int = Field(description="Orders made")
    confirmed: int
    revenue: int = Field(description="Totals of the orders confirmed, minor units")
    closed: int = Field(description="Orders cancelled or returned")
    closed_amount: int
    payments: int
    received: int = Field(description="Payments received, minor units")
    paid_orders: int = Field(description="Orders paid in full")
    avg_seconds_to_payment: int | None = Field(description="From the order's creation to its last payment")


class OrderTotal(BaseModel):
    currency: str
    confirmed: int
    revenue: int
    closed_amount: int
    received: int
    paid_orders: int
    avg_seconds_to_payment: int | None


class OrderOwnerTotal(BaseModel):
    owner_id: str | None = Field(description="The orders' owner when each was counted (a car service's master)")
    currency: str
    confirmed: int
    revenue: int
    received: int
    paid_orders: int


class OrdersReport(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    totals: list[OrderTotal]
    owners: list[OrderOwnerTotal] = Field(description="Per owner and currency for the period, most revenue first")
    items: list[OrderDay]


def _average(row: dict[str, int]) -> int | None:
    return row["pay_seconds"] // row["paid_orders"] if row["paid_orders"] else None


def stats(ctx: TenantContext, start: date, end: date) -> list[OrderStats]:
    """The period's day counters the caller's scope of orders covers (one Query)."""
    scope = permissions.require(ctx, "orders", "read")
    with db.translate_errors():
        found = OrderStats.query(tenant_key(ctx, "ORDERSTATS"),
                                 OrderStats.sk.between(start.isoformat(), f"{end.isoformat()}~"))
        return [item for item in found if isinstance(item, OrderStats)
                and permissions.may_touch(ctx, scope, owner_id=item.owner_id, team_id=item.team_id)]


def orders(ctx: TenantContext, *, query: s.ReportQuery) -> OrdersReport:
    """Per day and currency, and per currency for the period: revenue, payments, time to payment."""
    start, end = service.period(query, ctx=ctx)
    days: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    owners: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in stats(ctx, start, end):
        row, mine = days[(str(item.day), str(item.currency))], owners[(item.owner_id or "", str(item.currency))]
        for name in NUMBERS:
            row[name] += int(getattr(item, name) or 0)
            mine[name] += int(getattr(item, name) or 0)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_, currency), row in days.items():
        for name in NUMBERS:
            sums[currency][name] += row[name]
    items = [OrderDay(day=date.fromisoformat(day), currency=currency, avg_seconds_to_payment=_average(row),
                      **{name: row[name] for name in NUMBERS if name != "pay_seconds"})
             for (day, currency), row in sorted(days.items())]
    totals = [OrderTotal(currency=currency, confirmed=row["confirmed"], revenue=row["revenue"],
                         closed_amount=row["closed_amount"], received=row["received"],
                         paid_orders=row["paid_orders"], avg_seconds_to_payment=_average(row))
              for currency, row in sorted(sums.items())]
    return OrdersReport(from_=start, to=end, totals=totals, owners=_by_owner(owners), items=items)


def _by_owner(owners: dict[tuple[str, str], dict[str, int]]) -> list[OrderOwnerTotal]:
    """Each owner's numbers per currency, most revenue first (a car service's masters side by side)."""
    rows = [OrderOwnerTotal(owner_id=owner or None, currency=currency, confirmed=row["confirmed"],
                            revenue=row["revenue"], received=row["received"], paid_orders=row["paid_orders"])
            for (owner, currency), row in owners.items()
            if row["confirmed"] or row["received"] or row["revenue"]]
    return sorted(rows, key=lambda r: (r.currency, -r.revenue, -r.received, r.owner_id or ""))


def answer(ctx: TenantContext, query: s.ReportQuery) -> Any:
    """The report as JSON, or its days as a CSV file."""
    report = orders(ctx, query=query)
    if query.format != "csv":
        return report.model_dump(mode="json", by_alias=True)
    from chalice import Response

    from chalicelib.core.http import API_HEADERS

    return Response(body=service.as_csv(report.items), status_code=200, headers={
        **API_HEADERS, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="orders-{report.from_}-{report.to}.csv"'})
