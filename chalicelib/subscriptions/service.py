"""The billing overview, the plan list, Checkout and the Customer Portal of a tenant."""

from __future__ import annotations

import copy
from typing import Any

from chalicelib.billing import catalog, gateway, limits, prices, storage
from chalicelib.billing.models import CustomerLookup, Subscription, customer_key
from chalicelib.campaigns import usage as campaign_usage
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import plans
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import Tenant
from chalicelib.subscriptions import schemas as s

RETURN_PATH = "/#/settings/billing"
# A subscription in force changes plan and seats in the portal, not through a second checkout.
IN_FORCE = frozenset({"active", "past_due", "suspended"})


def billing_audit_view(tenant: Tenant) -> dict[str, Any]:
    """The tenant's fields the audit trail records, with its subscription's (``billing.*``)."""
    found = tenant.billing
    view = identity_service.tenant_audit_view(tenant)
    names = ("status", "plan", "seats", "customer_id", "subscription_id", "current_period_end", "past_due_since",
             "cancel_at_period_end", "manual")
    view.update({f"billing.{name}": audit.plain(getattr(found, name, None)) for name in names})
    return view


def subscription_of(tenant: Tenant) -> Subscription:
    """A copy of the tenant's stored subscription to change (one made for tenants from before billing)."""
    if tenant.billing is None:
        return Subscription(status="trialing" if tenant.plan in (None, "trial") else "active",
                            plan=catalog.TRIAL_PLAN if tenant.plan in (None, "trial") else tenant.plan,
                            manual=tenant.plan not in (None, "trial"))
    return copy.deepcopy(tenant.billing)


# -- reading --------------------------------------------------------------------------------


def overview(ctx: TenantContext) -> s.BillingRead:
    """Plan, lifecycle, usage against the limits and the Stripe ids (owner and admin)."""
    permissions.require(ctx, "billing", "read")
    tenant = identity_service.tenant_settings_or_raise(ctx)
    found = plans.standing_of(tenant)
    month = campaign_usage.usage_key(ctx, db.utcnow())  # the month campaigns count their messages in (UTC)
    used, files, items = storage.usage_stored_and(ctx, [month])  # one BatchGetItem
    used[campaign_usage.LIMIT] = campaign_usage.messages_of(items.get(month))
    names = (*catalog.COUNTED, campaign_usage.LIMIT)
    lines = {name: s.UsageLine(used=used[name], limit=found.plan.limit(name)) for name in names}
    lines["storage_mb"] = s.UsageLine(used=files.megabytes, limit=found.plan.limit("storage_mb"))
    # campaign messages past the limit: sent before a move to a smaller plan; the next send waits for next month
    over = [name for name in names if lines[name].limit is not None and used[name] > (lines[name].limit or 0)]
    over += ["storage_mb"] if storage.over(found, files) else []
    subscription = tenant.billing
    return s.BillingRead(
        plan=found.plan.key, status=found.status, read_only=found.read_only, trial_ends_at=found.trial_ends_at,
        trial_days_left=found.trial_days_left(db.utcnow()), grace_ends_at=found.grace_ends_at,
        current_period_end=getattr(subscription, "current_period_end", None) if found.subscribed else None,
        cancel_at_period_end=bool(getattr(subscription, "cancel_at_period_end", False)) and found.subscribed,
        seats=int(subscription.seats) if found.subscribed and subscription and subscription.seats else None,
        currency=(getattr(subscription, "currency", None) or catalog.price_currency(tenant.currency)),
        usage=lines, over_limits=over,
        limits=dict(found.plan.limits), features=sorted(found.plan.features),
        stripe_customer_id=getattr(subscription, "customer_id", None),
        subscription_id=getattr(subscription, "subscription_id", None))


def plan_list(ctx: TenantContext) -> s.PlanList:
    """The catalog with each price's Stripe id (any signed-in user: what an upgrade prompt shows)."""
    tenant = identity_service.tenant_settings_or_raise(ctx)
    book = prices.book()
    items = [s.PlanRead(key=found.key, name=found.name, paid=found.paid, limits=dict(found.limits),
                        features=sorted(found.features), prices=[
                            s.PlanPrice(currency=currency, unit_amount=amount, lookup_key=found.lookup_key(currency),
                                        stripe_price_id=book.get(found.lookup_key(currency)))
                            for currency, amount in found.prices.items()])
             for found in catalog.PLANS.values()]
    return s.PlanList(items=items, currency=catalog.price_currency(tenant.currency))


# -- Stripe ---------------------------------------------------------------------------------


