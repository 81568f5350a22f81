"""The subscription's lifecycle walked with Stripe-shaped events: trialing -> active -> past_due (7 days'
grace) -> suspended (read-only) -> canceled (free); in order, out of order and repeated."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.billing import lifecycle
from chalicelib.billing.models import PriceBook, Subscription
from chalicelib.billing.standing import evaluate
from chalicelib.core.http import REGISTRY
from tests import stripe_kit
from tests.billing import helpers
from tests.factories import Company, signup
from tests.registry_walk import route_name, write_routes
from tests.security.test_cross_tenant import sample_body
from tests.support import ApiClient, body

DAY = 86400


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Lifecycle Ltd")


def test_sign_up_is_a_trial_of_pro_that_ends_in_free(client: ApiClient, company: Company) -> None:
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["trial_days_left"]) == ("pro", "trialing", 14)
    assert found["stripe_customer_id"].startswith("cus_") and found["subscription_id"] is None
    helpers.end_trial(company)
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["read_only"]) == ("free", "active", False)
    assert body(client.get("/api/v1/tenant", token=company.owner.token))["plan"] == "free"


def test_checkout_pays_in_the_sandbox_and_the_events_make_the_plan(client: ApiClient, company: Company) -> None:
    url = body(client.post("/api/v1/billing/checkout", {"plan": "start", "seats": 2},
                           token=company.owner.token))["url"]
    session_id = urlsplit(url).path.rsplit("/", 1)[1]
    back = stripe_kit.sandbox().pay(session_id)  # what the page's "Pay" does
    assert back.endswith("/#/settings/billing?checkout=done")
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["seats"]) == ("start", "active", 2)
    again = client.post("/api/v1/billing/checkout", {"plan": "pro"}, token=company.owner.token)
    assert again.status_code == 409 and body(again)["error"]["code"] == "already_subscribed"
    portal = body(client.post("/api/v1/billing/portal", token=company.owner.token))["url"]
    assert "/stripe/portal/bps_" in portal


def test_a_subscribed_company_changes_plan_in_a_portal_page_that_confirms_it(client: ApiClient, company: Company,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    owner = company.owner.token
    refused = client.post("/api/v1/billing/plan", {"plan": "start"}, token=owner)  # trialing: nothing to change
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_subscribed"
    url = body(client.post("/api/v1/billing/checkout", {"plan": "start", "seats": 2}, token=owner))["url"]
    sandbox = stripe_kit.sandbox()
    sandbox.pay(urlsplit(url).path.rsplit("/", 1)[1])
    same = client.post("/api/v1/billing/plan", {"plan": "start"}, token=owner)
    assert same.status_code == 409 and body(same)["error"]["code"] == "same_plan"
    assert client.post("/api/v1/billing/plan", {"plan": "gold"}, token=owner).status_code == 422
    assert helpers.billing(client, company)["plan"] == "start"

    read, book_reads = PriceBook.get, []

    def counted(*key: Any, **kwargs: Any) -> Any:
        book_reads.append(key)
        return read(*key, **kwargs)

    monkeypatch.setattr(PriceBook, "get", counted)
    url = body(client.post("/api/v1/billing/plan", {"plan": "pro"}, token=owner))["url"]
    monkeypatch.undo()
    assert len(book_reads) == 1  # the plan's price and the portal configuration from one read of the price book
    session = sandbox.objects[urlsplit(url).path.rsplit("/", 1)[1]]
    subscription = sandbox.subscription_of(helpers.customer(client, company))
    assert subscription is not None
    confirm = session["flow"]["subscription_update_confirm"]
    assert confirm["subscription"] == subscription["id"]
    assert confirm["items"] == [{"id": subscription["items"]["data"][0]["id"], "price": helpers.price("pro")["id"],
                                 "quantity": "2"}]  # the seats kept, the price of the company's currency
    configuration = sandbox.objects[session["configuration"]]  # the catalog's: it lets the plans switch
    assert configuration["features"]["subscription_update"]["default_allowed_updates"] == ["price", "quantity"]
    assert helpers.billing(client, company)["plan"] == "start"  # nothing changes until the customer confirms
    back = sandbox.confirm_update(session)  # what the page's "Confirm" does
    assert back.endswith("/#/settings/billing?plan=changed")
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["seats"]) == ("pro", "active", 2)
    again = client.post("/api/v1/billing/plan", {"plan": "pro"}, token=owner)
    assert again.status_code == 409 and body(again)["error"]["code"] == "same_plan"


def test_the_walk_in_order(client: ApiClient, company: Company) -> None:
    customer = helpers.customer(client, company)
    now = int(time.time())
    helpers.send(client, "customer.subscription.created", helpers.subscription(customer, plan="pro"), created=now - 50)
    helpers.send(client, "invoice.paid", helpers.invoice(customer), created=now - 50)
    assert helpers.billing(client, company)["status"] == "active"

    helpers.send(client, "invoice.payment_failed", helpers.invoice(customer, paid=False), created=now - 40)
    helpers.send(client, "customer.subscription.updated", helpers.subscription(customer, plan="pro", status="past_due"),
                 created=now - 40)
    found = helpers.billing(client, company)
    assert (found["status"], found["read_only"]) == ("past_due", False)
    assert datetime.fromisoformat(found["grace_ends_at"]) > datetime.now(UTC) + timedelta(days=6)

    helpers.send(client, "invoice.paid", helpers.invoice(customer), created=now - 30)
    found = helpers.billing(client, company)
    assert (found["status"], found["grace_ends_at"]) == ("active", None)

    helpers.send(client, "customer.subscription.deleted", helpers.subscription(customer, status="canceled"),
                 created=now - 20)
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["read_only"]) == ("free", "canceled", False)


def test_arrears_older_than_the_grace_suspend_the_company(client: ApiClient, company: Company) -> None:
    customer = helpers.customer(client, company)
    eight_days_ago = int(time.time()) - 8 * DAY
    helpers.send(client, "customer.subscription.created", helpers.subscription(customer), created=eight_days_ago - 60)
    helpers.send(client, "invoice.payment_failed", helpers.invoice(customer, paid=False), created=eight_days_ago)
    found = helpers.billing(client, company)
    assert (found["status"], found["read_only"], found["plan"]) == ("suspended", True, "start")


def test_out_of_order_the_newest_wins(client: ApiClient, company: Company) -> None:
    customer = helpers.customer(client, company)
    now = int(time.time())
    helpers.send(client, "customer.subscription.updated", helpers.subscription(customer, plan="pro", seats=5),
                 created=now - 10)
    older = [("invoice.payment_failed", helpers.invoice(customer, paid=False)),
             ("customer.subscription.created", helpers.subscription(customer, plan="start", seats=1,
                                                                    status="incomplete"))]
    for kind, found in older:
        assert helpers.send(client, kind, found, created=now - 100)["duplicate"] is False
    found = helpers.billing(client, company)
    assert (found["plan"], found["status"], found["seats"]) == ("pro", "active", 5)


def test_repeated_events_change_nothing_more(client: ApiClient, company: Company) -> None:
    customer = helpers.customer(client, company)
    event = helpers.event("invoice.payment_failed", helpers.invoice(customer, paid=False))
    helpers.send(client, "customer.subscription.created", helpers.subscription(customer), created=event["created"] - 5)
    for _ in range(3):
        stripe_kit.post_event(client, event)
    again = helpers.event("invoice.payment_failed", helpers.invoice(customer, paid=False), created=event["created"])
    stripe_kit.post_event(client, again)  # the same fact in another event of the same second
    found = helpers.billing(client, company)
    grace = datetime.fromisoformat(found["grace_ends_at"])
    assert found["status"] == "past_due"
    assert abs((grace - datetime.fromtimestamp(event["created"] + 7 * DAY, UTC)).total_seconds()) < 1


def test_a_suspended_company_reads_and_exports_but_cannot_write(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Kept"}, token=owner))
    customer = helpers.customer(client, company)
    helpers.send(client, "customer.subscription.created", helpers.subscription(customer, status="unpaid"))
    assert helpers.billing(client, company)["status"] == "suspended"
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=owner).status_code == 200
    assert client.get("/api/v1/contacts", token=owner).status_code == 200
    assert client.post("/api/v1/exports", {"entity": "contact", "format": "csv"}, token=owner).status_code == 202
    refused = client.post("/api/v1/contacts", {"first_name": "New"}, token=owner)
    assert refused.status_code == 402
    error = body(refused)["error"]
    assert error["code"] == "subscription_inactive" and error["details"][0]["status"] == "suspended"
    assert client.post("/api/v1/billing/portal", token=owner).status_code == 200
    helpers.send(client, "invoice.paid", helpers.invoice(customer))
    assert client.post("/api/v1/contacts", {"first_name": "New"}, token=owner).status_code == 201


def test_every_write_route_of_a_suspended_company_answers_402(client: ApiClient, company: Company) -> None:
    """Walks the registry: a write route added later is read-only for a suspended company unless listed."""
    from chalicelib.billing.limits import READ_ONLY_ALLOWS

    helpers.send(client, "customer.subscription.created",
                 helpers.subscription(helpers.customer(client, company), status="unpaid"))
    refused = []
    for spec in write_routes():
        if spec.public or spec.path in READ_ONLY_ALLOWS:  # webhooks still store what customers send
            continue
        path = spec.path
        for name in spec.path_params:
            path = path.replace("{" + name + "}", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
        answer = client.request(spec.method, path, json_body=sample_body(spec.body) if spec.body else {},
                                token=company.owner.token)
        if answer.status_code != 402 or body(answer)["error"]["code"] != "subscription_inactive":
            refused.append((route_name(spec), answer.status_code))
    assert refused == [] and len(REGISTRY) > 100


@pytest.mark.parametrize(("stored", "status", "plan"), [
    (None, "trialing", "pro"),
    (Subscription(status="trialing", plan="pro"), "trialing", "pro"),
    (Subscription(status="active", plan="start", subscription_id="sub_1"), "active", "start"),
    (Subscription(status="past_due", plan="start", subscription_id="sub_1"), "past_due", "start"),
    (Subscription(status="unpaid", plan="start", subscription_id="sub_1"), "suspended", "start"),
    (Subscription(status="canceled", plan="start", subscription_id="sub_1"), "canceled", "free"),
    (Subscription(status="incomplete", plan="start", subscription_id="sub_1"), "trialing", "pro"),
    (Subscription(status="active", plan="enterprise", manual=True), "active", "enterprise"),
])
def test_standing_of_each_stored_state(stored: Subscription | None, status: str, plan: str) -> None:
    now = datetime.now(UTC)
    found = evaluate(stored, legacy_plan="trial", trial_ends_at=now + timedelta(days=3), now=now)
    assert (found.status, found.plan.key) == (status, plan)
    ended = evaluate(stored, legacy_plan="trial", trial_ends_at=now - timedelta(days=1), now=now)
    assert ended.plan.key == ("free" if plan == "pro" else plan)


def test_the_grace_runs_seven_days_from_the_first_failure() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    stored = Subscription(status="past_due", plan="pro", subscription_id="sub_1", past_due_since=since)
    assert evaluate(stored, legacy_plan=None, trial_ends_at=None, now=since + timedelta(days=6, hours=23)).status \
        == "past_due"
    assert evaluate(stored, legacy_plan=None, trial_ends_at=None, now=since + timedelta(days=7)).read_only


def test_apply_reads_the_invoice_of_older_api_versions() -> None:
    current = Subscription(status="active", plan="pro", subscription_id="sub_old")
    changed = lifecycle.apply(current, {"type": "invoice.payment_failed", "created": 100,
                                        "data": {"object": {"customer": "cus_1", "subscription": "sub_old"}}})
    assert "status" in changed and current.status == "past_due"
    assert lifecycle.apply(current, {"type": "invoice.paid", "created": 90,
                                     "data": {"object": {"subscription": "sub_old"}}}) == []


def test_a_price_the_catalog_replaced_still_names_its_plan() -> None:
    """A changed amount makes a new price that takes the lookup key; subscribers on the old one keep its product."""
    current = Subscription(status="active", plan="start", subscription_id="sub_old")
    old_price = {"id": "price_old", "lookup_key": None, "product": "crm_pro", "currency": "usd"}
    lifecycle.apply(current, {"type": "customer.subscription.updated", "created": 100, "data": {"object": {
        "id": "sub_old", "customer": "cus_1", "status": "active",
        "items": {"data": [{"id": "si_1", "quantity": 2, "price": old_price}]}}}})
    assert (current.plan, current.seats) == ("pro", 2)
