"""A tenant's standing now: the plan in force and the lifecycle status, evaluated from stored facts.

Nothing runs when a trial or a grace period ends: both are evaluated lazily, from the stored end of
the trial and the stored start of the arrears, whenever a request or a job asks. A trial that ended
without a subscription is the free plan; past_due turns into suspended (read-only) after the grace;
a canceled subscription falls to free. No job, so no missed tick, and a clock is all a test needs.

``trialing -> active -> past_due (GRACE_DAYS) -> suspended -> canceled (free)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from chalicelib.billing import catalog
from chalicelib.billing.catalog import Plan

Status = Literal["trialing", "active", "past_due", "suspended", "canceled"]
PAID_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid", "paused"})  # a subscription in force
SUSPENDED_STATUSES = frozenset({"unpaid", "paused"})  # Stripe gave up collecting, or paused collection
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


@dataclass(frozen=True)
class Standing:
    """The plan a tenant works under now and where its subscription stands."""

    plan: Plan
    status: Status
    trial_ends_at: datetime | None = None
    grace_ends_at: datetime | None = None
    subscribed: bool = False  # a Stripe subscription (or an operator's grant) is in force

    @property
    def read_only(self) -> bool:
        """True when writes other than billing, export and sign-in are refused (402)."""
        return self.status == "suspended"

    def trial_days_left(self, now: datetime) -> int | None:
        """Whole days of trial left (rounded up), while trialing."""
        if self.status != "trialing" or self.trial_ends_at is None:
            return None
        return max(0, -((now - self.trial_ends_at) // timedelta(days=1)))


def evaluate(subscription: Any, *, legacy_plan: str | None, trial_ends_at: datetime | None,
             now: datetime) -> Standing:
    """The standing at ``now`` of a tenant whose stored subscription (a ``models.Subscription`` or None,
    for tenants from before billing) and trial end are given."""
    status = getattr(subscription, "status", None) or ("trialing" if legacy_plan in (None, "trial") else "active")
    planned = getattr(subscription, "plan", None) or (catalog.TRIAL_PLAN if legacy_plan in (None, "trial")
                                                      else legacy_plan)
    if getattr(subscription, "subscription_id", None) is None and not getattr(subscription, "manual", False) \
            and status not in ENDED_STATUSES:
        return _unsubscribed(status, trial_ends_at, now)
    if status in ENDED_STATUSES:
        return Standing(plan=catalog.plan(catalog.FREE), status="canceled")
    if status in SUSPENDED_STATUSES:
        return Standing(plan=catalog.plan(planned), status="suspended", subscribed=True)
    if status == "past_due":
        since = getattr(subscription, "past_due_since", None) or now
        grace_ends = since + timedelta(days=catalog.GRACE_DAYS)
        shown: Status = "past_due" if now < grace_ends else "suspended"
        return Standing(plan=catalog.plan(planned), status=shown, grace_ends_at=grace_ends, subscribed=True)
    if status in PAID_STATUSES:
        return Standing(plan=catalog.plan(planned), status="active" if status != "trialing" else "trialing",
                        subscribed=True)
    return _unsubscribed(status, trial_ends_at, now)  # incomplete: the first payment has not gone through


def _unsubscribed(status: str, trial_ends_at: datetime | None, now: datetime) -> Standing:
    """No subscription in force: the sign-up's trial while it lasts, then the free plan."""
    if trial_ends_at is not None and now < trial_ends_at and status in ("trialing", "incomplete"):
        return Standing(plan=catalog.plan(catalog.TRIAL_PLAN), status="trialing", trial_ends_at=trial_ends_at)
    return Standing(plan=catalog.plan(catalog.FREE), status="active", trial_ends_at=trial_ends_at)
