"""Request and response schemas of products."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema
from chalicelib.records.money import Amount
from chalicelib.records.schemas import CardParts, Id, ListQuery, RecordRead, RecordSummary, Tags

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s#%]+$")]


class ProductFields(Schema):
    """Fields a product is created or changed with."""

    sku: Sku | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    tags: Tags | None = None
    owner_id: Id | None = None
    custom: Annotated[dict[str, Any], Field(max_length=50)] | None = None


class ProductCreate(ProductFields):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    price: Amount


class ProductUpdate(ProductFields):
    not_null = frozenset({"name", "price"})
    version: int = Field(ge=1)
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    price: Amount | None = None


class Price(BaseModel):
    minor: int
    currency: str


class ProductRead(RecordRead):
    name: str
    sku: str | None
    price: Price
    unit: str | None
    description: str | None


class ProductCard(ProductRead, CardParts):
    """The card: the record, its links by kind, its newest timeline entries."""


class ProductSummary(RecordSummary):
    name: str
    sku: str | None
    price: Price


class ProductPage(BaseModel):
    items: list[ProductSummary]
    next_cursor: str | None


class ProductListQuery(ListQuery):
    """``GET /products``: by name prefix or SKU (``q``), tag, owner and ``custom.<key>=<value>``."""
