"""Processing a stored Stripe event: its object applied to the tenant's subscription, newest wins.

The tenant item is read fresh and written back with its version (a concurrent change of the company's
settings makes the attempt fail and the inbox retry it) and with its audit record, in the transaction
that records the event's outcome. An event older than what the subscription holds, or about another
customer, is recorded as ignored and changes nothing.
"""

from __future__ import annotations

from chalicelib.billing import lifecycle
from chalicelib.core import audit
from chalicelib.identity import service as identity_service
from chalicelib.inbox import Outcome, Run, register_processor
from chalicelib.subscriptions import service
from chalicelib.subscriptions.webhook import STRIPE_TYPE


def process_stripe_event(run: Run) -> Outcome:
    """Apply one Stripe event to its tenant's subscription."""
    ctx, event = run.ctx, run.fields
    tenant = identity_service.get_tenant(ctx)
    if tenant is None:
        return Outcome(status="ignored", details={"reason": "tenant_gone"})
    subscription = service.subscription_of(tenant)
    customer = lifecycle.customer_of(event)
    if subscription.customer_id and customer != subscription.customer_id:
        return Outcome(status="ignored", details={"reason": "other_customer"})
    before = service.billing_audit_view(tenant)
    changed = lifecycle.apply(subscription, event)
    if not changed:
        return Outcome(status="ignored", details={"reason": "not_newer"})
    subscription.customer_id = subscription.customer_id or customer
    tenant.billing, tenant.plan = subscription, subscription.plan
    outcome = Outcome(status="processed", details={"applied": sorted(set(changed))})
    outcome.change.save(tenant)
    audit.attach(ctx, outcome.change, tenant, entity="tenant", entity_id=ctx.tenant_id,
                 action=f"billing.{event.get('type')}", before=before, after=service.billing_audit_view(tenant))
    return outcome


register_processor(STRIPE_TYPE, process_stripe_event)
