"""Order items: ``T#<tid>#OR#<id>`` / ``#PROFILE`` (then its links and timeline: the status history), list rows
under ``T#<tid>#ORX#{ALL | OWNER#<user> | TEAM#<team> | TAG#<tag> | CF#status#<status> | CF#contact#<id> |
CF#company#<id> | CF#deal#<id>}``, an external id's claim ``T#<tid>#ORDER_EXT#<id>`` / ``LOOKUP`` and a deal's
``T#<tid>#ORDER_DEAL#<deal id>`` / ``LOOKUP`` (one order per deal), and the day counters of the orders report.

- OrderCounter: ``T#<tid>#ORDERNUM`` / ``ORDER``: the last number given to an order of the company, advanced
  (version-checked) in the transaction that creates the order (``records.numbering``), so orders are numbered
  1, 2, 3 ... in the order they were made, never twice and without gaps.
- OrderNumber: ``T#<tid>#ORDERNUM`` / ``NO#<number, 12 digits>``: which order has a number, created (put only if
  new) in the same transaction and never rewritten: typing 154 in the list reads it, then the order's ``ALL`` row.

- OrderStats: ``T#<tid>#ORDERSTATS`` / ``<day>#<owner>#<currency>``: orders created, confirmed and their
  revenue, cancelled or returned and their amount, payments received, orders paid in full and the seconds from
  their creation to their last payment, added in the transaction of the order's change (``db.Change.add``), as
  the messengers keep theirs. The reports read a period with one Query.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records.models import ListRow, Record


class Order(Record, discriminator="order"):
    """What a customer ordered: lines with totals in minor units, its status, payments and shipping."""

    # Lines (free text describes what was sold to whom), the shipping address and notes are the customer's data.
    personal = Record.personal | frozenset({"lines", "shipping", "notes"})

    order_id = UnicodeAttribute()
    number = NumberAttribute(null=True)  # the company's 1, 2, 3 ...; None: made before orders had numbers
    status = UnicodeAttribute(default="new")
    currency = UnicodeAttribute()
    price_mode = UnicodeAttribute(default="exclusive")  # unit prices exclude tax | include it
    contact_id = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    deal_id = UnicodeAttribute(null=True)
    warehouse_id = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    from_deal_id = UnicodeAttribute(null=True)  # the won deal it was made from (one order per deal)
    lines = JSONAttribute(default=list)  # computed lines (orders.totals.line_amounts)
    subtotal_minor = NumberAttribute(default=0)  # net of tax and discounts
    discount_minor = NumberAttribute(default=0)
    tax_minor = NumberAttribute(default=0)
    total_minor = NumberAttribute(default=0)
    paid_minor = NumberAttribute(default=0)
    payments = JSONAttribute(default=list)  # [{"id", "amount_minor", "method", "paid_on", "recorded_at", "by"}]
    shipping = JSONAttribute(default=dict)  # {"address": {...}, "carrier", "tracking_number"}
    notes = UnicodeAttribute(null=True)
    reserved = JSONAttribute(null=True)  # [[product id, thousandths]] held in warehouse_id since confirmation
    confirmed_at = UTCDateTimeAttribute(null=True)
    paid_at = UTCDateTimeAttribute(null=True)  # paid in full
    shipped_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)  # cancelled or returned


class OrderRow(ListRow, discriminator="order_row"):
    """What the orders list shows of an order (no personal data: ids, status, amounts)."""

    status = UnicodeAttribute()
    currency = UnicodeAttribute()
    total_minor = NumberAttribute()
    paid_minor = NumberAttribute()
    contact_id = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    deal_id = UnicodeAttribute(null=True)
    lines_count = NumberAttribute(default=0)
    number = NumberAttribute(null=True)


class OrderCounter(VersionedItem, discriminator="order_counter"):
    """The last number given to an order of the company."""

    last = NumberAttribute(default=0)


class OrderNumber(MainTable, discriminator="order_number"):
    """Which order has a number (see the module docstring)."""

    order_id = UnicodeAttribute()


def counter_key(ctx: TenantContext) -> tuple[str, str]:
    """The key of the company's order counter."""
    return tenant_key(ctx, "ORDERNUM"), "ORDER"


def number_key(ctx: TenantContext, number: int) -> tuple[str, str]:
    """The key of the item naming the order that has a number."""
    return tenant_key(ctx, "ORDERNUM"), f"NO#{number:012d}"


class OrderStats(MainTable, discriminator="order_stats"):
    """One day's order numbers of one owner in one currency (see the module docstring)."""

    day = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    created = NumberAttribute(null=True)
    confirmed = NumberAttribute(null=True)
    revenue = NumberAttribute(null=True)
    closed = NumberAttribute(null=True)
    closed_amount = NumberAttribute(null=True)
    payments = NumberAttribute(null=True)
    received = NumberAttribute(null=True)
    paid_orders = NumberAttribute(null=True)
    pay_seconds = NumberAttribute(null=True)
