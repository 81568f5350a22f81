"""Routes of products: the record engine's (CRUD, search by name or SKU, timeline, trash), the upsert by external
id, stock per warehouse and the warehouses."""

from __future__ import annotations

from typing import Any

from chalicelib.core import db
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.core.tenancy import TenantContext
from chalicelib.products import schemas as s
from chalicelib.products.models import ProductRow
from chalicelib.products.record import PRODUCT, read, tax_rate
from chalicelib.records import card, routes, upsert
from chalicelib.records.fieldaccess import views as shown

api = Api(__name__, tag="products")


def _page(page: db.Page[ProductRow]) -> s.ProductPage:
    return s.ProductPage(next_cursor=page.next_cursor, items=[s.ProductSummary(
        id=row.record_id, name=row.name, sku=row.sku, price=s.Price(minor=int(row.price_minor), currency=row.currency),
        unit=row.unit, tax_rate=tax_rate(row),
        tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id, created_at=row.created_at,
        updated_at=row.updated_at, deleted_at=row.deleted_at, version=int(row.version)) for row in page.items])


def _card(ctx: TenantContext, product_id: str) -> s.ProductCard:
    found = card.card(ctx, PRODUCT, product_id)
    return s.ProductCard(**read(ctx, found.record).model_dump(), **found.parts())


routes.declare(api, PRODUCT, routes.Views(
    read=read, read_schema=s.ProductRead, page=_page, page_schema=s.ProductPage, list_query=s.ProductListQuery,
    create=s.ProductCreate, update=s.ProductUpdate, card=_card, card_schema=s.ProductCard))


@api.route("/api/v1/products/by-external-id/{external_id}", method="PUT", body=s.ProductUpsert,
           response=s.ProductRead, errors=(403, 404, 409),
           summary="Create or change the product an accounting system knows by its id (201 when created)")
def products_upsert(request: ApiRequest, external_id: str) -> Any:
    from chalicelib.records.fieldaccess import service as field_rules

    field_rules.check_request(request.tenant, PRODUCT, request.body, create=False)
    product, created = upsert.by_external_id(request.tenant, PRODUCT, external_id, data=request.body,
                                             create=s.ProductCreate, update=s.ProductUpdate)
    return json_response(shown.record(request.tenant, PRODUCT, read(request.tenant, product)),
                         status=201 if created else 200)


@api.route("/api/v1/products/{product_id}/stock", summary="A product's stock in every warehouse",
           response=s.ProductStockRead, errors=(404,))
def products_stock(request: ApiRequest, product_id: str) -> s.ProductStockRead:
    from chalicelib.products import stock

    product, items = stock.read_stock(request.tenant, product_id)
    return s.ProductStockRead(product_id=product.product_id, track_stock=bool(product.track_stock), items=[
        s.ProductStockRow(**stock.stock_view(item, item.sk.removeprefix(stock.STOCK_PREFIX))) for item in items])


@api.route("/api/v1/products/{product_id}/stock/{warehouse_id}", method="PUT", body=s.ProductStockSet,
           response=s.ProductStockRead, errors=(403, 404, 409),
           summary="Count a product's stock in a warehouse (reserved units stay reserved)")
def products_stock_set(request: ApiRequest, product_id: str, warehouse_id: str) -> s.ProductStockRead:
    from chalicelib.products import stock

    stock.set_on_hand(request.tenant, product_id, warehouse_id, on_hand=request.body.on_hand)
    return products_stock(request, product_id)


@api.route("/api/v1/warehouses", summary="The company's warehouses, the default first", response=s.WarehouseList,
           errors=(403,))
def warehouses_list(request: ApiRequest) -> s.WarehouseList:
    from chalicelib.products import stock

    return s.WarehouseList(items=[_warehouse(w) for w in stock.list_warehouses(request.tenant)])


@api.route("/api/v1/warehouses", method="POST", body=s.WarehouseCreate, response=s.WarehouseRead, status=201,
           errors=(403, 409), summary="Add a warehouse (the first is the default)")
def warehouses_create(request: ApiRequest) -> s.WarehouseRead:
    from chalicelib.products import stock

    return _warehouse(stock.create_warehouse(request.tenant, name=request.body.name))


def _warehouse(warehouse: Any) -> s.WarehouseRead:
    return s.WarehouseRead(id=warehouse.warehouse_id, name=warehouse.name, is_default=bool(warehouse.is_default),
                           version=int(warehouse.version or 0))
