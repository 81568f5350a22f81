"""The catalog's side in Stripe: a product per paid plan and a monthly per-seat price per currency, and the
Customer Portal's configuration that lets a subscribed company switch between them, made or brought up to date by
``python -m tenants sync-plans``, and the ids it found.

Stripe prices cannot change their amount: a changed price in the catalog makes a new Stripe price
that takes over the lookup key (``transfer_lookup_key``); subscriptions on the old one keep it until
they change plan. Running the sync again with nothing changed makes no request that writes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.billing import catalog, gateway
from chalicelib.billing.catalog import Plan
from chalicelib.billing.models import PriceBook, prices_key
from chalicelib.core import db


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:16]


def lookup_keys() -> list[str]:
    """Every price's lookup key in the catalog."""
    return [plan.lookup_key(currency) for plan in catalog.paid_plans() for currency in plan.prices]


@dataclass(frozen=True)
class Book:
    """What the last sync stored: the price ids by lookup key and the portal configuration's id."""

    prices: dict[str, str] = field(default_factory=dict)
    portal_configuration: str | None = None


def read_book() -> Book:
    """The price book as the last sync stored it (one GetItem; empty before any sync)."""
    with db.translate_errors():
        try:
            item = PriceBook.get(*prices_key())
        except PriceBook.DoesNotExist:
            return Book()
    found = item.prices
    return Book(prices={str(k): str(v) for k, v in (found.as_dict() if found is not None else {}).items()},
                portal_configuration=str(item.portal_configuration) if item.portal_configuration else None)


def book() -> dict[str, str]:
    """The price ids the last sync found, by lookup key (one GetItem; empty before any sync)."""
    return read_book().prices


def price_id(plan: Plan, currency: str, *, known: Book | None = None) -> str:
    """The Stripe price of a plan in a currency: from the book (read now unless given), else asked of Stripe by
    lookup key."""
    key = plan.lookup_key(currency)
    found = (known or read_book()).prices.get(key) or gateway.price_ids([key]).get(key)
    if found is None:
        raise gateway.unavailable("This plan is not on sale yet (its prices are not in Stripe).")
    return found


def sync() -> list[str]:
    """Make Stripe's products and prices match the catalog; store the price ids; what was done, a line each."""
    stripe = gateway.client().v1
    done: list[str] = []
    products = {str(p.id): p for p in gateway.call("products.list", stripe.products.list, idempotency_key=None,
                                                   ids=[plan.product_id for plan in catalog.paid_plans()],
                                                   limit=100).data}
    for plan in catalog.paid_plans():
        done.append(_product(stripe, plan, products.get(plan.product_id)))
    existing = {str(p.lookup_key): p for p in gateway.call("prices.list", stripe.prices.list, idempotency_key=None,
                                                           lookup_keys=lookup_keys(), limit=100).data}
    ids: dict[str, str] = {}
    for plan in catalog.paid_plans():
        for currency, amount in plan.prices.items():
            key = plan.lookup_key(currency)
            ids[key], line = _price(stripe, plan, currency, amount, existing.get(key))
            done.append(line)
    configuration = _portal(stripe, ids, done)
    with db.translate_errors():
        PriceBook(*prices_key(), prices=ids, portal_configuration=configuration).save()
    return done


PORTAL_MARKER = {"crm": "plans"}  # the metadata that names the catalog's portal configuration in Stripe


def portal_features(ids: dict[str, str]) -> dict[str, Any]:
    """What the Customer Portal lets a customer do: cards, invoices, its billing name, e-mail, address and tax ID
    (printed on the invoices that follow), cancel at the period's end, and change seats or switch between the paid
    plans (each in its currencies; Stripe offers the subscription's own), prorated."""
    products = [{"product": plan.product_id, "prices": [ids[plan.lookup_key(currency)] for currency in plan.prices]}
                for plan in catalog.paid_plans()]
    return {"invoice_history": {"enabled": True}, "payment_method_update": {"enabled": True},
            "customer_update": {"enabled": True, "allowed_updates": ["name", "email", "address", "tax_id"]},
            "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
            "subscription_update": {"enabled": True, "default_allowed_updates": ["price", "quantity"],
                                    "products": products, "proration_behavior": "create_prorations"}}


def _portal(stripe: Any, ids: dict[str, str], done: list[str]) -> str:
    """Make or bring up to date the portal configuration (found by its metadata, which keeps the digest of the
    features it was given: nothing is written when they are the same); its id."""
    features = portal_features(ids)
    digest = _digest(json.dumps(features, sort_keys=True))
    metadata = {**PORTAL_MARKER, "digest": digest}
    profile = {"headline": "Your CRM subscription: plan, seats, cards and invoices"}
    found = gateway.portal_configuration(PORTAL_MARKER)
    if found is not None and gateway.metadata_of(found).get("digest") == digest:
        done.append(f"portal configuration {found.id}: up to date")
        return str(found.id)
    if found is not None:
        gateway.call("billing_portal.configurations.update", stripe.billing_portal.configurations.update, found.id,
                     idempotency_key=f"crm-portal-configuration-{found.id}-{digest}", features=features,
                     business_profile=profile, metadata=metadata)
        done.append(f"portal configuration {found.id}: updated")
        return str(found.id)
    made = gateway.call("billing_portal.configurations.create", stripe.billing_portal.configurations.create,
                        idempotency_key=f"crm-portal-configuration-{digest}", features=features,
                        business_profile=profile, metadata=metadata)
    done.append(f"portal configuration {made.id}: created")
    return str(made.id)


def portal_configuration(*, known: Book | None = None) -> str | None:
    """The Customer Portal configuration the last sync made: from the book (read now unless given), else asked of
    Stripe by its metadata (None before any sync)."""
    stored = (known or read_book()).portal_configuration
    if stored:
        return stored
    found = gateway.portal_configuration(PORTAL_MARKER)
    return str(found.id) if found is not None else None


def _product(stripe: Any, plan: Plan, found: Any) -> str:
    metadata = {"plan": plan.key}
    if found is None:
        gateway.call("products.create", stripe.products.create, idempotency_key=f"crm-product-{plan.key}",
                     id=plan.product_id, name=f"CRM {plan.name}", metadata=metadata)
        return f"product {plan.product_id}: created"
    if found.name == f"CRM {plan.name}" and found.active:
        return f"product {plan.product_id}: up to date"
    gateway.call("products.update", stripe.products.update, plan.product_id,
                 idempotency_key=f"crm-product-{plan.key}-{_digest(plan.name, 'active')}",
                 name=f"CRM {plan.name}", active=True, metadata=metadata)
    return f"product {plan.product_id}: updated"


def _price(stripe: Any, plan: Plan, currency: str, amount: int, found: Any) -> tuple[str, str]:
    key = plan.lookup_key(currency)
    recurring = getattr(found, "recurring", None)
    if (found is not None and found.unit_amount == amount and str(found.currency).upper() == currency
            and found.product == plan.product_id and getattr(recurring, "interval", None) == "month"):
        return str(found.id), f"price {key}: up to date ({found.id})"
    made = gateway.call("prices.create", stripe.prices.create, idempotency_key=f"crm-price-{key}-{amount}",
                        product=plan.product_id, currency=currency.lower(), unit_amount=amount,
                        recurring={"interval": "month", "usage_type": "licensed"}, lookup_key=key,
                        transfer_lookup_key=True, nickname=f"{plan.name} per seat, monthly",
                        metadata={"plan": plan.key})
    return str(made.id), f"price {key}: created {made.id} ({amount} {currency} a seat a month)"
