"""What a change of an order does in its own transaction, read from its state before and after:

- stock (through the product type's ``stock_moves`` hook): reserved when it is confirmed, released when a held
  order is cancelled, taken out of on-hand when it ships, put back when a shipped order is returned;
- its status history: a timeline entry per status it enters after ``new`` (its creation has the engine's entry);
- the amount of its deal (through the deal type's ``follow_orders`` hook): the total of the deal's orders that are
  not cancelled, returned or trashed, whenever this order's part of it changes (its lines, discounts, currency,
  status or deal), so won revenue counts what was sold;
- the orders report's day counters (``OrderStats``): created, confirmed and revenue, cancelled or returned,
  payments received, paid in full and the time from the order to its last payment, on the company's day (its
  date on the clock of the company's time zone, ``identity.zones.company_day``, as the other reports).

A change that cannot keep stock from going negative fails as a whole (409 ``insufficient_stock``).
"""

from __future__ import annotations

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.identity import zones
from chalicelib.orders.models import Order, OrderRow, OrderStats
from chalicelib.records import timeline as timeline_service
from chalicelib.records import types

HOLDING = frozenset({"confirmed", "partially_paid", "paid"})
OUT = frozenset({"shipped", "delivered"})
CLOSED = frozenset({"cancelled", "returned"})
WORDS = {"new": "created", "confirmed": "confirmed", "partially_paid": "partly paid", "paid": "paid",
         "shipped": "shipped", "delivered": "delivered", "cancelled": "cancelled", "returned": "returned"}


def _place(order: Order | None) -> str:
    """Where an order's goods are: free (new, closed or trashed), held (reserved) or out (shipped)."""
    if order is None or order.deleted_at is not None:
        return "free"
    return "held" if order.status in HOLDING else ("out" if order.status in OUT else "free")


def add(ctx: TenantContext, change: db.Change, before: Order | None, after: Order | None) -> None:
    """Add the order change's stock moves, status history entry and counters to change."""
    if after is not None and after.deleted_at is not None and _place(before) != "free":
        raise errors.ConflictError("Cancel the order (or take it back) before deleting it: its stock is held.",
                                   code="order_active")
    _stock(ctx, change, before, after)
    if after is not None and before is not None and after.deleted_at is None and before.status != after.status:
        timeline_service.add_entry(ctx, change, subject_type="order", subject_id=after.order_id, kind="order_status",
                                   summary=f"Order {WORDS.get(after.status, after.status)}",
                                   data={"from": before.status if before is not None else None,
                                         "to": after.status})
    _count(ctx, change, before, after)
    _deal_amount(ctx, change, before, after)


def _counted(order: Order | None) -> tuple[str, str, str, int, int | None] | None:
    """What an order adds to its deal's amount (deal, id, currency, total, number), or None: no deal, closed or
    trashed. The number goes with it so the deal card names the order as its list does, reading nothing more."""
    if order is None or order.deleted_at is not None or order.status in CLOSED or not order.deal_id:
        return None
    number = int(order.number) if order.number is not None else None
    return str(order.deal_id), str(order.order_id), str(order.currency), int(order.total_minor), number


def _deal_amount(ctx: TenantContext, change: db.Change, before: Order | None, after: Order | None) -> None:
    """Each deal whose orders' total this change moves follows it (a Query of the deal's orders, the deal's write)."""
    was, now = _counted(before), _counted(after)
    subject = after if after is not None else before
    if was == now or subject is None:
        return
    for deal_id in dict.fromkeys(part[0] for part in (was, now) if part is not None):
        others = [(row.record_id, row.currency, int(row.total_minor),
                   int(row.number) if row.number is not None else None) for row in _deal_orders(ctx, deal_id)
                  if row.record_id != subject.order_id and row.status not in CLOSED]
        own = [now[1:]] if now is not None and now[0] == deal_id else []
        orders = sorted([*others, *own])  # oldest first: ids are ULIDs
        types.get("deal").hooks["follow_orders"](ctx, change, deal_id, orders=orders, cause=subject.order_id)


def _deal_orders(ctx: TenantContext, deal_id: str) -> list[OrderRow]:
    """The rows of a deal's live orders, whoever's they are (the list's deal partition, every page)."""
    from chalicelib.orders import schemas as s
    from chalicelib.orders import service

    rows: list[OrderRow] = []
    cursor: str | None = None
    while True:
        page = service.deal_rows(ctx, s.OrderListQuery(deal_id=deal_id, limit=200, cursor=cursor))
        rows += page.items
        cursor = page.next_cursor
        if cursor is None:
            return rows


def _stock(ctx: TenantContext, change: db.Change, before: Order | None, after: Order | None) -> None:
    was, now = _place(before), _place(after)
    kind = {("free", "held"): "reserve", ("held", "free"): "release", ("held", "out"): "ship",
            ("out", "free"): "restock"}.get((was, now))
    if kind is None or (was == "out" and after is not None and after.status != "returned"):
        return
    source = after if kind == "reserve" else before
    if source is None or not source.reserved or not source.warehouse_id:
        return
    moves = [(str(product_id), int(milli)) for product_id, milli in source.reserved]
    types.get("product").hooks["stock_moves"](ctx, change, warehouse_id=source.warehouse_id, moves=moves, kind=kind)


def stats_key(ctx: TenantContext, day: str, owner_id: str, currency: str) -> tuple[str, str]:
    """The key of one day's counters of an owner in a currency."""
    return tenant_key(ctx, "ORDERSTATS"), f"{day}#{owner_id}#{currency}"


def _count(ctx: TenantContext, change: db.Change, before: Order | None, after: Order | None) -> None:
    subject = after if after is not None else before
    if subject is None:
        return
    amounts: dict[str, int] = {}
    if before is None:
        amounts["created"] = 1
    status_before = before.status if before is not None else None
    if after is not None and status_before == "new" and after.status in HOLDING:
        amounts.update(confirmed=1, revenue=int(after.total_minor))
    if after is not None and status_before not in CLOSED and status_before != "new" and after.status in CLOSED:
        amounts.update(closed=1, closed_amount=int(after.total_minor))
    received = int(after.paid_minor if after is not None else 0) - int(before.paid_minor if before is not None else 0)
    if after is not None and received > 0:
        amounts.update(received=received, payments=len(after.payments or []) - len(
            before.payments or [] if before is not None else []))
    if after is not None and after.paid_at is not None and (before is None or before.paid_at is None):
        amounts.update(paid_orders=1, pay_seconds=max(0, int((after.paid_at - after.created_at).total_seconds())))
    if not amounts:
        return
    pk, sk = stats_key(ctx, zones.company_day(ctx, db.utcnow()).isoformat(), subject.owner_id, subject.currency)
    change.add(OrderStats(pk, sk, day=sk[:10], owner_id=subject.owner_id, team_id=subject.team_id,
                          currency=subject.currency), **amounts)
