"""POST /hooks/stripe: Stripe's signature checked by its SDK before anything is read, events stored first
(deduplicated by Stripe's event id) and routed to the tenant by its customer, never by what the event says."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib.core.tenancy import bind
from chalicelib.inbox.models import InboxEvent, events_pk
from chalicelib.subscriptions.webhook import STRIPE_SOURCE_ID
from local.stripe_sandbox import sign
from tests import stripe_kit
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Webhook Ltd")


def stored(company: Company) -> list[InboxEvent]:
    ctx = helpers.context(company)
    with bind(ctx):
        return list(InboxEvent.query(events_pk(ctx, STRIPE_SOURCE_ID)))


def created_event(client: ApiClient, company: Company) -> dict[str, Any]:
    return helpers.event("customer.subscription.created",
                         helpers.subscription(helpers.customer(client, company), plan="start", seats=3))


def test_a_signed_event_is_stored_and_applied(client: ApiClient, company: Company) -> None:
    answer = stripe_kit.post_event(client, created_event(client, company))
    assert answer.status_code == 200, answer.body
    assert body(answer)["received"] and body(answer)["duplicate"] is False
    (event,) = stored(company)
    assert event.integration_type == "stripe" and event.status == "processed"
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["seats"]) == ("start", "active", 3)
    assert found["subscription_id"] == "sub_test1" and found["current_period_end"]


@pytest.mark.parametrize("case", ["forged", "stale", "missing", "other_secret", "not_json"])
def test_a_bad_signature_answers_400_and_changes_nothing(client: ApiClient, company: Company, case: str) -> None:
    event = created_event(client, company)
    payload = json.dumps(event).encode()
    secret = stripe_kit.webhook_secret()
    header = {
        "forged": sign(payload, secret).replace("v1=", "v1=0"),
        "stale": sign(payload, secret, int(time.time()) - 600),  # Stripe's tolerance is five minutes
        "missing": "",
        "other_secret": sign(payload, "whsec_someone_else"),
        "not_json": sign(b"not json", secret),
    }[case]
    sent = b"not json" if case == "not_json" else payload
    answer = client.post("/hooks/stripe", body=sent, headers={"Content-Type": "application/json",
                                                              "Stripe-Signature": header})
    assert answer.status_code == 400, answer.body
    assert body(answer)["error"]["code"] == "invalid_signature"
    assert stored(company) == []
    assert helpers.billing(client, company)["status"] == "trialing"


def test_the_same_event_twice_is_one_event(client: ApiClient, company: Company) -> None:
    event = created_event(client, company)
    first, again = (stripe_kit.post_event(client, event) for _ in range(2))
    assert body(first)["duplicate"] is False and body(again)["duplicate"] is True
    assert body(again)["event_id"] == body(first)["event_id"]
    assert len(stored(company)) == 1


def test_events_of_others_are_answered_and_dropped(client: ApiClient, company: Company) -> None:
    stranger = helpers.subscription("cus_not_ours")
    assert helpers.send(client, "customer.subscription.updated", stranger)["ignored"] == "unknown_customer"
    other_kind = helpers.send(client, "customer.created", {"id": helpers.customer(client, company),
                                                           "object": "customer"})
    assert other_kind["ignored"] == "not_handled"
    assert stored(company) == []


def test_the_customer_routes_the_event_not_its_metadata(client: ApiClient, company: Company) -> None:
    victim = signup(client, company="Metadata Victim")
    sub = helpers.subscription(helpers.customer(client, company), plan="start")
    sub["metadata"] = {"tenant_id": victim.tenant_id, "plan": "enterprise"}
    helpers.send(client, "customer.subscription.created", sub)
    assert helpers.billing(client, company)["plan"] == "start"
    assert helpers.billing(client, victim)["status"] == "trialing" and stored(victim) == []


def test_an_event_of_another_customer_stored_for_a_tenant_is_ignored(client: ApiClient, company: Company) -> None:
    """The processor checks the customer again: an event reaching a tenant for a customer it does not have."""
    from chalicelib.billing.models import Subscription
    from chalicelib.core import db

    ctx = helpers.context(company)
    with bind(ctx):
        tenant = helpers.tenant(company)
        tenant.billing = Subscription(status="trialing", plan="pro", customer_id="cus_the_real_one")
        db.commit(ctx, db.Change().save(tenant))
    from chalicelib.billing.models import CustomerLookup, customer_key

    CustomerLookup(*customer_key("cus_routed_here"), tenant_id=company.tenant_id).save()
    helpers.send(client, "customer.subscription.created", helpers.subscription("cus_routed_here"))
    (event,) = stored(company)
    assert event.status == "ignored" and event.outcome["reason"] == "other_customer"
    assert helpers.billing(client, company)["status"] == "trialing"
