"""The product record type: a name, a SKU (unique in the tenant), a default price and a price list, a tax rate,
stock per warehouse, parts (a service priced from them), tags, custom fields.

Besides the engine's hooks it declares what orders ask of products (``sale_terms``, ``stock_moves``): a record
domain reaches another only through the hooks declared on the engine.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.tenancy import TenantContext
from chalicelib.products.models import Product, ProductRow
from chalicelib.records import listing, matching, money, types


def facets(product: Product) -> listing.Facets:
    """A product is found by the words of its name and by its SKU."""
    return listing.Facets(
        record_id=product.product_id, owner_id=product.owner_id, team_id=product.team_id,
        tags=tuple(product.tags or ()), custom=tuple((k, v) for k, v in product.custom_indexed or []),
        tokens=tuple(matching.search_tokens(product.name, extra=[matching.fold(product.sku)])),
        sort_name=matching.fold(product.name), updated_at=product.updated_at.isoformat(),
        deleted_at=product.deleted_at.isoformat() if product.deleted_at else None,
    )


def row_values(product: Product) -> dict[str, Any]:
    """What a product's list rows show besides the common attributes."""
    return {"name": product.name, "sku": product.sku, "price_minor": int(product.price_minor),
            "currency": product.currency, "unit": product.unit,
            "tax_rate_milli": None if product.tax_rate_milli is None else int(product.tax_rate_milli),
            "tax_rate_bp": None if product.tax_rate_bp is None else int(product.tax_rate_bp)}


def tax_rate(row: ProductRow) -> str | None:
    """A list row's tax rate as the API shows it, whichever way it is stored (a product has its own ``tax_rate``)."""
    return money.stored_percent(row.tax_rate_milli, row.tax_rate_bp)


def whole_token(q: str) -> str | None:
    """A query of one word with digits or punctuation in it reads as a SKU (its prefix)."""
    if " " in q or q.isalpha():
        return None
    return matching.fold(q)


def apply(ctx: TenantContext, product: Product, fields: dict[str, Any]) -> None:
    """Set a product's own fields from a request (JSON dump, unset fields absent)."""
    if "name" in fields:
        product.name = fields["name"].strip()
    if "price" in fields:
        product.price_minor, product.currency = fields["price"]["minor"], fields["price"]["currency"]
    if "prices" in fields:
        product.prices = {p["currency"]: p["minor"] for p in fields["prices"] or []}
    if "tax_rate" in fields:
        product.tax_rate_milli = None if fields["tax_rate"] is None else money.to_milli(fields["tax_rate"])
        product.tax_rate_bp = None  # the old attribute goes: the rate is now in thousandths
    if "tags" in fields:
        product.tags = list(fields["tags"] or [])
    if "track_stock" in fields:
        product.track_stock = bool(fields["track_stock"])
    for name in ("sku", "unit", "description", "external_id"):
        if name in fields:
            setattr(product, name, (fields[name] or "").strip() or None)
    product.prices = {code: minor for code, minor in (product.prices or {}).items() if code != product.currency}
    if "components" in fields or "labour_minor" in fields or (product.components and "price" in fields):
        from chalicelib.products import components

        components.apply(ctx, product, fields)


def save(ctx: TenantContext, before: Product | None, after: Product | None, *, action: str, change: Any = None) -> Any:
    """The engine's save, with the marks that let a part's price change find the services made of it."""
    from chalicelib.core import db
    from chalicelib.products import components
    from chalicelib.records import store

    change = change or db.Change()
    components.mark_uses(ctx, change, before, after)
    return store.save(ctx, PRODUCT, before, after, action=action, change=change)


def _update_schema() -> type[Any]:
    from chalicelib.products.schemas import ProductUpdate

    return ProductUpdate


def _create_schema() -> type[Any]:
    from chalicelib.products.schemas import ProductCreate

    return ProductCreate


def _list_query() -> type[Any]:
    from chalicelib.products.schemas import ProductListQuery

    return ProductListQuery


def read(ctx: TenantContext, product: Product) -> Any:
    """A product as the API shows it (ProductRead)."""
    from chalicelib.products import schemas as s
    from chalicelib.records import service as records_service

    return s.ProductRead(
        id=product.product_id, name=product.name, sku=product.sku, unit=product.unit,
        price=s.Price(minor=int(product.price_minor), currency=product.currency),
        prices=[s.Price(minor=int(minor), currency=code) for code, minor in sorted((product.prices or {}).items())],
        tax_rate=product.tax_rate,
        description=product.description, external_id=product.external_id, track_stock=bool(product.track_stock),
        components=[s.ProductComponentOut(product_id=c["product_id"], quantity=money.from_milli(c["quantity_milli"]),
                                          name=c.get("name")) for c in product.components or []],
        labour_minor=None if product.labour_minor is None else int(product.labour_minor),
        tags=list(product.tags or []), owner_id=product.owner_id, team_id=product.team_id,
        custom=records_service.custom_view(ctx, PRODUCT, product), created_at=product.created_at,
        updated_at=product.updated_at, deleted_at=product.deleted_at, version=int(product.version or 0))


