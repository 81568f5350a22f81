"""An order's own steps: its status, payments, a preview of its totals, an order from a won deal, its list.

Each step changes the order through the engine's write (``records.store.write``), whose ``save`` hook adds what
the change does (``orders.effects``: stock, status history, report counters) to the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.identity import service as identity_service
from chalicelib.identity import zones
from chalicelib.orders import pricing, views
from chalicelib.orders import schemas as s
from chalicelib.orders.models import Order, OrderCounter, OrderNumber, OrderRow, counter_key, number_key
from chalicelib.orders.record import ORDER, buyer_company, take_number
from chalicelib.records import access, editing, listing, money, store, types
from chalicelib.records import service as records_service
from chalicelib.records.timeline import PROFILE_SK

STAMPS = {"confirmed": "confirmed_at", "shipped": "shipped_at", "delivered": "delivered_at",
          "cancelled": "closed_at", "returned": "closed_at"}


def get_or_raise(ctx: TenantContext, order_id: str, *, action: str = "read") -> Order:
    """A live order the caller may act on (404, 403)."""
    found: Order = access.get_or_raise(ctx, ORDER, order_id, action=action)
    return found


def _changing(ctx: TenantContext, order_id: str, version: int) -> tuple[Order, Order]:
    before = get_or_raise(ctx, order_id, action="update")
    if int(before.version or 0) != version:
        raise errors.VersionConflictError()
    after = editing.clone(before)
    editing.touch(after)
    return before, after


def change_status(ctx: TenantContext, order_id: str, *, status: str, version: int) -> Order:
    """Move an order to a status its present one allows (409 ``invalid_transition`` otherwise); confirming
    reserves its products' stock and cancelling or returning gives it back, in the same transaction."""
    before, after = _changing(ctx, order_id, version)
    if status not in views.TRANSITIONS.get(before.status, ()):
        raise errors.ConflictError(f"An order that is {before.status.replace('_', ' ')} cannot become {status}.",
                                   code="invalid_transition", details=[{
                                       "loc": ["status"], "type": "invalid_transition", "msg": "Not allowed now",
                                       "allowed": list(views.TRANSITIONS.get(before.status, ()))}])
    after.status = status
    setattr(after, STAMPS[status], db.utcnow())
    if status == "confirmed":
        _reserve(ctx, after)
        after.status = _paid_status(after)
    store.write(ctx, ORDER, before, after, action="update")
    return after


def _reserve(ctx: TenantContext, order: Order) -> None:
    """What confirming holds: each stocked product's quantity, in the order's (or the default) warehouse."""
    product_type = types.get("product")
    ids = [line["product_id"] for line in order.lines or [] if line.get("product_id")]
    terms = product_type.hooks["sale_terms"](ctx, ids, order.currency, scoped=False) if ids else {}
    held: dict[str, int] = {}
    for line in order.lines or []:
        found = terms.get(line.get("product_id") or "")
        if found is not None and found["track_stock"]:
            held[line["product_id"]] = held.get(line["product_id"], 0) + money.to_milli(line["quantity"])
    if not held:
        return
    order.warehouse_id = order.warehouse_id or product_type.hooks["default_warehouse"](ctx)
    if order.warehouse_id is None:
        raise errors.ConflictError("Add a warehouse first: the order's products are kept in stock.",
                                   code="no_warehouse")
    order.reserved = [[product_id, milli] for product_id, milli in held.items()]


def _paid_status(order: Order) -> str:
    """A confirmed order's status by what was paid of it (a shipped one stays shipped, however paid)."""
    if order.status not in ("confirmed", "partially_paid", "paid") or not int(order.paid_minor):
        return str(order.status)
    return "paid" if views.payment_status(order) == "paid" else "partially_paid"


