"""The order record type: lines with server-computed totals, a customer (contact or company), an optional deal,
a status, payments and shipping.

What is truly an order's own lives here and in ``orders.service``: its fields from a request (``apply``: lines
priced through the product type's ``sale_terms`` hook, totals from ``orders.totals``), and what a change of its
status does in the same transaction (``save``: stock through the product type's ``stock_moves`` hook, the
status history on its timeline, the orders report's day counters). Everything else is the engine's.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, errors
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.identity import service as identity_service
from chalicelib.orders.models import Order, OrderCounter, OrderNumber, OrderRow, counter_key, number_key
from chalicelib.records import listing, types

LOCKED = ("currency", "price_mode", "warehouse_id")  # fixed once the order is confirmed, as its lines are


def facets(order: Order) -> listing.Facets:
    """An order is listed by owner, team, tags, status, contact, company and deal (no search words)."""
    custom = [("status", order.status)]
    custom += [(name, value) for name, value in (("contact", order.contact_id), ("company", order.company_id),
                                                 ("deal", order.deal_id)) if value]
    return listing.Facets(record_id=order.order_id, owner_id=order.owner_id, team_id=order.team_id,
                          tags=tuple(order.tags or ()), custom=tuple(custom), updated_at=order.updated_at.isoformat(),
                          deleted_at=order.deleted_at.isoformat() if order.deleted_at else None)


def row_values(order: Order) -> dict[str, Any]:
    """What the orders list shows of an order."""
    return {"status": order.status, "currency": order.currency, "total_minor": int(order.total_minor),
            "paid_minor": int(order.paid_minor), "contact_id": order.contact_id, "company_id": order.company_id,
            "deal_id": order.deal_id, "lines_count": len(order.lines or []),
            "number": int(order.number) if order.number is not None else None}


def apply(ctx: TenantContext, order: Order, fields: dict[str, Any]) -> None:
    """Set an order's own fields from a request; lines, currency, price mode and warehouse only while it is new."""
    from chalicelib.orders import pricing

    customers: dict[str, Any] = {}
    for name in ("contact_id", "company_id", "deal_id"):
        if name in fields and fields[name] != getattr(order, name):
            customers[name] = _check_linked(ctx, name, fields[name])
            setattr(order, name, fields[name])
    if order.version is None and "company_id" not in fields and customers.get("contact_id") is not None:
        # a new order for a buyer of one company is that company's, as the order editor makes it: its documents
        # name the company (B2B) with its requisites, whether it came from the editor or an integration
        customers["company_id"] = buyer_company(ctx, customers["contact_id"])
        order.company_id = getattr(customers["company_id"], "company_id", None)
    if order.version is None and not (fields.get("shipping") or {}).get("address"):
        _ship_to_customer(ctx, order, customers)
    if "warehouse_id" in fields and fields["warehouse_id"] != order.warehouse_id:
        _locked(order, "warehouse_id")
        if fields["warehouse_id"] is not None:
            types.get("product").hooks["warehouse"](ctx, fields["warehouse_id"])
        order.warehouse_id = fields["warehouse_id"]
    if order.version is None and fields.get("price_mode") is None and identity_service.prices_include_tax(ctx):
        order.price_mode = "inclusive"  # the company types its prices with their VAT in: a new order starts so
    for name in ("currency", "price_mode"):
        if fields.get(name) is not None and fields[name] != getattr(order, name):
            _locked(order, name)
            setattr(order, name, fields[name])
    if "lines" in fields or (order.status == "new" and any(fields.get(n) for n in ("currency", "price_mode"))):
        lines = fields["lines"] if "lines" in fields else pricing.requested(order.lines or [])
        priced, totals = pricing.price(ctx, lines, currency=order.currency, inclusive=order.price_mode == "inclusive")
        if order.status != "new" and pricing.same(priced, order.lines or []) is False:
            _locked(order, "lines")
        if order.status == "new":
            order.lines = priced
            for name in ("subtotal_minor", "discount_minor", "tax_minor", "total_minor"):
                setattr(order, name, totals[name])
    if "shipping" in fields:
        order.shipping = {k: v for k, v in (fields["shipping"] or {}).items() if v not in (None, {}, "")}
    if "notes" in fields:
        order.notes = (fields["notes"] or "").strip() or None
    if "external_id" in fields:
        order.external_id = fields["external_id"]
    if fields.get("from_deal_id"):  # set by orders.service.from_deal only
        order.from_deal_id = fields["from_deal_id"]
    if "tags" in fields:
        order.tags = list(fields["tags"] or [])
    if not (order.contact_id or order.company_id):
        raise errors.ValidationError(details=[{"loc": ["contact_id"], "msg": "An order has a contact or a company",
                                               "type": "customer_required"}])


def buyer_company(ctx: TenantContext, contact: Any) -> Any:
    """The one company a contact works for, when the caller may read it (one GetItem), else None: none, or several."""
    from chalicelib.records import access

    company_ids = list(getattr(contact, "company_ids", None) or [])
    if len(company_ids) != 1:
        return None
    company_type = types.get("company")
    company = access.get(ctx, company_type, company_ids[0])
    return company if company is not None and access.may_read(ctx, company_type, company) else None


