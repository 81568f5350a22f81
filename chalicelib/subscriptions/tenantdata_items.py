"""Billing's items declared to the tenant export and purge (``tenantdata.registry``).

The usage and traffic counters live in the tenant's own partition (walked with it). The tenant leads
to its Stripe customer's global lookup (purged with the tenant, never exported: it names the source's
customer); a copy imported into a new tenant keeps no Stripe id of the source (it would be billed, and
routed to, as the source), so it runs on what its trial allows until it subscribes itself. Stripe's
events wait in the inbox under the fixed Stripe source, whose partitions are walked for every tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.billing.models import customer_key
from chalicelib.core.tenancy import TenantContext
from chalicelib.inbox import service as inbox_service
from chalicelib.subscriptions.webhook import STRIPE_SOURCE_ID
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import Link, RawItem

SOURCE_IDS = ("customer_id", "subscription_id", "item_id")


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [inbox_service.events_pk(ctx, STRIPE_SOURCE_ID), inbox_service.dedupe_pk(ctx, STRIPE_SOURCE_ID)]


def _billing(item: RawItem) -> dict[str, Any]:
    found = item.get("billing", {}).get("M")
    return found if isinstance(found, dict) else {}


def _tenant_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    customer = _billing(item).get("customer_id", {}).get("S")
    return [customer_key(customer)] if isinstance(customer, str) and customer else []


def _without_stripe(item: RawItem, now: str) -> RawItem:
    billing = {name: value for name, value in _billing(item).items() if name not in SOURCE_IDS}
    if not billing:
        return item
    billing["status"] = {"S": "trialing"}  # no subscription of its own: its trial, while it lasts, then free
    return {**item, "billing": {"M": billing}}


def register() -> None:
    """Declare the Stripe events' partitions, the customer lookup and what an imported tenant keeps."""
    registry.register_partitions("billing", _partitions)
    registry.register_links("tenant", _tenant_links)
    registry.register_on_import("tenant", _without_stripe)
    registry.exclude_from_export("stripe_customer", reason="names the source tenant's Stripe customer")
    registry.register_unreachable("stripe_prices", reason="the catalog's price ids: one global item, no tenant's")


register()
