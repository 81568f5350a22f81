"""Product items: ``T#<tid>#PR#<id>`` / ``#PROFILE`` (then its stock, the services it is a part of, its
timeline), list rows under ``T#<tid>#PRX#...``, a SKU's claim ``T#<tid>#SKU#<sku>`` / ``LOOKUP`` and an
external id's ``T#<tid>#PRODUCT_EXT#<id>`` / ``LOOKUP`` (``records.lookups``).

- StockItem: ``T#<tid>#PR#<product>`` / ``STOCK#<warehouse>``: on hand, reserved, and their difference
  ``short`` (reserved minus on hand, never above 0), all in thousandths of the product's unit (1.5 kg is
  1500), changed only by UpdateItem ADDs in the transaction of the change that moves stock. A reservation
  adds to ``short`` under the ceiling 0, so two orders competing for the last units cannot both take them.
- ComponentUse: ``T#<tid>#PR#<component>`` / ``USEDIN#<service>``: a service whose price is made from
  this product, so a change of this product's price finds the services to price again with one Query.
- Warehouse: ``T#<tid>#WAREHOUSE`` / ``<warehouse id>``: a place stock is kept (a small tenant setting).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.records import money
from chalicelib.records.models import ListRow, Record


class Product(Record, discriminator="product"):
    """Something the business sells: a default price, prices in other currencies, a tax rate, stock."""

    product_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    sku = UnicodeAttribute(null=True)
    price_minor = NumberAttribute(default=0)
    currency = UnicodeAttribute(default="USD")
    prices = JSONAttribute(default=dict)  # the price list beyond the default: currency -> minor units
    tax_rate_milli = NumberAttribute(null=True)  # thousandths of a percent: 8875 is 8.875 %, written since rates
    # have three places; a product saved before holds basis points instead (2000 is 20 %), read as a fallback and
    # dropped when its rate is next set (money.stored_percent): never rescaled in place, so no item is misread
    tax_rate_bp = NumberAttribute(null=True)
    unit = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)  # the accounting system's id (1C ...), unique in the tenant
    track_stock = BooleanAttribute(default=False)  # an order reserves it on confirmation
    components = JSONAttribute(default=list)  # [{"product_id", "quantity_milli"}]: a service made of parts
    labour_minor = NumberAttribute(null=True)  # added to the parts' prices, in the default currency

    @property
    def tax_rate(self) -> str | None:
        """The rate as the API shows it ("8.875"), whichever way it is stored: what the audit trail records."""
        return money.stored_percent(self.tax_rate_milli, self.tax_rate_bp)


class ProductRow(ListRow, discriminator="product_row"):
    """What a list shows of a product, under each partition it is listed in."""

    name = UnicodeAttribute()
    sku = UnicodeAttribute(null=True)
    price_minor = NumberAttribute()
    currency = UnicodeAttribute()
    unit = UnicodeAttribute(null=True)
    tax_rate_milli = NumberAttribute(null=True)  # as the product's: thousandths, basis points on an older row
    tax_rate_bp = NumberAttribute(null=True)


class StockItem(MainTable, discriminator="stock_item"):
    """A product's stock in one warehouse (written by UpdateItem ADDs only: see the module docstring)."""

    on_hand = NumberAttribute(null=True)
    reserved = NumberAttribute(null=True)
    short = NumberAttribute(null=True)


class ComponentUse(MainTable, discriminator="product_component_use"):
    """A service priced from this product (its component)."""

    service_id = UnicodeAttribute()


class Warehouse(VersionedItem, discriminator="warehouse"):
    """A place the business keeps stock."""

    warehouse_id = UnicodeAttribute()
    name = UnicodeAttribute()
    is_default = BooleanAttribute(default=False)
