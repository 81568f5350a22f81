"""Stock per product and warehouse, warehouses, and what an order asks of products (their sale terms, stock moves).

Quantities are thousandths of the product's unit. A stock item is only ever changed by UpdateItem ADDs in the
transaction of the change that moves stock (``db.Change.limit``): a reservation adds to ``reserved`` and to
``short`` (reserved minus on hand) under the ceiling 0, so DynamoDB itself refuses the second of two
confirmations competing for the last units, and the whole transaction (the order's status, its audit record,
its counters) with it: nothing changes and the caller is answered 409 ``insufficient_stock``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.products.models import Product, StockItem, Warehouse
from chalicelib.records import access, money, types
from chalicelib.records import timeline as timeline_service

STOCK_PREFIX = "STOCK#"
MOVES = {  # what each movement adds, per unit: reserving keeps on hand and grows the reservation ...
    "reserve": {"reserved": 1, "short": 1},
    "release": {"reserved": -1, "short": -1},
    "ship": {"on_hand": -1, "reserved": -1},
    "restock": {"on_hand": 1, "short": -1},
}


def _product_type() -> types.RecordType:
    return types.get("product")


def stock_key(ctx: TenantContext, product_id: str, warehouse_id: str) -> tuple[str, str]:
    """The key of a product's stock in a warehouse: in the product's collection."""
    return tenant_key(ctx, "PR", product_id), f"{STOCK_PREFIX}{warehouse_id}"


def warehouses_pk(ctx: TenantContext) -> str:
    """The partition of the tenant's warehouses."""
    return tenant_key(ctx, "WAREHOUSE")


# -- warehouses ---------------------------------------------------------------------------------------


def list_warehouses(ctx: TenantContext) -> list[Warehouse]:
    """The tenant's warehouses (one Query), the default first."""
    permissions.require(ctx, "products", "read")
    with db.translate_errors():
        found = [w for w in Warehouse.query(warehouses_pk(ctx)) if isinstance(w, Warehouse)]
    return sorted(found, key=lambda w: (not w.is_default, w.warehouse_id))


def create_warehouse(ctx: TenantContext, *, name: str) -> Warehouse:
    """A new warehouse; the tenant's first is its default."""
    permissions.require(ctx, "products", "create")
    existing = list_warehouses(ctx)
    if len(existing) >= 50:
        raise errors.ConflictError("A company keeps at most 50 warehouses.", code="too_many_warehouses")
    warehouse_id = new_id()
    warehouse = Warehouse(warehouses_pk(ctx), warehouse_id, warehouse_id=warehouse_id, name=name.strip(),
                          is_default=not existing)
    change = db.Change()
    from chalicelib.core import audit

    audit.attach(ctx, change, warehouse, entity="warehouse", entity_id=warehouse_id, action="create", before=None,
                 after={"name": warehouse.name, "is_default": warehouse.is_default})
    change.save(warehouse)
    db.commit(ctx, change)
    return warehouse


def get_warehouse(ctx: TenantContext, warehouse_id: str) -> Warehouse:
    """One warehouse of the tenant; 404 otherwise."""
    from chalicelib.core.tenancy import is_valid_id

    found = db.get(ctx, Warehouse, warehouses_pk(ctx), warehouse_id) if is_valid_id(warehouse_id) else None
    if found is None:
        raise errors.NotFoundError("No such warehouse.")
    return found


def default_warehouse(ctx: TenantContext) -> str | None:
    """The id of the tenant's default warehouse, or None when it keeps none."""
    with db.translate_errors():
        for warehouse in Warehouse.query(warehouses_pk(ctx)):
            if isinstance(warehouse, Warehouse) and warehouse.is_default:
                return str(warehouse.warehouse_id)
    return None


# -- stock --------------------------------------------------------------------------------------------


def read_stock(ctx: TenantContext, product_id: str) -> tuple[Product, list[StockItem]]:
    """A product and its stock in every warehouse (one Query of its collection's stock items)."""
    product = access.get_or_raise(ctx, _product_type(), product_id)
    with db.translate_errors():
        items = [item for item in StockItem.query(product.pk, StockItem.sk.startswith(STOCK_PREFIX))
                 if isinstance(item, StockItem)]
    return product, items