def add_payment(ctx: TenantContext, order_id: str, *, data: s.OrderPaymentIn) -> Order:
    """Record a payment (partial ones add up); more than is due answers 422 ``overpayment`` and changes nothing."""
    before, after = _changing(ctx, order_id, data.version)
    if before.status in ("new", "cancelled", "returned"):
        raise errors.ConflictError(f"An order that is {before.status} takes no payment.", code="invalid_transition")
    due = int(before.total_minor) - int(before.paid_minor)
    if data.amount_minor > due:
        raise errors.ValidationError(details=[{"loc": ["amount_minor"], "type": "overpayment",
                                               "msg": f"At most {due} is due"}])
    now = db.utcnow()
    payment = {"id": new_id(), "amount_minor": data.amount_minor, "method": data.method,
               "paid_on": (data.paid_on or zones.company_day(ctx, now)).isoformat(), "reference": data.reference,
               "recorded_at": now.isoformat(), "by": ctx.actor_id}
    after.payments = [*(before.payments or []), payment]
    after.paid_minor = int(before.paid_minor) + data.amount_minor
    after.status = _paid_status(after)
    if after.paid_minor >= int(after.total_minor):
        after.paid_at = now
    change = db.Change()
    from chalicelib.records import timeline as timeline_service

    timeline_service.add_entry(ctx, change, subject_type="order", subject_id=after.order_id, kind="payment",
                               summary="Payment received",
                               data={"amount_minor": data.amount_minor, "currency": after.currency,
                                     "method": data.method, "paid_on": payment["paid_on"]})
    store.write(ctx, ORDER, before, after, action="update", change=change)
    return after


def preview(ctx: TenantContext, *, data: s.OrderPreviewRequest) -> s.OrderPreview:
    """The lines' amounts and totals as an order would have them; nothing is written."""
    permissions.require(ctx, ORDER.plural, "read")
    lines = data.model_dump(mode="json")["lines"]
    mode = data.price_mode or ("inclusive" if identity_service.prices_include_tax(ctx) else "exclusive")
    priced, totals = pricing.price(ctx, lines, currency=data.currency, inclusive=mode == "inclusive")
    return s.OrderPreview(currency=data.currency, price_mode=mode, lines=views.lines(priced),
                     totals=views.totals(totals, priced))


def from_deal(ctx: TenantContext, deal_id: str, *, data: s.DealOrderCreate) -> Order:
    """An order of a won deal, for its first contact and its company, in one step (once per deal: 409
    ``duplicate_from_deal_id`` the second time); its lines are given, or one line of the deal's amount."""
    deal = access.get_or_raise(ctx, types.get("deal"), deal_id)
    if deal.status != "won":
        raise errors.ConflictError("Only a won deal becomes an order.", code="deal_not_won")
    # an order made for it by hand while it was open (a quote of parts and labour) is its order: not a second one,
    # whoever's it is and whether or not the caller may list orders (a role may make a deal's order without that)
    made = _rows(ctx, s.OrderListQuery(deal_id=deal.deal_id, limit=1), "all").items
    if made:
        raise errors.ConflictError("This deal already has an order.", code="duplicate_from_deal_id", details=[
            {"loc": ["deal_id"], "msg": "The deal has an order", "type": "duplicate",
             "existing_id": made[0].record_id}])
    lines = data.model_dump(mode="json", exclude_unset=True).get("lines") or [{
        "description": deal.title or "Deal", "quantity": "1", "unit_price_minor": int(deal.amount_minor or 0)}]
    contact_ids = list(deal.contact_ids or [])
    contact_id = contact_ids[0] if contact_ids else None
    fields: dict[str, Any] = {"currency": deal.currency, "lines": lines, "deal_id": deal.deal_id,
                              "contact_id": contact_id,
                              "company_id": deal.company_id or _only_company(ctx, contact_id)}
    if data.warehouse_id is not None:
        fields["warehouse_id"] = data.warehouse_id
    from chalicelib.core.schema import validate

    fields["from_deal_id"] = deal.deal_id
    created: Order = records_service.create(ctx, ORDER, data=validate(_FromDeal, fields))
    return created


