"""The one check of a plan on the write path, and the usage counters it keeps.

Every write that a plan limits calls :func:`require`: the record engine's create, trash and restore
(contacts), invitations and reactivations (users), pipelines, integrations (the ``telephony``
feature), API keys and custom roles (features). A feature the plan lacks answers 402
``feature_not_in_plan``. A counted limit adds its amount to the tenant's usage item *in the write's
own transaction*, conditioned on staying within the plan's number: two creates racing for the last
place cannot both commit (DynamoDB serialises the item), and the one refused answers 402
``plan_limit_reached`` with nothing written. No scan ever counts; a decrease (a contact trashed, a
user deactivated) is added the same way, unconditioned.
"""

from __future__ import annotations

from typing import Any

from chalicelib.billing import catalog
from chalicelib.billing.models import Usage, usage_key
from chalicelib.billing.standing import Standing
from chalicelib.core import db, errors, routing
from chalicelib.core.tenancy import TenantContext

# What a suspended (read-only) tenant may still write: signing in and out, its billing, its exports and
# its own deletion, and the live-updates ticket (which changes no data). Whole route templates, matched as the
# limited token's are: as prefixes, "/api/v1/billing" would also have let "/api/v1/billing-details" write.
READ_ONLY_ALLOWS = routing.RouteSet(frozenset({
    "/api/v1/billing/checkout", "/api/v1/billing/portal", "/api/v1/billing/plan", "/api/v1/exports",
    "/api/v1/tenant/export", "/api/v1/tenant/deletion", "/api/v1/live/ticket"}), folders=("/api/v1/auth/",))
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require(ctx: TenantContext, standing: Standing, *, feature: str | None = None, count: str | None = None,
            by: int = 1, change: db.Change | None = None) -> None:
    """Refuse (402) what the plan does not allow; add a counted amount to change, capped by the plan."""
    if feature is not None and not standing.plan.allows(feature):
        raise feature_error(standing, feature)
    if count is None or by == 0:
        return
    if change is None:
        raise ValueError("a counted limit needs the change it is written with")
    ceiling = standing.plan.limit(count) if by > 0 else None
    change.limit(Usage(*usage_key(ctx)), {count: by}, ceilings={count: ceiling} if ceiling is not None else None,
                 refusal=lambda: limit_error(ctx, standing, count, by))


def starting_usage(ctx: TenantContext, change: db.Change, **amounts: int) -> None:
    """A new tenant's counters (its owner, its first pipeline), written with the sign-up."""
    change.limit(Usage(*usage_key(ctx)), dict(amounts))


def writable(standing: Standing, *, method: str, path: str) -> None:
    """402 ``subscription_inactive`` for a write of a suspended (read-only) tenant, but what stays allowed."""
    if standing.read_only and method in WRITES and path not in READ_ONLY_ALLOWS:
        raise errors.SubscriptionInactiveError(details=[{"status": standing.status, "plan": standing.plan.key}])


def usage(ctx: TenantContext) -> dict[str, int]:
    """The tenant's counters (one GetItem); missing ones are 0."""
    found = db.get(ctx, Usage, *usage_key(ctx))
    return {name: max(0, int(getattr(found, name, 0) or 0)) for name in catalog.COUNTED}


def feature_error(standing: Standing, feature: str) -> errors.CRMError:
    """The 402 for a feature the plan lacks, naming the cheapest plan that has it."""
    upgrade = catalog.cheapest_with(feature)
    return errors.FeatureNotInPlanError(details=[{"feature": feature, "plan": standing.plan.key,
                                                  "upgrade_to": upgrade.key if upgrade else None}])


def limit_error(ctx: TenantContext, standing: Standing, count: str, by: int) -> errors.CRMError:
    """The 402 for a create beyond a limit: the limit, the usage now (read once, on refusal only), and the
    cheapest plan that admits it."""
    used = usage(ctx).get(count, 0)
    upgrade = catalog.cheapest_within(count, used + by)
    detail: dict[str, Any] = {"limit": count, "allowed": standing.plan.limit(count), "used": used,
                              "plan": standing.plan.key, "upgrade_to": upgrade.key if upgrade else None}
    return errors.PlanLimitError(details=[detail])
