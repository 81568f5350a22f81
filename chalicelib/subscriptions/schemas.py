"""Requests and answers of the billing routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema

PaidPlan = Literal["start", "pro", "enterprise"]
Currency = Literal["USD", "EUR", "RUB"]


class PlanPrice(BaseModel):
    currency: str
    unit_amount: int  # minor units per seat and month
    lookup_key: str
    stripe_price_id: str | None  # None until ``python -m tenants sync-plans`` has made it in Stripe


class PlanRead(BaseModel):
    key: str
    name: str
    paid: bool
    prices: list[PlanPrice]
    limits: dict[str, int | None]  # None: unlimited
    features: list[str]


class PlanList(BaseModel):
    items: list[PlanRead]
    currency: str  # the currency the company pays in


class UsageLine(BaseModel):
    used: int
    limit: int | None


class BillingRead(BaseModel):
    plan: str
    status: Literal["trialing", "active", "past_due", "suspended", "canceled"]
    read_only: bool
    trial_ends_at: datetime | None
    trial_days_left: int | None
    grace_ends_at: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    seats: int | None
    currency: str
    usage: dict[str, UsageLine]  # the counted limits, storage_mb (megabytes, rounded up), campaign_messages_per_month
    # (this month, UTC)
    # Limits the company is above: a provider's file stored past storage_mb, or a plan with fewer than it holds.
    # Nothing is deleted; creating more of it is refused until it is back within the plan.
    over_limits: list[str]
    limits: dict[str, int | None]
    features: list[str]
    stripe_customer_id: str | None
    subscription_id: str | None


class CheckoutIn(Schema):
    plan: PaidPlan
    seats: int | None = Field(default=None, ge=1, le=10_000)  # default: the users the company has
    currency: Currency | None = None  # default: the company's currency where the plan is priced in it


class PlanChangeIn(Schema):
    plan: PaidPlan


class UrlOut(BaseModel):
    url: str


class HookAnswer(BaseModel):
    received: bool
    event_id: str | None = None
    duplicate: bool = False
    ignored: str | None = None  # why an event was not stored (not a type we handle, not our customer)
