"""What billing adds to a request (``python -m bench.billing [requests]``): DynamoDB requests and capacity.

In-process moto, capacity by bench.accounting's rules, as bench.per_call. Measured on a new tenant (a pro
trial: 1,200 API requests a minute, so the shared rate counter is written every 120 requests per Lambda):

- API requests admitted by the rate limiter: the shared counter's UpdateItems over ``requests`` calls, per call;
- a contact create and an invitation: the usage counter in their transaction (WRU of that item, of the whole);
- GET /api/v1/billing: one BatchGetItem of the usage counters, the 8 days of short-lived files (storage) and the
  month's campaign messages;
- one Stripe event through POST /hooks/stripe: stored through the inbox and applied to the tenant in the request;
- a change of plan (POST /api/v1/billing/plan) of the company that event subscribed: the tenant, its users' count
  and one read of the price book (the plan's price and the portal configuration); Stripe's portal session is not
  an AWS request (a stub answers it here: the bench has no Stripe).

The plan check itself reads nothing in a request (the tenant item authentication read carries the plan).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench import accounting, harness

USAGE_KIND = "T#·#TENANT | USAGE"


def _cost(calls: list[accounting.Call]) -> dict[str, Any]:
    own = [call for call in calls if not call.auth]
    return {"requests": len(own), "operations": [call.operation for call in own],
            "rru": sum(call.read_units for call in own), "wru": sum(call.write_units for call in own),
            "usage_wru": sum(call.by_kind.get(USAGE_KIND, 0.0) for call in own)}


def _measured(api: harness.Api, method: str, path: str, payload: Any = None) -> dict[str, Any]:
    accounting.LEDGER.reset()
    api.ok(method, path, payload)
    return _cost(accounting.LEDGER.snapshot())


def _stripe_event(app: Any, signed: dict[str, Any]) -> dict[str, Any]:
    """A subscription.created event of the tenant's customer, signed with the stage secret, through the hook."""
    from chalicelib.billing.models import CustomerLookup, Subscription, customer_key
    from chalicelib.core import db
    from chalicelib.core import secrets as app_secrets
    from chalicelib.core.tenancy import bind
    from chalicelib.identity import service
    from local.stripe_sandbox import sign

    ctx = harness.tenant_context(signed)
    with bind(ctx):  # the bench has no Stripe: the customer the sign-up would have made, by hand
        tenant = service.get_tenant_or_raise(ctx)
        tenant.billing = Subscription(status="trialing", plan="pro", customer_id="cus_bench")
        db.commit(ctx, db.Change().save(tenant).create(CustomerLookup(*customer_key("cus_bench"),
                                                                       tenant_id=ctx.tenant_id)))
    event = {"id": "evt_bench", "object": "event", "type": "customer.subscription.created", "created": 1_800_000_000,
             "data": {"object": {"id": "sub_bench", "object": "subscription", "customer": "cus_bench",
                                 "status": "active", "metadata": {"plan": "start"},
                                 "items": {"object": "list", "data": [{"id": "si_bench", "quantity": 3}]}}}}
    payload = json.dumps(event).encode()
    from chalice.test import Client

    gateway = Client(app).http._local_gateway
    signature = sign(payload, str(app_secrets.stripe_webhook_secret()))
    accounting.LEDGER.reset()
    answer = gateway.handle_request(method="POST", path="/hooks/stripe", body=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": signature})
    if answer["statusCode"] != 200:
        raise RuntimeError(f"the Stripe hook answered {answer['statusCode']}: {answer['body']!r}")
    return _cost(accounting.LEDGER.snapshot())


def _plan_change(api: harness.Api) -> dict[str, Any]:
    """The subscribed company (``_stripe_event``) switches from start to pro: what it reads in AWS."""
    from chalicelib.billing import catalog, gateway
    from chalicelib.billing.models import PriceBook, prices_key

    ids = {plan.lookup_key(currency): f"price_bench_{plan.key}_{currency}" for plan in catalog.paid_plans()
           for currency in plan.prices}
    PriceBook(*prices_key(), prices=ids, portal_configuration="bpc_bench").save()  # what tenants sync-plans stores
    made = gateway.portal_session
    gateway.portal_session = lambda **_: "https://billing.stripe.com/p/session/bench"  # type: ignore[assignment]
    try:
        return _measured(api, "POST", "/api/v1/billing/plan", {"plan": "pro"})
    finally:
        gateway.portal_session = made  # type: ignore[assignment]


def measure(requests: int = 600) -> dict[str, Any]:
    """Every figure of this module's docstring."""
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        accounting.LEDGER.reset()
        for _ in range(requests):
            api.ok("GET", "/api/v1/me")
        shared = [call for call in accounting.LEDGER.snapshot() if call.operation == "UpdateItem"]
        admitted = {"requests": requests, "counter_updates": len(shared),
                    "requests_per_call": len(shared) / requests,
                    "wru_per_call": sum(call.write_units for call in shared) / requests}
        return {"api_request": admitted,
                "contact_create": _measured(api, "POST", "/api/v1/contacts", {"first_name": "Counted"}),
                "invitation": _measured(api, "POST", "/api/v1/users", {"email": "counted@bench.example.com",
                                                                       "name": "Counted", "role": "agent"}),
                "billing_overview": _measured(api, "GET", "/api/v1/billing"),
                "stripe_event": _stripe_event(app, signed),
                "plan_change": _plan_change(api)}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    admitted = result["api_request"]
    lines = [("billing: per admitted API request", f"{admitted['requests_per_call']:.4f} req",
              f"{admitted['wru_per_call']:.4f} WRU (the shared rate counter: {admitted['counter_updates']} UpdateItems "
              f"in {admitted['requests']} requests)")]
    for name, label in (("contact_create", "contact create"), ("invitation", "invitation")):
        row = result[name]
        lines.append((f"billing: {label}'s usage counter", f"+{row['usage_wru']:g} WRU",
                      f"of {row['wru']:g} WRU in {row['requests']} requests (in its transaction: no request more)"))
    for name, label in (("billing_overview", "GET /api/v1/billing"), ("stripe_event", "one Stripe event"),
                        ("plan_change", "a change of plan")):
        row = result[name]
        lines.append((f"billing: {label}", f"{row['requests']} req", f"{row['rru']:g} RRU, {row['wru']:g} WRU "
                      f"[{', '.join(row['operations'])}]"))
    return lines


if __name__ == "__main__":
    harness.emit(measure(*(int(arg) for arg in sys.argv[1:])))
