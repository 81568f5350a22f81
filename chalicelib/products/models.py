"""Product items: ``T#<tid>#PR#<id>`` / ``#PROFILE`` (then its timeline), list rows under ``T#<tid>#PRX#...``,
and a SKU's claim ``T#<tid>#SKU#<sku>`` / ``LOOKUP`` (``records.lookups``)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.records.models import ListRow, Record


class Product(Record, discriminator="product"):
    """Something the business sells, at a price in one currency."""

    product_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    sku = UnicodeAttribute(null=True)
    price_minor = NumberAttribute(default=0)
    currency = UnicodeAttribute(default="USD")
    unit = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)

class ProductRow(ListRow, discriminator="product_row"):
    """What a list shows of a product, under each partition it is listed in."""

    name = UnicodeAttribute()
    sku = UnicodeAttribute(null=True)
    price_minor = NumberAttribute()
    currency = UnicodeAttribute()