def checkout(ctx: TenantContext, body: s.CheckoutIn) -> str:
    """A Checkout Session for a plan and seats (at least the company's users); its URL (the owner)."""
    permissions.require(ctx, "billing", "update")
    tenant = identity_service.get_tenant_or_raise(ctx)
    standing = plans.standing_of(tenant)
    if standing.subscribed and standing.status in IN_FORCE:
        raise errors.ConflictError("The company has a subscription: change its plan or seats in the billing portal.",
                                   code="already_subscribed")
    plan = catalog.plan(body.plan)
    users = max(1, limits.usage(ctx)["users"])
    seats = body.seats or users
    ceiling = plan.limit("users")
    if seats < users or (ceiling is not None and seats > ceiling):
        within = f" and stay within {ceiling}" if ceiling else ""
        raise errors.ValidationError(details=[{"loc": ["seats"], "type": "seats_out_of_range",
                                               "msg": f"Seats must cover the company's {users} user(s){within}"}])
    currency = catalog.price_currency(body.currency or tenant.currency)
    price = prices.price_id(plan, currency)
    customer = ensure_customer(ctx, tenant)
    back = settings.public_url + RETURN_PATH
    return gateway.checkout_session(tenant_id=ctx.tenant_id, customer_id=customer, price_id=price, seats=seats,
                                    plan=plan.key, success_url=back + "?checkout=done",
                                    cancel_url=back + "?checkout=canceled",
                                    idempotency_key=f"crm-checkout-{ctx.tenant_id}-{ctx.request_id}")


def portal(ctx: TenantContext) -> str:
    """A Customer Portal session (cards, invoices, seats, plans, cancel); its URL (the owner)."""
    permissions.require(ctx, "billing", "update")
    tenant = identity_service.get_tenant_or_raise(ctx)
    customer = ensure_customer(ctx, tenant)
    return gateway.portal_session(customer_id=customer, return_url=settings.public_url + RETURN_PATH,
                                  configuration=prices.portal_configuration(),
                                  idempotency_key=f"crm-portal-{ctx.tenant_id}-{ctx.request_id}")


def change_plan(ctx: TenantContext, body: s.PlanChangeIn) -> str:
    """A Customer Portal page that shows a subscribed company's change of plan, prorated, and confirms it (a deep
    link: Stripe's ``subscription_update_confirm`` flow); its URL (the owner). The plan changes when Stripe's
    ``customer.subscription.updated`` arrives, as any change made in the portal."""
    from chalicelib.billing import lifecycle

    permissions.require(ctx, "billing", "update")
    tenant = identity_service.get_tenant_or_raise(ctx)
    standing = plans.standing_of(tenant)
    current = subscription_of(tenant)
    if not (standing.subscribed and standing.status in IN_FORCE) or current.manual or not current.subscription_id:
        raise errors.ConflictError("The company has no subscription to change: choose a plan to subscribe.",
                                   code="not_subscribed")
    plan = catalog.plan(body.plan)
    if plan.key == current.plan:
        raise errors.ConflictError(f"The company is on the {plan.name} plan already.", code="same_plan")
    users = max(1, limits.usage(ctx)["users"])
    ceiling = plan.limit("users")
    if ceiling is not None and users > ceiling:
        raise errors.ValidationError(details=[{"loc": ["plan"], "type": "seats_out_of_range",
                                               "msg": f"The {plan.name} plan allows {ceiling} users; the company "
                                                      f"has {users}"}])
    seats = max(int(current.seats or users), users)
    seats = min(seats, ceiling) if ceiling is not None else seats
    known = prices.read_book()  # once: the plan's price and the portal configuration are both in it
    configuration = prices.portal_configuration(known=known)
    if configuration is None:
        raise gateway.unavailable("Plan changes are not on sale yet (the portal is not configured in Stripe).")
    price = prices.price_id(plan, catalog.price_currency(current.currency or tenant.currency), known=known)
    item = current.item_id or lifecycle.seat_item_id(gateway.subscription(str(current.subscription_id)))
    back = settings.public_url + RETURN_PATH
    flow = {"type": "subscription_update_confirm",
            "subscription_update_confirm": {"subscription": current.subscription_id,
                                            "items": [{"id": item, "price": price, "quantity": seats}]},
            "after_completion": {"type": "redirect", "redirect": {"return_url": back + "?plan=changed"}}}
    return gateway.portal_session(customer_id=ensure_customer(ctx, tenant), return_url=back,
                                  configuration=configuration, flow=flow,
                                  idempotency_key=f"crm-plan-{ctx.tenant_id}-{ctx.request_id}")


def ensure_customer(ctx: TenantContext, tenant: Tenant) -> str:
    """The tenant's Stripe customer; made now (with its lookup) when the sign-up could not make it."""
    known = getattr(tenant.billing, "customer_id", None)
    if known:
        return str(known)
    owner = identity_service.get_user(ctx, tenant.owner_id)
    customer = gateway.create_customer(tenant_id=ctx.tenant_id, name=tenant.name,
                                       email=owner.email if owner is not None else "")
    before = billing_audit_view(tenant)
    subscription = subscription_of(tenant)
    subscription.customer_id = customer
    tenant.billing = subscription
    change = db.Change().save(tenant).create(CustomerLookup(*customer_key(customer), tenant_id=ctx.tenant_id))
    audit.attach(ctx, change, tenant, entity="tenant", entity_id=ctx.tenant_id, action="billing_customer",
                 before=before, after=billing_audit_view(tenant))
    db.commit(ctx, change)
    return customer
