"""Request and response schemas of products, their price list, components, stock and warehouses."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictInt, model_validator

from chalicelib.core.schema import Schema
from chalicelib.records.money import MAX_MINOR, Amount, Count, Percent, Quantity
from chalicelib.records.schemas import CardParts, ExternalId, Id, ListQuery, RecordRead, RecordRef, RecordSummary, Tags

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s#%]+$")]
# An accounting system's id (1C's GUID, a code): letters, digits and . _ : - only, so it sits in a path and a key.
MAX_COMPONENTS = 20
MAX_PRICES = 20


class ProductComponentIn(Schema):
    """One part of a service: a product and how much of it."""

    product_id: RecordRef
    quantity: Quantity


class ProductFields(Schema):
    """Fields a product is created or changed with."""

    sku: Sku | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    tags: Tags | None = None
    owner_id: Id | None = None
    custom: Annotated[dict[str, Any], Field(max_length=50)] | None = None
    prices: Annotated[list[Amount], Field(max_length=MAX_PRICES)] | None = Field(
        default=None, description="The price list: prices in currencies other than the default price's")
    tax_rate: Percent | None = Field(default=None, description=(
        "VAT or sales tax in percent, up to 3 decimals (\"20\", \"7.5\", \"8.875\")"))
    external_id: ExternalId | None = None
    track_stock: bool | None = Field(default=None, description="An order reserves it when confirmed")
    components: Annotated[list[ProductComponentIn], Field(max_length=MAX_COMPONENTS)] | None = Field(
        default=None, description="Parts of a service: its price is their prices times quantities plus labour")
    labour_minor: Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)] | None = Field(
        default=None, description="Labour added to the parts' prices, in the default price's currency")

    @model_validator(mode="after")
    def _one_price_per_currency(self) -> ProductFields:
        if self.prices is not None and len({p.currency for p in self.prices}) != len(self.prices):
            raise ValueError("one price per currency")
        return self


class ProductCreate(ProductFields):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    price: Amount


class ProductUpdate(ProductFields):
    not_null = frozenset({"name", "price", "prices", "components", "track_stock"})
    version: int = Field(ge=1)
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    price: Amount | None = None


class ProductUpsert(ProductFields):
    """``PUT /products/by-external-id/{external_id}``: the product as the accounting system has it."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    price: Amount


class Price(BaseModel):
    minor: int
    currency: str


class ProductComponentOut(BaseModel):
    product_id: str
    quantity: str
    name: str | None = Field(default=None, description="The part's name when the service was last priced")


class ProductRead(RecordRead):
    name: str
    sku: str | None
    price: Price
    prices: list[Price] = Field(description="The price list beyond the default price")
    tax_rate: str | None
    unit: str | None
    description: str | None
    external_id: str | None
    track_stock: bool
    components: list[ProductComponentOut]
    labour_minor: int | None


class ProductCard(ProductRead, CardParts):
    """The card: the record, its links by kind, its newest timeline entries."""


class ProductSummary(RecordSummary):
    name: str
    sku: str | None
    price: Price
    unit: str | None = None
    tax_rate: str | None = None


class ProductPage(BaseModel):
    items: list[ProductSummary]
    next_cursor: str | None


class ProductListQuery(ListQuery):
    """``GET /products``: by name prefix or SKU (``q``), tag, owner and ``custom.<key>=<value>``."""


# -- stock and warehouses -----------------------------------------------------------------------------


class WarehouseCreate(Schema):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class WarehouseRead(BaseModel):
    id: str
    name: str
    is_default: bool
    version: int


class WarehouseList(BaseModel):
    items: list[WarehouseRead]


class ProductStockSet(Schema):
    """How much of the product the warehouse holds now (a count): reserved units stay reserved."""

    on_hand: Count


class ProductStockRow(BaseModel):
    warehouse_id: str
    on_hand: str
    reserved: str
    available: str


class ProductStockRead(BaseModel):
    product_id: str
    track_stock: bool
    items: list[ProductStockRow]
