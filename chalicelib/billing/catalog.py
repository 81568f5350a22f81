"""The plan catalog: prices per seat, limits and features of every plan, in code and nowhere else.

``python -m tenants sync-plans`` makes Stripe's products and prices from this module (a product per
paid plan, id ``crm_<plan>``; a monthly per-seat price per currency, found by its lookup key
``crm_<plan>_<currency>_seat_monthly``), so a subscription's price names its plan here without a
table of ids. Money is integer minor units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# What a plan may switch on (billing.limits refuses a gated feature with 402 naming the cheapest plan that has it).
FEATURES = ("telephony", "messengers", "api_keys", "custom_roles", "automations", "data_export", "campaigns")
# Counted as writes happen (billing.limits); a create beyond the plan's number is refused. automation_rules: the
# enabled ones (#19), counted as a rule is made enabled, switched on or off, or deleted (chalicelib.automations).
COUNTED = ("users", "contacts", "pipelines", "automation_rules")
# Rates, enforced per tenant and minute (billing.ratelimit).
RATES = ("api_requests_per_minute", "webhook_events_per_minute")
# Storage: bytes counted as files are written, a file someone adds refused past it (billing.storage); audit
# retention: records older than the window expire in the daily housekeeping pass (housekeeping.retention).
# Campaign messages a month (#24): counted as a campaign claims its sends (chalicelib.campaigns.usage).
DECLARED = ("storage_mb", "audit_retention_days", "campaign_messages_per_month")
LIMITS = COUNTED + RATES + DECLARED
CURRENCIES = ("USD", "EUR", "RUB")
DEFAULT_CURRENCY = "USD"

TRIAL_PLAN = "pro"
TRIAL_DAYS = 14
GRACE_DAYS = 7  # past_due for this long, then suspended (read-only)
FREE = "free"

# Record types whose live records count toward a limit (the record engine's create, trash and restore).
RECORD_LIMITS = {"contact": "contacts"}


@dataclass(frozen=True)
class Plan:
    """A plan: its prices per seat and month, its limits (None: unlimited) and its features."""

    key: str
    name: str
    prices: Mapping[str, int] = field(default_factory=dict)  # currency -> minor units per seat and month
    limits: Mapping[str, int | None] = field(default_factory=dict)
    features: frozenset[str] = frozenset()

    @property
    def paid(self) -> bool:
        """True for a plan bought through Stripe."""
        return bool(self.prices)

    def limit(self, name: str) -> int | None:
        """The plan's number for a limit (None: unlimited)."""
        return self.limits.get(name)

    def allows(self, feature: str) -> bool:
        """True when the plan includes the feature."""
        return feature in self.features

    def lookup_key(self, currency: str) -> str:
        """The lookup key of the plan's Stripe price in a currency."""
        return f"crm_{self.key}_{currency.lower()}_seat_monthly"

    @property
    def product_id(self) -> str:
        """The id of the plan's Stripe product (Stripe lets the creator choose it)."""
        return f"crm_{self.key}"


def _limits(users: int | None, contacts: int | None, pipelines: int | None, storage_mb: int | None, api: int,
            hooks: int, audit_days: int | None, campaign_messages: int | None = 0,
            automation_rules: int | None = 0) -> dict[str, int | None]:
    return {"users": users, "contacts": contacts, "pipelines": pipelines, "storage_mb": storage_mb,
            "api_requests_per_minute": api, "webhook_events_per_minute": hooks, "audit_retention_days": audit_days,
            "campaign_messages_per_month": campaign_messages, "automation_rules": automation_rules}


PLANS: dict[str, Plan] = {plan.key: plan for plan in (
    Plan("free", "Free", limits=_limits(2, 1_000, 1, 500, 60, 60, 30), features=frozenset({"data_export"})),
    Plan("start", "Start", prices={"USD": 1500, "EUR": 1400, "RUB": 99000},
         limits=_limits(10, 10_000, 3, 5_120, 300, 300, 90, 5_000),
         features=frozenset({"telephony", "messengers", "data_export", "campaigns"})),
    Plan("pro", "Pro", prices={"USD": 3500, "EUR": 3300, "RUB": 249000},
         limits=_limits(100, 250_000, 50, 51_200, 1_200, 1_200, 365, 50_000, 50), features=frozenset(FEATURES)),
    Plan("enterprise", "Enterprise", prices={"USD": 6900, "EUR": 6500, "RUB": 499000},
         limits=_limits(None, None, None, None, 6_000, 6_000, 2_555, None, None), features=frozenset(FEATURES)),
)}
ORDER = tuple(PLANS)  # cheapest first


def plan(key: str | None) -> Plan:
    """A plan by key; an unknown or missing one is free (what a tenant falls back to)."""
    return PLANS.get(key or FREE, PLANS[FREE])


def paid_plans() -> list[Plan]:
    """The plans sold through Stripe, cheapest first."""
    return [found for found in PLANS.values() if found.paid]


def cheapest_with(feature: str) -> Plan | None:
    """The cheapest plan that includes a feature."""
    return next((found for found in PLANS.values() if found.allows(feature)), None)


def cheapest_within(limit: str, amount: int) -> Plan | None:
    """The cheapest plan whose limit admits amount (of users, contacts ...)."""
    for found in PLANS.values():
        ceiling = found.limit(limit)
        if ceiling is None or amount <= ceiling:
            return found
    return None


def price_currency(currency: str | None) -> str:
    """The currency a tenant pays in: its own when a price exists in it, else the default."""
    wanted = (currency or "").upper()
    return wanted if wanted in CURRENCIES else DEFAULT_CURRENCY


def plan_of_price(lookup_key: str | None, product: str | None) -> Plan | None:
    """The paid plan a Stripe price belongs to: by its lookup key, else by its product (a price the catalog
    replaced gave its lookup key to the new one, and keeps its product); None when it is not one of ours."""
    for found in paid_plans():
        if any(found.lookup_key(currency) == lookup_key for currency in found.prices) or found.product_id == product:
            return found
    return None
