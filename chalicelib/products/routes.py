"""Routes of products: the record engine's (CRUD, search by name or SKU, timeline, trash)."""

from __future__ import annotations

from chalicelib.core import db
from chalicelib.core.http import Api
from chalicelib.core.tenancy import TenantContext
from chalicelib.products import schemas as s
from chalicelib.products.models import ProductRow
from chalicelib.products.record import PRODUCT, read
from chalicelib.records import card, routes

api = Api(__name__, tag="products")


def _page(page: db.Page[ProductRow]) -> s.ProductPage:
    return s.ProductPage(next_cursor=page.next_cursor, items=[s.ProductSummary(
        id=row.record_id, name=row.name, sku=row.sku, price=s.Price(minor=int(row.price_minor), currency=row.currency),
        tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id, created_at=row.created_at,
        updated_at=row.updated_at, deleted_at=row.deleted_at, version=int(row.version)) for row in page.items])


def _card(ctx: TenantContext, product_id: str) -> s.ProductCard:
    found = card.card(ctx, PRODUCT, product_id)
    return s.ProductCard(**read(ctx, found.record).model_dump(), **found.parts())


routes.declare(api, PRODUCT, routes.Views(
    read=read, read_schema=s.ProductRead, page=_page, page_schema=s.ProductPage, list_query=s.ProductListQuery,
    create=s.ProductCreate, update=s.ProductUpdate, card=_card, card_schema=s.ProductCard))
