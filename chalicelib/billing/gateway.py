"""Stripe, through its SDK only: imported with the first call (cold start: ~0.2 s of imports no other
request pays), and every call that creates or changes something carries an idempotency key, so a retry
(the SDK's own, or ours) never makes a second customer, session or price.

Where the requests go is the stage's business: ``CRM_STRIPE_API_BASE`` points the SDK at the local
sandbox under ``make run`` and in the tests; unset, at Stripe. A sandbox key (``sk_test_sandbox_``,
what the local stage secret holds) is never sent to Stripe itself. Stripe's failures answer 503
``billing_unavailable`` (the caller may retry); nothing of ours is written before Stripe answers.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from chalicelib.core import errors
from chalicelib.core import secrets as app_secrets
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

TIMEOUT_SECONDS = 10.0  # API Gateway gives a request 29 s; Stripe's own default would wait 80
NETWORK_RETRIES = 2  # the SDK retries connection failures and 409/429/5xx with the same idempotency key
SANDBOX_KEY_PREFIX = "sk_test_sandbox_"

_clients: dict[tuple[str, str | None], Any] = {}
_lock = threading.Lock()


def unavailable(message: str = "Billing is unavailable right now; try again shortly.") -> errors.CRMError:
    """The 503 of a Stripe failure or of a stage without Stripe keys."""
    return errors.ServiceUnavailableError(message, code="billing_unavailable", retry_after=5)


def configured() -> bool:
    """True when the stage can reach a Stripe (the real one, or the local sandbox)."""
    key = app_secrets.stripe_api_key() or ""
    return bool(key) and not (settings.stripe_api_base is None and key.startswith(SANDBOX_KEY_PREFIX))


def client() -> Any:
    """A StripeClient for the stage's key and base address (built once per key)."""
    if not configured():
        raise unavailable("Billing is not configured for this installation.")
    key, base = str(app_secrets.stripe_api_key()), settings.stripe_api_base
    with _lock:
        found = _clients.get((key, base))
        if found is None:
            import stripe  # here, not at import: the SDK is heavy and only billing calls need it

            logging.getLogger("stripe").setLevel(logging.WARNING)  # its INFO lines name every request's URL
            found = stripe.StripeClient(key, base_addresses={"api": base} if base else None,
                                        max_network_retries=NETWORK_RETRIES,
                                        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS))
            _clients[(key, base)] = found
        return found


def call(operation: str, method: Any, *args: Any, idempotency_key: str | None, **params: Any) -> Any:
    """One SDK call, with its idempotency key when it creates or changes something (a read needs none:
    Stripe ignores the key on GET); Stripe's failures become 503 ``billing_unavailable``."""
    import stripe

    try:
        options = {"idempotency_key": idempotency_key} if idempotency_key else {}
        return method(*args, params=params or None, options=options)
    except stripe.StripeError as exc:
        logger.error("stripe call failed", extra={"operation": operation, "stripe_error": type(exc).__name__,
                                                  "http_status": exc.http_status})
        raise unavailable() from exc


# -- the calls billing makes ------------------------------------------------------------------


def create_customer(*, tenant_id: str, name: str, email: str) -> str:
    """A Stripe customer for a tenant (one per tenant: the key is the tenant's id); its id."""
    found = call("customers.create", client().v1.customers.create, idempotency_key=f"crm-customer-{tenant_id}",
                 name=name, email=email, metadata={"tenant_id": tenant_id})
    return str(found.id)


def checkout_session(*, tenant_id: str, customer_id: str, price_id: str, seats: int, plan: str,
                     success_url: str, cancel_url: str, idempotency_key: str) -> str:
    """A Checkout Session in subscription mode; its URL. A business pays with its billing address and may give its VAT
    or other tax ID, which Stripe keeps on the customer (its legal name and address too: ``customer_update``) and
    prints on our invoices to it, as an EU business buying from another member state needs for reverse charge."""
    found = call("checkout.sessions.create", client().v1.checkout.sessions.create, idempotency_key=idempotency_key,
                 mode="subscription", customer=customer_id, client_reference_id=tenant_id,
                 billing_address_collection="required", tax_id_collection={"enabled": True},
                 customer_update={"name": "auto", "address": "auto"},
                 line_items=[{"price": price_id, "quantity": seats}], success_url=success_url,
                 cancel_url=cancel_url, metadata={"tenant_id": tenant_id, "plan": plan},
                 subscription_data={"metadata": {"tenant_id": tenant_id, "plan": plan}})
    return str(found.url)


def portal_session(*, customer_id: str, return_url: str, idempotency_key: str, configuration: str | None = None,
                   flow: dict[str, Any] | None = None) -> str:
    """A Customer Portal session (cards, invoices, seats, plans, cancel), under the catalog's configuration when
    there is one, or a deep link into one of its flows (``flow_data``: a change of plan to confirm); its URL."""
    params: dict[str, Any] = {"customer": customer_id, "return_url": return_url}
    if configuration is not None:
        params["configuration"] = configuration
    if flow is not None:
        params["flow_data"] = flow
    found = call("billing_portal.sessions.create", client().v1.billing_portal.sessions.create,
                 idempotency_key=idempotency_key, **params)
    return str(found.url)


def portal_configuration(marker: dict[str, str]) -> Any:
    """The newest active Customer Portal configuration whose metadata holds ``marker`` (the catalog's), or None."""
    found = call("billing_portal.configurations.list", client().v1.billing_portal.configurations.list,
                 idempotency_key=None, active=True, limit=100)
    ours = [c for c in found.data if all(metadata_of(c).get(k) == v for k, v in marker.items())]
    return max(ours, key=lambda c: c.created) if ours else None


def metadata_of(found: Any) -> dict[str, str]:
    """A Stripe object's metadata as a dict (the SDK's StripeObject is not one)."""
    metadata = getattr(found, "metadata", None)
    plain = metadata.to_dict() if metadata is not None and hasattr(metadata, "to_dict") else dict(metadata or {})
    return {str(k): str(v) for k, v in plain.items()}


def update_seats(*, subscription_id: str, item_id: str, seats: int, idempotency_key: str) -> None:
    """Set the quantity of a subscription's seat item (prorated by Stripe)."""
    call("subscriptions.update", client().v1.subscriptions.update, subscription_id, idempotency_key=idempotency_key,
         items=[{"id": item_id, "quantity": seats}], proration_behavior="create_prorations")


def price_ids(lookup_keys: list[str]) -> dict[str, str]:
    """The active Stripe prices with these lookup keys, by lookup key."""
    found = call("prices.list", client().v1.prices.list, idempotency_key=None,
                 lookup_keys=lookup_keys, active=True, limit=100)
    return {str(price.lookup_key): str(price.id) for price in found.data if price.lookup_key}


def subscription(subscription_id: str) -> Any:
    """A subscription as Stripe has it now (the seat item's id, for a seat change)."""
    return call("subscriptions.retrieve", client().v1.subscriptions.retrieve, subscription_id, idempotency_key=None)
