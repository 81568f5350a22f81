"""Stripe's webhook: verified, routed to the tenant by its customer, stored first, then processed.

``stripe.Webhook.construct_event`` checks the ``Stripe-Signature`` header (HMAC-SHA256 of
``<t>.<body>`` under the stage's ``stripe_webhook_secret``, five minutes' tolerance) before anything is
read; a bad or stale signature answers 400 and stores nothing. A handled event is routed through the
global lookup of its customer (``G#stripe-customer#<id>``), never by the metadata it carries, and stored
in that tenant's inbox (source ``stripe``) deduplicated by Stripe's event id: a redelivery is answered
as a duplicate and changes nothing. It is then processed in the same request (``subscriptions.processor``
reads only the stored event: one read and one transaction), not through the jobs queue, so an owner back
from Checkout finds the plan already changed; an attempt that fails waits on the inbox's retry index.
Events of other types, or of customers that are not ours (another product on the same Stripe account, a
tenant since deleted), are answered 200 and dropped: Stripe would otherwise retry them for days.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.billing import gateway, lifecycle
from chalicelib.billing.models import CustomerLookup, customer_key
from chalicelib.core import db, errors, observability
from chalicelib.core import secrets as app_secrets
from chalicelib.core.tenancy import TenantContext, bind, is_valid_id
from chalicelib.inbox import pipeline
from chalicelib.inbox import service as inbox_service
from chalicelib.integrations import service as integrations_service
from chalicelib.subscriptions import schemas as s

# The inbox keeps a tenant's Stripe events as those of one fixed source (a ULID-shaped id, so the queue's
# messages and the retry index, which carry only ids, name it like an integration).
STRIPE_SOURCE_ID = "00000000000000000000STRPE0"
STRIPE_TYPE = "stripe"


@dataclass(frozen=True)
class StripeSource:
    """What the inbox stores a Stripe event under, in place of an integration."""

    integration_id: str = STRIPE_SOURCE_ID
    integration_type: str = STRIPE_TYPE


SOURCE = StripeSource()


def hook_context(tenant_id: str, *, request_id: str | None = None, source_ip: str | None = None) -> TenantContext:
    """The context Stripe's events act in for a tenant (audited as the Stripe source, from a webhook)."""
    return integrations_service.hook_context(tenant_id, STRIPE_SOURCE_ID, request_id=request_id, source_ip=source_ip)


def _invalid() -> errors.CRMError:
    return errors.BadRequestError("The Stripe signature is missing, wrong or stale.", code="invalid_signature")


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event in a body whose signature the stage's endpoint secret verifies, or 400."""
    secret = app_secrets.stripe_webhook_secret()
    if not secret:
        raise gateway.unavailable("Billing is not configured for this installation.")
    import stripe  # here: only this hook needs the SDK's verifier

    try:
        stripe.Webhook.construct_event(payload, signature, secret)
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise _invalid() from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise _invalid()
    return event


def tenant_of(customer_id: str | None) -> str | None:
    """The tenant a Stripe customer belongs to (one GetItem of the global lookup)."""
    if not customer_id:
        return None
    with db.translate_errors():
        try:
            found = CustomerLookup.get(*customer_key(customer_id), consistent_read=True)
        except CustomerLookup.DoesNotExist:
            return None
    return found.tenant_id if is_valid_id(found.tenant_id) else None


def receive(payload: bytes, signature: str | None, *, request_id: str | None, source_ip: str | None) -> s.HookAnswer:
    """Take one delivery of Stripe's: verify, route, store, hand over to processing."""
    event = verify(payload, signature)
    if event["type"] not in lifecycle.HANDLED:
        return s.HookAnswer(received=True, ignored="not_handled")
    tenant_id = tenant_of(lifecycle.customer_of(event))
    if tenant_id is None:
        return s.HookAnswer(received=True, ignored="unknown_customer")
    ctx = hook_context(tenant_id, request_id=request_id, source_ip=source_ip)
    observability.bind_tenant(ctx.tenant_id, actor_id=ctx.actor_id)
    delivery = inbox_service.Delivery(fields=event, summary=f"{event['type']} {event['id']}"[:200],
                                      provider_event_id=event["id"], source={"ip": source_ip})
    with bind(ctx):
        receipt = inbox_service.store(ctx, SOURCE, delivery)
        if not receipt.duplicate:  # processed now (a read and a write): the owner back from Checkout sees the plan
            pipeline.process(ctx, receipt.event, SOURCE)
    return s.HookAnswer(received=True, event_id=receipt.event.event_id, duplicate=receipt.duplicate)