def _only_company(ctx: TenantContext, contact_id: str | None) -> str | None:
    """The one company a deal's contact works for, when the caller may read it: the buyer its documents name."""
    contact = access.get(ctx, types.get("contact"), contact_id) if contact_id else None
    company = buyer_company(ctx, contact) if contact is not None else None
    return str(company.company_id) if company is not None else None


class _FromDeal(s.OrderCreate):
    """An order made from a deal: it claims the deal (no request body names this field)."""

    from_deal_id: str


def give_number(ctx: TenantContext, order_id: str) -> bool:
    """Number an order made before orders had numbers (the company's next, as if made now), only while it is at the
    version read and still has none; False when it has one (or is gone)."""
    from chalicelib.records import numbering

    before = db.get(ctx, Order, access.collection_pk(ctx, ORDER, order_id), PROFILE_SK)
    if before is None or before.number is not None:
        return False

    def write(counter: Any, number: int | None) -> bool:
        after, change = editing.clone(before), db.Change()
        take_number(ctx, change, after, counter, int(number or 0))
        store.save(ctx, ORDER, before, after, action="update", change=change)
        return True

    return bool(numbering.numbered(ctx, OrderCounter, *counter_key(ctx), write))


# -- the list -------------------------------------------------------------------------------------------


class _Plan:
    """The engine's list query shape for orders (the engine reads tag, owner, sort, order, limit, cursor)."""

    def __init__(self, query: s.OrderListQuery) -> None:
        self.tag, self.owner_id, self.q = query.tag, query.owner_id, None
        self.sort, self.order = query.sort, "desc"
        self.limit, self.cursor = query.limit, query.cursor


def list_orders(ctx: TenantContext, query: s.OrderListQuery) -> db.Page[OrderRow]:
    """One page of the orders the caller may see, newest first, by status, contact, company or deal (one Query);
    with ``q`` the order of that number, when it passes the filters (one GetItem of its number's lookup)."""
    scope = permissions.require(ctx, ORDER.plural, "read")
    if query.q is None:
        return _rows(ctx, query, scope)
    from chalicelib.records import search

    row = by_number(ctx, number_of(query.q))
    custom = _custom(query)
    return db.Page(items=[row] if row is not None and search.row_matches(ctx, row, query, scope, custom) else [],
                   next_cursor=None)


def number_of(q: str) -> int:
    """The number a search names ("№ 154", "#154", "No. 154", "0154": 154)."""
    return int("".join(ch for ch in q if ch.isdigit()))


def by_number(ctx: TenantContext, number: int) -> OrderRow | None:
    """The list row of the live order that has a number (two GetItems: the number's item, the order's ``ALL``
    row), or None (no such number, or its order is in the trash or gone)."""
    found = db.get(ctx, OrderNumber, *number_key(ctx, number))
    if found is None:
        return None
    return db.get(ctx, OrderRow, tenant_key(ctx, ORDER.space or "", "ALL"), found.order_id)


def deal_rows(ctx: TenantContext, query: s.OrderListQuery) -> db.Page[OrderRow]:
    """One page of a deal's orders whoever may list them: what its amount sums (``orders.effects``)."""
    return _rows(ctx, query, "all")


def _custom(query: s.OrderListQuery) -> list[tuple[str, str]]:
    return [(key, value) for key, value in (("status", query.status), ("contact", query.contact_id),
                                            ("company", query.company_id), ("deal", query.deal_id)) if value]


def _rows(ctx: TenantContext, query: s.OrderListQuery, scope: str) -> db.Page[OrderRow]:
    custom = _custom(query)
    plan = listing.plan(ctx, OrderRow, _Plan(query), scope, custom)
    return listing.list_rows(ctx, OrderRow, ORDER.space or "", plan)


def paid_on(value: str) -> date:
    """A stored payment's date."""
    return date.fromisoformat(value)
