"""Request and response schemas of orders: lines, totals, status, payments, shipping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictInt, model_validator

from chalicelib.core.schema import Schema
from chalicelib.records.money import MAX_MINOR, CurrencyCode, Percent, Quantity
from chalicelib.records.schemas import Address, CardParts, ExternalId, Id, RecordRead, RecordRef, RecordSummary, Tags

MAX_LINES = 50  # an order's confirmation reserves each line's product in one transaction (100 items at most)
Minor = Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)]
Status = Literal["new", "confirmed", "partially_paid", "paid", "shipped", "delivered", "cancelled", "returned"]
PriceMode = Literal["exclusive", "inclusive"]
NUMBER_QUERY = r"^\s*(№|#|[Nn][Oo]\.?)?\s*0*[1-9][0-9]{0,11}\s*$"  # what the list's search finds an order by


class OrderLineIn(Schema):
    """A line: a product (its name, SKU, unit, price in the order's currency and tax rate are taken from it
    unless given) or free text with a price."""

    product_id: RecordRef | None = None
    description: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    quantity: Quantity
    unit_price_minor: Minor | None = Field(default=None, description="Default: the product's price in the currency")
    discount_percent: Percent | None = Field(default=None, description="Percent, up to 3 decimals")
    discount_minor: Minor | None = Field(default=None, description="A discount off the line, in minor units")
    tax_rate: Percent | None = Field(default=None, description=(
        "Percent, up to 3 decimals (\"8.875\"); default: the product's, else 0"))

    @model_validator(mode="after")
    def _what_and_how_much(self) -> OrderLineIn:
        if self.product_id is None and (self.description is None or self.unit_price_minor is None):
            raise ValueError("a line names a product, or has a description and a unit price")
        if self.discount_percent is not None and self.discount_minor is not None:
            raise ValueError("a discount is a percentage or an amount, not both")
        return self


class OrderShippingIn(Schema):
    address: Address | None = None
    carrier: Annotated[str, Field(max_length=100)] | None = None
    tracking_number: Annotated[str, Field(max_length=100, pattern=r"^[^\s]*$")] | None = None


class OrderFields(Schema):
    """Fields an order is created or changed with (lines, currency and prices only while it is new)."""

    contact_id: RecordRef | None = None
    company_id: RecordRef | None = None
    deal_id: RecordRef | None = None
    warehouse_id: RecordRef | None = None
    price_mode: PriceMode | None = None
    lines: Annotated[list[OrderLineIn], Field(max_length=MAX_LINES)] | None = None
    shipping: OrderShippingIn | None = None
    notes: Annotated[str, Field(max_length=5000)] | None = None
    external_id: ExternalId | None = None
    tags: Tags | None = None
    owner_id: Id | None = None
    custom: Annotated[dict[str, Any], Field(max_length=50)] | None = None


# What a new order's company is when the request names none: the order editor's rule, so an integration's order
# names the same buyer on its documents as one made by hand.
BUYER_COMPANY = ("The company the order is for. Left out, a new order for a contact who works for exactly one "
                 "company (that the caller may read) is that company's too, so its documents name the company with "
                 "its requisites; a contact of no company or of several: none. null: none; an id: that company.")


class OrderCreate(OrderFields):
    """A new order; naming no company, a buyer of exactly one company buys for it (see ``company_id``)."""

    company_id: RecordRef | None = Field(default=None, description=BUYER_COMPANY)
    currency: CurrencyCode
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=MAX_LINES)]


class OrderUpdate(OrderFields):
    not_null = frozenset({"lines", "currency", "price_mode", "shipping"})
    version: int = Field(ge=1)
    currency: CurrencyCode | None = None


class OrderUpsert(OrderFields):
    """``PUT /orders/by-external-id/{external_id}``: the order as the accounting system has it."""

    company_id: RecordRef | None = Field(default=None, description=BUYER_COMPANY)
    currency: CurrencyCode
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=MAX_LINES)]


class OrderPreviewRequest(Schema):
    """Lines to price without saving anything: the order editor's live totals."""

    currency: CurrencyCode
    price_mode: PriceMode | None = Field(default=None, description="As a new order starts by default: inclusive when "
                                         "the company's prices include tax, else exclusive")
    lines: Annotated[list[OrderLineIn], Field(max_length=MAX_LINES)]