def set_on_hand(ctx: TenantContext, product_id: str, warehouse_id: str, *, on_hand: str) -> None:
    """Count the stock: the warehouse holds on_hand now. Reserved units stay reserved, so a count below them
    answers 409 ``stock_reserved``; a count that races another is refused rather than added twice."""
    product = access.get_or_raise(ctx, _product_type(), product_id, action="update")
    warehouse = get_warehouse(ctx, warehouse_id)
    pk, sk = stock_key(ctx, product_id, warehouse_id)
    current = db.get(ctx, StockItem, pk, sk)
    was = int(current.on_hand or 0) if current is not None else 0
    delta = money.to_milli(on_hand) - was
    change = db.Change()
    if delta:
        change.limit(StockItem(pk, sk), {"on_hand": delta, "short": -delta},
                     ceilings={"on_hand": was + delta, "short": 0},
                     refusal=lambda: errors.ConflictError(
                         "More of it is reserved by confirmed orders, or someone counted it meanwhile.",
                         code="stock_reserved"))
    else:
        change.limit(StockItem(pk, sk), {"on_hand": 0})  # a first count of 0 still makes the item
    timeline_service.add_entry(ctx, change, subject_type="product", subject_id=product.product_id, kind="stock",
                               summary=f"Stock in {warehouse.name} set to {money.from_milli(was + delta)}",
                               data={"warehouse_id": warehouse_id, "from": money.from_milli(was),
                                     "to": money.from_milli(was + delta)})
    db.commit(ctx, change)


def stock_view(item: StockItem, warehouse_id: str) -> dict[str, str]:
    """A stock item as the API shows it: on hand, reserved and available, as decimals."""
    on_hand, reserved = int(item.on_hand or 0), int(item.reserved or 0)
    return {"warehouse_id": warehouse_id, "on_hand": money.from_milli(on_hand),
            "reserved": money.from_milli(reserved), "available": money.from_milli(on_hand - reserved)}


# -- what orders ask of products ----------------------------------------------------------------------


def sale_terms(ctx: TenantContext, product_ids: list[str], currency: str, *, scoped: bool = True
               ) -> dict[str, dict[str, Any]]:
    """Name, SKU, unit, price in currency (None when the price list has none), tax rate, whether stock is
    reserved and whether it is made of parts, for each live product the caller may read (scoped; the feed
    prices services as the system) (one BatchGetItem)."""
    from chalicelib.core.tenancy import is_valid_id

    rtype = _product_type()
    keys = [(access.collection_pk(ctx, rtype, pid), timeline_service.PROFILE_SK)
            for pid in dict.fromkeys(product_ids) if is_valid_id(pid)]
    found = db.get_many(ctx, keys) if keys else {}
    terms: dict[str, dict[str, Any]] = {}
    for item in found.values():
        if not isinstance(item, Product) or item.deleted_at is not None or (
                scoped and not access.may_read(ctx, rtype, item)):
            continue
        price = int(item.price_minor) if item.currency == currency else (item.prices or {}).get(currency)
        terms[item.product_id] = {
            "name": item.name, "sku": item.sku, "unit": item.unit, "price_minor": price,
            "tax_rate": item.tax_rate,
            "track_stock": bool(item.track_stock), "has_parts": bool(item.components)}
    return terms


def moves(ctx: TenantContext, change: db.Change, *, warehouse_id: str, moves: list[tuple[str, int]],
          kind: str) -> None:
    """Add stock movements to change (one update per product): a reservation needs the stock item to exist
    and to hold enough (the transaction fails as a whole otherwise: 409 ``insufficient_stock``)."""
    per_product: dict[str, int] = defaultdict(int)
    for product_id, milli in moves:
        per_product[product_id] += int(milli)
    if kind == "reserve":
        keys = [stock_key(ctx, pid, warehouse_id) for pid in per_product]
        found = db.get_many(ctx, keys) if keys else {}
        missing = [pid for pid, key in zip(per_product, keys, strict=True) if key not in found]
        if missing:
            raise _insufficient(missing[0])
    for product_id, milli in per_product.items():
        pk, sk = stock_key(ctx, product_id, warehouse_id)
        amounts = {name: sign * milli for name, sign in MOVES[kind].items()}
        if kind == "reserve":
            change.limit(StockItem(pk, sk), amounts, ceilings={"short": 0}, refusal=_refusal(product_id))
        else:
            change.limit(StockItem(pk, sk), amounts)


def _refusal(product_id: str) -> Callable[[], errors.CRMError]:
    return lambda: _insufficient(product_id)


def _insufficient(product_id: str) -> errors.ConflictError:
    return errors.ConflictError("Not enough in stock for this order.", code="insufficient_stock",
                                details=[{"loc": ["lines"], "product_id": product_id, "type": "insufficient_stock",
                                          "msg": "Not enough in stock"}])
