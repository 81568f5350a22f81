"""The shared traffic counters: a tenant's API requests and webhook events this month and this minute.

One item per tenant and month holds both: the month's total (what ``tenants usage`` prices) and the
current minute's count (what the rate limiter compares with the plan). Adding to it is one UpdateItem:
conditioned on the stored minute being the current one; at the first share of a new minute a second
(conditional) update starts that minute's count afresh.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.billing.models import Traffic, traffic_key
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind

KINDS = {"api": ("api_requests", "api_minute", "api_in_minute"),
         "webhook": ("webhook_events", "webhook_minute", "webhook_in_minute")}
KEPT = timedelta(days=400)  # a year of months for usage estimates


def add(tenant_id: str, kind: str, minute: str, admitted: int) -> int:
    """Add requests admitted in a minute (``YYYYMMDDHHMM``) to the tenant's counters; the minute's total."""
    total_name, minute_name, count_name = KINDS[kind]
    ctx = TenantContext(tenant_id=tenant_id)
    item = Traffic(*traffic_key(ctx, minute[:6]))
    total, stamp, count = (getattr(Traffic, name) for name in (total_name, minute_name, count_name))
    base = [Traffic.kind.set(Traffic), Traffic.expires_at.set(db.utcnow() + KEPT), total.add(admitted)]
    with bind(ctx), db.translate_errors():
        for _ in range(2):  # the minute moved on meanwhile: another Lambda started it; add to theirs
            if _updated(item, [*base, count.add(admitted)], stamp == minute):
                return int(getattr(item, count_name) or 0)
            if _updated(item, [*base, stamp.set(minute), count.set(admitted)],
                        stamp.does_not_exist() | (stamp < minute)):
                return admitted
    return admitted


def _updated(item: Traffic, actions: list[Any], condition: Any) -> bool:
    """One conditional UpdateItem; False when the condition does not hold (other failures raise)."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if db.response_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def month(ctx: TenantContext, month_key: str) -> dict[str, int]:
    """A tenant's API requests and webhook events of one month (``yyyymm``)."""
    found = db.get(ctx, Traffic, *traffic_key(ctx, month_key))
    return {"api_requests": int(getattr(found, "api_requests", 0) or 0),
            "webhook_events": int(getattr(found, "webhook_events", 0) or 0)}