class OrderStatusChange(Schema):
    version: int = Field(ge=1)
    status: Literal["confirmed", "shipped", "delivered", "cancelled", "returned"] = Field(
        description="Paid and partly paid follow from payments")


class OrderPaymentIn(Schema):
    version: int = Field(ge=1)
    amount_minor: Annotated[StrictInt, Field(ge=1, le=MAX_MINOR)]
    method: Literal["cash", "card", "bank_transfer", "online", "other"]
    paid_on: date | None = Field(default=None, description="Default: the company's today (its time zone)")
    reference: Annotated[str, Field(max_length=100)] | None = None


class DealOrderCreate(Schema):
    """``POST /deals/{deal_id}/order``: optional lines (default: one line of the deal's amount)."""

    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=MAX_LINES)] | None = None
    warehouse_id: RecordRef | None = None


# -- answers --------------------------------------------------------------------------------------------


class OrderLineOut(BaseModel):
    id: str
    product_id: str | None
    sku: str | None
    description: str
    unit: str | None
    quantity: str
    unit_price_minor: int
    discount_percent: str | None
    discount_minor: int | None
    tax_rate: str
    no_tax_rate: bool = Field(default=False, description=(
        "No rate applies (neither the line's nor its product's): priced at 0, its documents say 'No tax' / 'Без НДС' "
        "where a rate of 0 says 0 %"))
    gross_minor: int
    discount_total_minor: int
    net_minor: int
    tax_minor: int
    total_minor: int


class OrderTaxOut(BaseModel):
    rate: str
    net_minor: int
    tax_minor: int


class OrderTotals(BaseModel):
    subtotal_minor: int = Field(description="Net of tax, after discounts")
    discount_minor: int
    tax_minor: int
    total_minor: int
    taxes: list[OrderTaxOut]


class OrderPaymentOut(BaseModel):
    id: str
    amount_minor: int
    method: str
    paid_on: date
    reference: str | None
    recorded_at: datetime


class OrderShippingOut(BaseModel):
    address: dict[str, Any] | None = None
    carrier: str | None = None
    tracking_number: str | None = None


class OrderRead(RecordRead):
    number: int | None = Field(default=None, description=(
        "The company's number of the order (1, 2, 3 ... as they were made; \"№ 154\"); null for an order made before "
        "orders had numbers, until the one-off pass numbers it"))
    status: str
    next_statuses: list[str]
    currency: str
    price_mode: str
    contact_id: str | None
    company_id: str | None
    deal_id: str | None
    warehouse_id: str | None
    external_id: str | None
    lines: list[OrderLineOut]
    totals: OrderTotals
    paid_minor: int
    due_minor: int
    payment_status: Literal["unpaid", "partial", "paid"]
    payments: list[OrderPaymentOut]
    shipping: OrderShippingOut
    notes: str | None
    confirmed_at: datetime | None
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None


class OrderCard(OrderRead, CardParts):
    """The card: the order, its links, its newest timeline entries (its status history among them)."""

    customer_name: str | None = Field(default=None, description=(
        "What the order's contact (or, without one, its company) is called, when the caller may read it"))
    deal_name: str | None = Field(default=None, description="The title of the order's deal, when the caller may "
                                                            "read it")
    company_name: str | None = Field(default=None, description=(
        "What the company a contact's order is for is called (the buyer its documents name), when the order has both "
        "and the caller may read the company"))


class OrderPreview(BaseModel):
    currency: str
    price_mode: str
    lines: list[OrderLineOut]
    totals: OrderTotals


class OrderSummary(RecordSummary):
    status: str
    currency: str
    total_minor: int
    paid_minor: int
    contact_id: str | None
    company_id: str | None
    deal_id: str | None
    lines_count: int
    number: int | None = None
    customer_name: str | None = Field(default=None, description=(
        "What the order's contact (or, without one, its company) is called, read with the page when the caller may "
        "read it; a rename shows at once"))


class OrderPage(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None


class OrderListQuery(Schema):
    """``GET /orders``: by status, contact, company, deal, tag or owner; newest first (one Query)."""

    status: Status | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None
    tag: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    owner_id: Id | None = None
    q: Annotated[str, Field(min_length=1, max_length=20, pattern=NUMBER_QUERY)] | None = Field(
        default=None, description="An order's number (\"154\", \"№154\", \"#154\"): that order alone")
    sort: Literal["created", "updated"] = "created"
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None
