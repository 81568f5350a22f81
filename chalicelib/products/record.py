"""The product record type: a name, a SKU (unique in the tenant), a price in minor units, tags, custom fields."""

from __future__ import annotations

from typing import Any

from chalicelib.core.tenancy import TenantContext
from chalicelib.products.models import Product, ProductRow
from chalicelib.records import listing, matching, types


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
            "currency": product.currency}


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
    if "tags" in fields:
        product.tags = list(fields["tags"] or [])
    for name in ("sku", "unit", "description"):
        if name in fields:
            setattr(product, name, (fields[name] or "").strip() or None)


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
        price=s.Price(minor=int(product.price_minor), currency=product.currency), description=product.description,
        tags=list(product.tags or []), owner_id=product.owner_id, team_id=product.team_id,
        custom=records_service.custom_view(ctx, PRODUCT, product), created_at=product.created_at,
        updated_at=product.updated_at, deleted_at=product.deleted_at, version=int(product.version or 0))


def revert_values(audited: dict[str, Any], product: Product) -> dict[str, Any]:
    """Audited fields as a change request: the price is one field of minor units and currency."""
    values = {k: v for k, v in audited.items() if k not in ("price_minor", "currency")}
    if "price_minor" in audited or "currency" in audited:
        values["price"] = {"minor": audited.get("price_minor", product.price_minor),
                           "currency": audited.get("currency", product.currency)}
    return values


PRODUCT = types.register(types.RecordType(
    name="product", plural="products", prefix="PR", model=Product, id_attribute="product_id", space="PRX",
    row_model=ProductRow, link_kinds={"deal": "DEAL", "task": "TASK"},
    fields=(types.Field("name", search=True, aliases=("product", "product name", "title", "item", "товар",
                                                      "название", "наименование", "название товара")),
            types.Field("sku", search=True, lookup="sku", unique=True, title="SKU",
                        aliases=("article", "code", "product code", "артикул", "код", "код товара")),
            types.Field("price", kind="money", aliases=("price", "unit price", "cost", "цена", "стоимость")),
            types.Field("currency", aliases=("currency", "валюта")),
            types.Field("unit", aliases=("unit", "uom", "unit of measure", "единица", "ед изм", "единица измерения")),
            types.Field("description", aliases=("description", "details", "описание")),
            types.Field("tags", kind="list", aliases=("tags", "tag", "labels", "category", "теги", "метки",
                                                      "категория"))),
    audit_fields=("name", "sku", "price_minor", "currency", "unit", "description", "tags", "owner_id", "team_id",
                  "deleted_at"),
    hooks={"facets": facets, "row_values": row_values, "whole_token": whole_token, "apply": apply,
           "update_schema": _update_schema, "revert_values": revert_values, "create_schema": _create_schema,
           "list_query": _list_query, "read": read},
))