def _check_linked(ctx: TenantContext, name: str, record_id: str | None) -> Any:
    if record_id is None:
        return None
    from chalicelib.records import access

    return access.require_visible(ctx, name.removesuffix("_id"), record_id, loc=[name])


# Where a new order is shipped when it names no address: its contact's shipping address, else its company's address
# (as Pipedrive's and HubSpot's orders start from the customer's), when the caller's role may read it there.
SHIP_TO = (("contact_id", "contacts", "shipping_address"), ("company_id", "companies", "address"))


def _ship_to_customer(ctx: TenantContext, order: Order, customers: dict[str, Any]) -> None:
    from chalicelib.core import permissions

    rules = permissions.field_rules(ctx)
    for name, entity, field in SHIP_TO:
        address = getattr(customers.get(name), field, None)
        if address and rules.may_read(entity, field):
            order.shipping = {**(order.shipping or {}), "address": dict(address)}
            return


def _locked(order: Order, name: str) -> None:
    if order.status != "new":
        raise errors.ConflictError(f"The order is {order.status}: its {name.replace('_', ' ')} no longer changes.",
                                   code="order_locked", details=[{"loc": [name], "type": "order_locked",
                                                                  "msg": "Fixed once the order is confirmed"}])


def save(ctx: TenantContext, before: Order | None, after: Order | None, *, action: str, change: Any = None) -> Any:
    """The engine's save, with what a change of the order's status or payments does in the same transaction; a new
    order takes the company's next number there (``records.numbering``: a number taken meanwhile, the next), as does
    one restored from the trash without one (the one-off pass numbers listed orders only: the trash has no rows)."""
    from chalicelib.core import db
    from chalicelib.orders import effects
    from chalicelib.records import numbering, store

    def write(counter: Any = None, number: int | None = None) -> Any:
        attempt = db.Change().extend(change)
        if counter is not None and number is not None and after is not None:
            take_number(ctx, attempt, after, counter, number)
        effects.add(ctx, attempt, before, after)
        return store.save(ctx, ORDER, before, after, action=action, change=attempt)

    restored = before is not None and before.deleted_at is not None and after is not None and after.deleted_at is None
    if after is None or after.number is not None or (before is not None and not restored):
        return write()  # an order keeps its number; one trashed before orders had numbers takes one when restored
    return numbering.numbered(ctx, OrderCounter, *counter_key(ctx), write, unnumbered=lambda: _made_before(ctx))


def take_number(ctx: TenantContext, change: Any, order: Order, counter: OrderCounter, number: int) -> None:
    """Give an order a number in change: the counter put back at it (version-checked) and the number's item naming
    the order, put only if new (two orders never hold one number, whatever raced)."""
    order.number = number
    change.save(counter)
    change.create(OrderNumber(*number_key(ctx, number), order_id=order.order_id))


def _made_before(ctx: TenantContext) -> bool:
    """True when the company has orders but no counter: made before orders had numbers, which the one-off pass
    (``housekeeping.order_numbers``) gives them in the order they were made, this one among them (one Query, once)."""
    from chalicelib.core import db
    from chalicelib.core.tenancy import tenant_key

    return bool(db.query_page(ctx, OrderRow, tenant_key(ctx, ORDER.space or "", "ALL"), scope="order-numbers",
                              limit=1).items)


def read(ctx: TenantContext, order: Order) -> Any:
    """An order as the API shows it (OrderRead)."""
    from chalicelib.orders import views

    return views.order(ctx, order)


def _update_schema() -> type[Any]:
    from chalicelib.orders.schemas import OrderUpdate

    return OrderUpdate


def _create_schema() -> type[Any]:
    from chalicelib.orders.schemas import OrderCreate

    return OrderCreate


NOT_REVERTABLE = "An order's changes are undone by cancelling or returning it, not reverted."


def _not_revertable(ctx: TenantContext, order_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """An order's stock, payments and status move together: a change is undone by the next status, not reverted."""
    raise errors.ConflictError(NOT_REVERTABLE, code="not_revertable")


def line_id() -> str:
    """A new line's id."""
    return new_id()


audit.register_reverter("order", _not_revertable, refuses=lambda before, after: NOT_REVERTABLE)

ORDER = types.register(types.RecordType(
    name="order", plural="orders", prefix="OR", model=Order, id_attribute="order_id", space="ORX", row_model=OrderRow,
    lists=("ALL", "OWNER", "TEAM", "TAG", "CF"), sorts=("created", "updated"),
    fields=(types.Field("external_id", lookup="order_ext", unique=True, title="external id"),
            types.Field("from_deal_id", lookup="order_deal", unique=True, title="deal's order"),
            types.Field("notes", personal=True),
            types.Field("lines", personal=True),
            types.Field("shipping", personal=True)),
    audit_fields=("number", "status", "currency", "price_mode", "contact_id", "company_id", "deal_id", "warehouse_id",
                  "external_id", "lines", "total_minor", "tax_minor", "paid_minor", "payments", "shipping", "notes",
                  "paid_at", "tags", "owner_id", "team_id", "deleted_at"),
    hooks={"facets": facets, "row_values": row_values, "apply": apply, "save": save, "read": read,
           "update_schema": _update_schema, "create_schema": _create_schema},
))
