"""Routes of products: the record engine's (CRUD, search by name or SKU, timeline, trash)."""

from __future__ import annotations

from chalicelib.core import db
from chalicelib.core.http import Api
from chalicelib.core.tenancy import TenantContext
from chalicelib.products import schemas as s
from chalicelib.products.models import Product, ProductRow
from chalicelib.products.record import PRODUCT
from chalicelib.records import routes
from chalicelib.records import service as records_service

api = Api(__name__, tag="products")


def _read(ctx: TenantContext, product: Product) -> s.ProductRead:
    return s.ProductRead(
        id=product.product_id, name=product.name, sku=product.sku, unit=product.unit,
        price=s.Price(minor=int(product.price_minor), currency=product.currency), description=product.description,
        tags=list(product.tags or []), owner_id=product.owner_id, team_id=product.team_id,
        custom=records_service.custom_view(ctx, PRODUCT, product), created_at=product.created_at,
        updated_at=product.updated_at, deleted_at=product.deleted_at, version=int(product.version or 0))


def _page(page: db.Page[ProductRow]) -> s.ProductPage:
    return s.ProductPage(next_cursor=page.next_cursor, items=[s.ProductSummary(
        id=row.record_id, name=row.name, sku=row.sku, price=s.Price(minor=int(row.price_minor), currency=row.currency),
        tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id, created_at=row.created_at,
        updated_at=row.updated_at, deleted_at=row.deleted_at, version=int(row.version)) for row in page.items])


routes.declare(api, PRODUCT, routes.Views(
    read=_read, read_schema=s.ProductRead, page=_page, page_schema=s.ProductPage, list_query=s.ProductListQuery,
    create=s.ProductCreate, update=s.ProductUpdate))
