"""Billing's items: the subscription as the tenant item carries it, usage and traffic counters, the
global lookups of Stripe customers and of the catalog's Stripe prices.

The subscription lives on the tenant item (``identity.models.Tenant.billing``), which authentication
reads on every request already: a plan check costs no read. The counters live beside it in the
tenant's partition (``T#<tid>#TENANT``), so the tenant export and purge walk them with the tenant.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.db import MainTable
from chalicelib.core.tenancy import TenantContext, global_key, tenant_key

USAGE_SK = "USAGE"
TRAFFIC_SK = "TRAFFIC"  # TRAFFIC#<yyyymm>
FILES_SK = "FILES"  # FILES#<yyyymmdd>: short-lived files written that day
CUSTOMER_SK = "TENANT"
PRICES_SK = "PRICES"


class Subscription(MapAttribute):  # type: ignore[type-arg]
    """A tenant's subscription as last applied from Stripe (or granted by an operator).

    ``status`` is Stripe's (trialing, active, past_due, unpaid, paused, canceled, incomplete ...) or ours
    before any subscription exists (trialing: the sign-up's trial). ``status_at`` and ``subscription_at``
    are the ``created`` times of the newest events applied to the status and to the subscription's other
    facts: an older event never overwrites them.
    """

    status = UnicodeAttribute(default="trialing")
    plan = UnicodeAttribute(default="pro")
    seats = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    subscription_id = UnicodeAttribute(null=True)
    item_id = UnicodeAttribute(null=True)  # the subscription's seat item (its quantity is the seats)
    current_period_end = UTCDateTimeAttribute(null=True)
    past_due_since = UTCDateTimeAttribute(null=True)
    cancel_at_period_end = BooleanAttribute(default=False)
    status_at = NumberAttribute(default=0)
    subscription_at = NumberAttribute(default=0)
    manual = BooleanAttribute(default=False)  # granted by an operator: no Stripe subscription behind it


class Usage(MainTable, discriminator="billing_usage"):
    """What a tenant holds of each counted limit: ``T#<tid>#TENANT`` / ``USAGE``, updated (ADD) in the
    transaction of every write that changes it, conditionally where the plan caps it."""

    users = NumberAttribute(default=0)
    contacts = NumberAttribute(default=0)
    pipelines = NumberAttribute(default=0)
    automation_rules = NumberAttribute(default=0)  # enabled automation rules (#19)
    storage_bytes = NumberAttribute(default=0)  # files kept until deleted: call recordings, attachments


class FilesOfDay(MainTable, discriminator="billing_files"):
    """Bytes of short-lived files (imports, exports, tenant archives) a tenant wrote on one day (``FILES#<yyyymmdd>``):
    the export bucket deletes them 7 days on, so they count toward storage for that long and no longer."""

    stored_bytes = NumberAttribute(default=0)


class Traffic(MainTable, discriminator="billing_traffic"):
    """A tenant's API requests and webhook events of one month (``TRAFFIC#<yyyymm>``), and of the
    current minute (``<kind>_minute`` names it): what the shared rate counter and ``tenants usage`` read.
    Written by each warm Lambda every few requests, not per request (billing.ratelimit)."""

    api_requests = NumberAttribute(default=0)
    webhook_events = NumberAttribute(default=0)
    api_minute = UnicodeAttribute(null=True)
    api_in_minute = NumberAttribute(default=0)
    webhook_minute = UnicodeAttribute(null=True)
    webhook_in_minute = NumberAttribute(default=0)


class CustomerLookup(MainTable, discriminator="stripe_customer"):
    """Global lookup of a Stripe customer's tenant: ``G#stripe-customer#<customer id>`` / ``TENANT``.
    Read only by the Stripe webhook's routing."""

    tenant_id = UnicodeAttribute()


class PriceBook(MainTable, discriminator="stripe_prices"):
    """The Stripe price id of each catalog price (by lookup key) and the Customer Portal's configuration, written
    by ``tenants sync-plans``: ``G#stripe-prices#catalog`` / ``PRICES``."""

    prices = MapAttribute(default=dict)  # type: ignore[var-annotated]
    portal_configuration = UnicodeAttribute(null=True)  # the Customer Portal's configuration: plans to switch to


def usage_key(ctx: TenantContext) -> tuple[str, str]:
    """Key of the tenant's usage counters."""
    return tenant_key(ctx, "TENANT"), USAGE_SK


def traffic_key(ctx: TenantContext, month: str) -> tuple[str, str]:
    """Key of the tenant's traffic counters of one month (``yyyymm``)."""
    return tenant_key(ctx, "TENANT"), f"{TRAFFIC_SK}#{month}"


def files_key(ctx: TenantContext, day: str) -> tuple[str, str]:
    """Key of the tenant's short-lived files of one day (``yyyymmdd``)."""
    return tenant_key(ctx, "TENANT"), f"{FILES_SK}#{day}"


def customer_key(customer_id: str) -> tuple[str, str]:
    """Key of a Stripe customer's lookup."""
    return global_key("stripe-customer", customer_id), CUSTOMER_SK


def prices_key() -> tuple[str, str]:
    """Key of the catalog's Stripe price ids."""
    return global_key("stripe-prices", "catalog"), PRICES_SK
