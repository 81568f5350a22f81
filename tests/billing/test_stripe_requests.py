"""The requests Stripe would receive: the real SDK's calls, recorded by the loopback sandbox (tests/stripe_kit.py).

Every call that creates or changes something carries an idempotency key, so a retried request (the SDK's own
retries, a client's repeat) makes nothing twice; reads carry none. Nothing ever goes to api.stripe.com.
"""

from __future__ import annotations

import pytest

from chalicelib.billing import gateway
from chalicelib.core.config import settings
from local.stripe_sandbox import Recorded
from tests import stripe_kit
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body


def recorded(path: str) -> list[Recorded]:
    return [r for r in stripe_kit.sandbox().requests if r.path == path]


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Recorded Ltd")


def test_sign_up_makes_one_customer_keyed_by_the_tenant(client: ApiClient, company: Company) -> None:
    (made,) = [r for r in recorded("/v1/customers") if r.params.get("metadata", {}).get("tenant_id")
               == company.tenant_id]
    assert made.method == "POST" and made.idempotency_key == f"crm-customer-{company.tenant_id}"
    assert made.params["name"] == "Recorded Ltd" and made.params["email"] == company.owner.email
    assert made.stripe_version and made.status == 200  # the SDK pins its API version on every request
    assert settings.stripe_api_base and settings.stripe_api_base.startswith("http://127.0.0.1:")


def test_checkout_asks_for_a_subscription_of_the_plans_price(client: ApiClient, company: Company) -> None:
    url = body(client.post("/api/v1/billing/checkout", {"plan": "pro", "seats": 4, "currency": "EUR"},
                           token=company.owner.token))["url"]
    session = recorded("/v1/checkout/sessions")[-1]
    assert session.idempotency_key and session.idempotency_key.startswith(f"crm-checkout-{company.tenant_id}-")
    params = session.params
    assert params["mode"] == "subscription" and params["customer"] == helpers.customer(client, company)
    assert params["line_items"] == [{"price": helpers.price("pro", "eur")["id"], "quantity": "4"}]
    assert params["client_reference_id"] == company.tenant_id
    assert params["metadata"] == {"tenant_id": company.tenant_id, "plan": "pro"}
    assert params["success_url"].endswith("/#/settings/billing?checkout=done")
    # a business gives its billing address and may give its VAT ID, kept on its customer for our invoices to it
    assert params["billing_address_collection"] == "required" and params["tax_id_collection"] == {"enabled": "true"}
    assert params["customer_update"] == {"name": "auto", "address": "auto"}
    assert url.endswith(stripe_kit.sandbox().objects[url.rsplit("/", 1)[1]]["id"])


def test_checkout_seats_must_cover_the_users(client: ApiClient, company: Company) -> None:
    from tests.factories import add_member

    add_member(client, company, role="agent")
    refused = client.post("/api/v1/billing/checkout", {"plan": "start", "seats": 1}, token=company.owner.token)
    assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "seats_out_of_range"
    assert client.post("/api/v1/billing/checkout", {"plan": "start"}, token=company.owner.token).status_code == 200
    assert recorded("/v1/checkout/sessions")[-1].params["line_items"][0]["quantity"] == "2"  # the users


def test_the_portal_session_returns_to_the_billing_screen(client: ApiClient, company: Company) -> None:
    client.post("/api/v1/billing/portal", token=company.owner.token)
    portal = recorded("/v1/billing_portal/sessions")[-1]
    configuration = stripe_kit.sandbox().objects[portal.params["configuration"]]  # the catalog's (sync-plans)
    assert portal.params == {"customer": helpers.customer(client, company), "configuration": configuration["id"],
                             "return_url": settings.public_url + "/#/settings/billing"}
    details = configuration["features"]["customer_update"]  # its billing details and tax ID change there too
    assert details == {"enabled": "true", "allowed_updates": ["name", "email", "address", "tax_id"]}
    update = configuration["features"]["subscription_update"]  # seats and plans change there, prorated
    assert (update["enabled"], update["proration_behavior"]) == ("true", "create_prorations")
    assert {p["product"] for p in update["products"]} == {"crm_start", "crm_pro", "crm_enterprise"}
    assert portal.idempotency_key and portal.idempotency_key.startswith(f"crm-portal-{company.tenant_id}-")


def test_only_the_owner_buys_and_admins_look(client: ApiClient, company: Company) -> None:
    from tests.factories import add_member

    admin, agent = add_member(client, company, role="admin"), add_member(client, company, role="agent")
    assert client.get("/api/v1/billing", token=admin.token).status_code == 200
    assert client.get("/api/v1/billing", token=agent.token).status_code == 403
    assert client.post("/api/v1/billing/checkout", {"plan": "start"}, token=admin.token).status_code == 403
    assert client.get("/api/v1/billing/plans", token=agent.token).status_code == 200


def test_seats_follow_the_users_of_a_subscription(client: ApiClient, company: Company) -> None:
    from tests.factories import add_member

    url = body(client.post("/api/v1/billing/checkout", {"plan": "start"}, token=company.owner.token))["url"]
    stripe_kit.sandbox().pay(url.rsplit("/", 1)[1])
    assert helpers.billing(client, company)["seats"] == 1
    member = add_member(client, company, role="agent")
    change = recorded(f"/v1/subscriptions/{helpers.billing(client, company)['subscription_id']}")[-1]
    assert change.method == "POST" and change.params["items"][0]["quantity"] == "2" and change.idempotency_key
    assert helpers.billing(client, company)["seats"] == 2  # Stripe's subscription.updated came back
    client.post(f"/api/v1/users/{member.user_id}/deactivate", token=company.owner.token)
    assert helpers.billing(client, company)["seats"] == 1


def test_a_repeated_idempotency_key_answers_the_first_answer(client: ApiClient, company: Company) -> None:
    first = gateway.create_customer(tenant_id=company.tenant_id, name="Recorded Ltd", email=company.owner.email)
    assert first == helpers.customer(client, company)  # the sign-up's key: the same customer, not a second


def test_a_sandbox_key_never_goes_to_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from chalicelib.billing import gateway as module

    monkeypatch.setattr(module, "settings", replace(settings, stripe_api_base=None))
    assert not module.configured()
    with pytest.raises(Exception, match="not configured"):
        module.client()