def revert_values(audited: dict[str, Any], product: Product) -> dict[str, Any]:
    """Audited fields as a change request: the price is one field of minor units and currency, the price list a
    list of amounts, the tax rate a percentage (in basis points in a record made before rates had three places),
    parts their quantities."""
    values = {k: v for k, v in audited.items() if k not in ("price_minor", "currency", "prices", "tax_rate_bp",
                                                             "components")}
    if "price_minor" in audited or "currency" in audited:
        values["price"] = {"minor": audited.get("price_minor", product.price_minor),
                           "currency": audited.get("currency", product.currency)}
    if "prices" in audited:
        values["prices"] = [{"minor": minor, "currency": code} for code, minor in (audited["prices"] or {}).items()]
    if "tax_rate_bp" in audited and "tax_rate" not in audited:  # a change recorded before rates had 3 places
        values["tax_rate"] = money.stored_percent(None, audited["tax_rate_bp"])
    if "components" in audited:
        values["components"] = [{"product_id": c["product_id"], "quantity": money.from_milli(c["quantity_milli"])}
                                for c in audited["components"] or []]
    return values


def sale_terms(ctx: TenantContext, product_ids: list[str], currency: str, *, scoped: bool = True
               ) -> dict[str, dict[str, Any]]:
    """What an order line takes from each live product the caller may read (any product of the company when not
    scoped: what a confirmation reserves does not depend on who confirms), in the order's currency (hook)."""
    from chalicelib.products import stock

    return stock.sale_terms(ctx, product_ids, currency, scoped=scoped)


def stock_moves(ctx: TenantContext, change: Any, *, warehouse_id: str, moves: list[tuple[str, int]],
                kind: str) -> None:
    """Add an order's stock movement to its transaction: reserve, release, ship or restock (hook)."""
    from chalicelib.products import stock

    stock.moves(ctx, change, warehouse_id=warehouse_id, moves=moves, kind=kind)


def default_warehouse(ctx: TenantContext) -> str | None:
    """The tenant's default warehouse, where an order takes stock from unless it names another (hook)."""
    from chalicelib.products import stock

    return stock.default_warehouse(ctx)


def warehouse(ctx: TenantContext, warehouse_id: str) -> str:
    """The id of a warehouse of the tenant (404 otherwise) (hook)."""
    from chalicelib.products import stock

    return str(stock.get_warehouse(ctx, warehouse_id).warehouse_id)


PRODUCT = types.register(types.RecordType(
    name="product", plural="products", prefix="PR", model=Product, id_attribute="product_id", space="PRX",
    row_model=ProductRow, link_kinds={"deal": "DEAL", "task": "TASK"},
    fields=(types.Field("name", search=True, aliases=("product", "product name", "title", "item", "товар",
                                                      "название", "наименование", "название товара")),
            types.Field("sku", search=True, lookup="sku", unique=True, title="SKU",
                        aliases=("article", "code", "product code", "артикул", "код", "код товара",
                                 "product product code", "product sku")),  # Pipedrive's "Product - Product code"
            types.Field("price", kind="money", aliases=("price", "unit price", "cost", "цена", "стоимость",
                                                        "product price", "product unit price")),
            types.Field("currency", aliases=("currency", "валюта", "product currency")),
            types.Field("unit", aliases=("unit", "uom", "unit of measure", "единица", "ед изм", "единица измерения",
                                         "product unit")),
            types.Field("description", aliases=("description", "details", "описание", "product description")),
            types.Field("prices", kind="money_list", aliases=("price", "цена")),  # columns "Price EUR", "Цена USD"
            types.Field("tax_rate", kind="percent", aliases=("tax rate", "tax", "vat", "vat rate", "ставка ндс",
                                                             "ндс", "product tax", "product tax rate")),
            types.Field("external_id", lookup="product_ext", unique=True, title="external id",
                        aliases=("external id", "external_id", "1c id", "guid", "внешний код", "код 1с")),  # noqa: RUF001
            types.Field("tags", kind="list", aliases=("tags", "tag", "labels", "category", "теги", "метки",
                                                      "категория", "product category"))),
    audit_fields=("name", "sku", "price_minor", "currency", "prices", "tax_rate", "unit", "description",
                  "external_id", "track_stock", "components", "labour_minor", "tags", "owner_id", "team_id",
                  "deleted_at"),
    hooks={"facets": facets, "row_values": row_values, "whole_token": whole_token, "apply": apply, "save": save,
           "update_schema": _update_schema, "revert_values": revert_values, "create_schema": _create_schema,
           "list_query": _list_query, "read": read, "sale_terms": sale_terms, "stock_moves": stock_moves,
           "default_warehouse": default_warehouse, "warehouse": warehouse},
))
