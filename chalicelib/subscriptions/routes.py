"""The billing routes: the overview, the plans, Checkout, the Customer Portal, and Stripe's webhook."""

from __future__ import annotations

from chalicelib.core.http import JSON, Api, ApiRequest
from chalicelib.subscriptions import schemas as s
from chalicelib.subscriptions import service, webhook

api = Api(__name__, tag="billing")


@api.route("/api/v1/billing", summary="The company's plan, subscription status, usage and limits (owner, admin)",
           response=s.BillingRead, errors=(403,))
def billing_get(request: ApiRequest) -> s.BillingRead:
    return service.overview(request.tenant)


@api.route("/api/v1/billing/plans", summary="The plans with their prices (and Stripe price ids), limits and features",
           response=s.PlanList)
def billing_plans(request: ApiRequest) -> s.PlanList:
    return service.plan_list(request.tenant)


@api.route("/api/v1/billing/checkout", method="POST", summary="A Stripe Checkout page to subscribe to a plan",
           body=s.CheckoutIn, response=s.UrlOut, errors=(403, 409, 422, 503))
def billing_checkout(request: ApiRequest) -> s.UrlOut:
    return s.UrlOut(url=service.checkout(request.tenant, request.body))


@api.route("/api/v1/billing/portal", method="POST",
           summary="The Stripe Customer Portal (cards, invoices, seats, plans, cancel)", response=s.UrlOut,
           errors=(403, 503))
def billing_portal(request: ApiRequest) -> s.UrlOut:
    return s.UrlOut(url=service.portal(request.tenant))


@api.route("/api/v1/billing/plan", method="POST",
           summary="A Stripe Customer Portal page confirming a subscribed company's change of plan, prorated",
           body=s.PlanChangeIn, response=s.UrlOut, errors=(403, 409, 422, 503))
def billing_plan(request: ApiRequest) -> s.UrlOut:
    return s.UrlOut(url=service.change_plan(request.tenant, request.body))


@api.route("/hooks/stripe", method="POST", summary="Stripe's webhook (signed with the endpoint's secret)",
           public=True, raw_body=True, content_types=(JSON,), response=s.HookAnswer, errors=(400, 503))
def stripe_hook(request: ApiRequest) -> s.HookAnswer:
    return webhook.receive(request.raw.raw_body or b"", request.header("stripe-signature"),
                           request_id=request.request_id, source_ip=request.source_ip)
