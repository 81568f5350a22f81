"""Stripe's events applied to the stored subscription: newest wins, repeats change nothing.

Only the event's own object is read (no call back to Stripe), and each fact is applied only when the
event is at least as new as what set it before: the status (which both subscription and invoice events
move) by ``status_at``, the subscription's other facts (plan, seats, period, ids) by
``subscription_at``, both the event's ``created`` in seconds. An event older than the state is
ignored, so events arriving out of order or twice leave the state of the newest. Two different events
of the same second are applied in the order they are processed (Stripe gives no finer order).

Prices map to plans through the catalog: a price's lookup key, else its product (``crm_<plan>``), else the
subscription's metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.billing import catalog, standing
from chalicelib.billing.models import Subscription

HANDLED = ("checkout.session.completed", "customer.subscription.created", "customer.subscription.updated",
           "customer.subscription.deleted", "invoice.paid", "invoice.payment_failed")
RECOVERED_BY_PAYMENT = frozenset({"past_due", "unpaid", "incomplete", "paused"})
FAILED_FROM = frozenset({"active", "trialing", "past_due", "incomplete"})


def customer_of(event: dict[str, Any]) -> str | None:
    """The Stripe customer an event is about (its object's ``customer``)."""
    found = _object(event).get("customer")
    if isinstance(found, dict):  # expanded
        found = found.get("id")
    return found if isinstance(found, str) and found else None


def apply(current: Subscription, event: dict[str, Any]) -> list[str]:
    """Apply one event to current (in place); the facts it changed (empty: nothing, it was older or not ours)."""
    kind, created, found = str(event.get("type")), int(event.get("created") or 0), _object(event)
    if kind == "checkout.session.completed":
        return _checkout(current, found, created)
    if kind.startswith("customer.subscription."):
        return _subscription(current, found, created, deleted=kind == "customer.subscription.deleted")
    if kind in ("invoice.paid", "invoice.payment_failed"):
        return _invoice(current, found, created, paid=kind == "invoice.paid")
    return []


def _object(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _at(seconds: Any) -> datetime | None:
    return datetime.fromtimestamp(int(seconds), UTC) if isinstance(seconds, int | float) and seconds else None


def _set(current: Subscription, changed: list[str], name: str, value: Any) -> None:
    if getattr(current, name) != value:
        setattr(current, name, value)
        changed.append(name)


def _status(current: Subscription, changed: list[str], status: str, created: int) -> None:
    """Move the status (newest wins), keeping when arrears began: the grace runs from there."""
    if created < int(current.status_at or 0):
        return
    _set(current, changed, "status", status)
    since = current.past_due_since if status == "past_due" else None
    _set(current, changed, "past_due_since", since or (_at(created) if status == "past_due" else None))
    _set(current, changed, "status_at", created)


def _checkout(current: Subscription, session: dict[str, Any], created: int) -> list[str]:
    subscription_id = session.get("subscription")
    if session.get("mode") != "subscription" or not isinstance(subscription_id, str):
        return []
    changed: list[str] = []
    if created >= int(current.subscription_at or 0):
        _set(current, changed, "subscription_id", subscription_id)
        planned = (session.get("metadata") or {}).get("plan")
        if planned in catalog.PLANS:
            _set(current, changed, "plan", planned)
        _set(current, changed, "subscription_at", created)
    if session.get("payment_status") in ("paid", "no_payment_required"):
        _status(current, changed, "active", created)
    return changed


def _subscription(current: Subscription, sub: dict[str, Any], created: int, *, deleted: bool) -> list[str]:
    sub_id = sub.get("id")
    if (deleted and current.subscription_id and sub_id != current.subscription_id
            and current.status not in standing.ENDED_STATUSES):
        return []  # another (older) subscription ending does not end the one in force
    changed: list[str] = []
    if created >= int(current.subscription_at or 0):
        item = _seat_item(sub)
        _set(current, changed, "subscription_id", sub_id)
        if isinstance(item.get("id"), str):
            _set(current, changed, "item_id", item["id"])
        planned = _plan_of(sub, item)
        if planned is not None:
            _set(current, changed, "plan", planned)
        if isinstance(item.get("quantity"), int):
            _set(current, changed, "seats", item["quantity"])
        price = _dict(item.get("price"))
        if isinstance(price.get("currency"), str):
            _set(current, changed, "currency", price["currency"].upper())
        _set(current, changed, "current_period_end",
             _at(item.get("current_period_end") or sub.get("current_period_end")))
        _set(current, changed, "cancel_at_period_end", bool(sub.get("cancel_at_period_end")))
        _set(current, changed, "manual", False)
        _set(current, changed, "subscription_at", created)
    _status(current, changed, "canceled" if deleted else str(sub.get("status") or "active"), created)
    return changed


def _invoice(current: Subscription, invoice: dict[str, Any], created: int, *, paid: bool) -> list[str]:
    subscription_id = _invoice_subscription(invoice)
    if subscription_id is None or (current.subscription_id and subscription_id != current.subscription_id):
        return []  # not a subscription's invoice, or another subscription's
    changed: list[str] = []
    if paid:  # a payment settles arrears; it does not revive an ended subscription
        target = "active" if current.status in RECOVERED_BY_PAYMENT | {"active", "trialing"} else current.status
    else:
        target = "past_due" if current.status in FAILED_FROM else current.status
    _status(current, changed, target, created)  # the same status still records that this is the newest word
    if current.subscription_id is None and changed:
        _set(current, changed, "subscription_id", subscription_id)
    return changed


def _seat_item(sub: dict[str, Any]) -> dict[str, Any]:
    items = sub.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}


def _plan_of(sub: dict[str, Any], item: dict[str, Any]) -> str | None:
    price = _dict(item.get("price"))
    product = price.get("product")
    found = catalog.plan_of_price(price.get("lookup_key"), product.get("id") if isinstance(product, dict) else product)
    if found is not None:
        return found.key
    planned = (sub.get("metadata") or {}).get("plan")
    return planned if planned in catalog.PLANS and catalog.PLANS[planned].paid else None


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    """The subscription an invoice bills: ``subscription`` (older API versions) or
    ``parent.subscription_details.subscription`` (2025-03-31 and later)."""
    found = invoice.get("subscription")
    if not isinstance(found, str):
        found = _dict(_dict(invoice.get("parent")).get("subscription_details")).get("subscription")
    return found if isinstance(found, str) and found else None


def seat_item_id(sub: Any) -> str | None:
    """The id of a subscription object's seat item (SDK object or dict)."""
    items = sub.get("items") if isinstance(sub, dict) else getattr(sub, "items", None)
    data = items.get("data") if isinstance(items, dict) else getattr(items, "data", None)
    first = data[0] if data else None
    found = first.get("id") if isinstance(first, dict) else getattr(first, "id", None)
    return str(found) if found else None
