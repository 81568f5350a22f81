"""Helpers of the billing tests: a tenant's trial ended, its counters set, Stripe-shaped events of its customer."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from chalicelib.billing.models import Usage, usage_key
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import Tenant
from tests import stripe_kit
from tests.factories import Company
from tests.support import ApiClient, body


def context(company: Company) -> TenantContext:
    return TenantContext(tenant_id=company.tenant_id)


def tenant(company: Company) -> Tenant:
    ctx = context(company)
    with bind(ctx):
        return identity_service.get_tenant_or_raise(ctx)


def end_trial(company: Company) -> None:
    """The company's trial ended yesterday (written through db.commit, so the principal cache forgets it)."""
    ctx = context(company)
    with bind(ctx):
        found = identity_service.get_tenant_or_raise(ctx)
        found.trial_ends_at = db.utcnow() - timedelta(days=1)
        db.commit(ctx, db.Change().save(found))


def set_usage(company: Company, **counts: int) -> None:
    """Set the company's usage counters (as if it held that many)."""
    ctx = context(company)
    with bind(ctx):
        Usage(*usage_key(ctx), **counts).save()


def usage(client: ApiClient, company: Company) -> dict[str, Any]:
    return dict(body(client.get("/api/v1/billing", token=company.owner.token))["usage"])


def customer(client: ApiClient, company: Company) -> str:
    return str(body(client.get("/api/v1/billing", token=company.owner.token))["stripe_customer_id"])


def price(plan: str, currency: str = "usd") -> dict[str, Any]:
    """The sandbox's price object of a plan (as a subscription item carries it)."""
    key = f"crm_{plan}_{currency}_seat_monthly"
    return next(p for p in stripe_kit.sandbox().objects.values()
                if p.get("object") == "price" and p.get("lookup_key") == key)


def subscription(customer_id: str, *, plan: str = "start", status: str = "active", seats: int = 2,
                 sub_id: str = "sub_test1", period_end: int | None = None) -> dict[str, Any]:
    """A Stripe subscription object (API version 2025-03-31 and later: the period on the item)."""
    end = period_end or int(time.time()) + 30 * 86400
    return {"id": sub_id, "object": "subscription", "customer": customer_id, "status": status,
            "cancel_at_period_end": False, "metadata": {}, "created": int(time.time()),
            "items": {"object": "list", "data": [{"id": f"si_{sub_id}", "object": "subscription_item",
                                                   "quantity": seats, "price": price(plan),
                                                   "current_period_end": end}]}}


def invoice(customer_id: str, *, sub_id: str = "sub_test1", paid: bool = True) -> dict[str, Any]:
    return {"id": f"in_{time.time_ns()}", "object": "invoice", "customer": customer_id,
            "status": "paid" if paid else "open",
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub_id}}}


def event(kind: str, found: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    """A Stripe event of an object (its own id), created now unless told."""
    return stripe_kit.sandbox().event(kind, found, created=created)


def send(client: ApiClient, kind: str, found: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    """Post a signed event to /hooks/stripe; the answer's body (200 expected)."""
    answer = stripe_kit.post_event(client, event(kind, found, created=created))
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def billing(client: ApiClient, company: Company) -> dict[str, Any]:
    answer = client.get("/api/v1/billing", token=company.owner.token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))
