"""Billing of tenant A for the cross-tenant matrix and the tenant walk: its Stripe customer, and a Stripe event
stored in its inbox (an invoice of no subscription: processed, ignored), so the walk meets the Stripe source."""

from __future__ import annotations

from tests import stripe_kit
from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """No path parameters; A's Stripe customer and its event are A's secrets."""
    customer = body(client.get("/api/v1/billing", token=company.owner.token))["stripe_customer_id"]
    event = stripe_kit.sandbox().event("invoice.paid", {"id": "in_alpha_one_off", "object": "invoice",
                                                        "customer": customer, "status": "paid"})
    answer = stripe_kit.post_event(client, event)
    assert answer.status_code == 200 and body(answer)["event_id"], answer.body
    company.extra["stripe_customer_id"] = customer
    return {}, [customer, event["id"]]
