"""The plan's monthly allowance of campaign messages (#18): counted in the transaction that claims the sends.

``campaign_messages_per_month`` in the billing catalog: a claim adds its messages to the month's item under that
ceiling, so two batches racing for the last messages cannot both pass; a refused batch is recorded as skipped
(``skipped_limit``) and the send-now route answers 402 with the upgrade up front when the segment alone would
not fit.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.billing import catalog
from chalicelib.campaigns.models import CampaignUsage
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key

LIMIT = "campaign_messages_per_month"
FEATURE = "campaigns"


def usage_key(ctx: TenantContext, now: datetime) -> tuple[str, str]:
    """The month's counter."""
    return tenant_key(ctx, "CAMPUSAGE"), now.strftime("%Y%m")


def used(ctx: TenantContext, now: datetime) -> int:
    """Messages counted this month (one GetItem)."""
    return messages_of(db.get(ctx, CampaignUsage, *usage_key(ctx, now)))


def messages_of(found: object) -> int:
    """The messages a month's counter item holds (0 when there is none: nothing sent that month)."""
    return max(0, int(getattr(found, "messages", 0) or 0)) if isinstance(found, CampaignUsage) else 0


def _plan(ctx: TenantContext) -> catalog.Plan:
    from chalicelib.identity import plans

    return plans.standing(ctx).plan


def allowance(ctx: TenantContext) -> int | None:
    """The plan's number of campaign messages a month (None: unlimited)."""
    return _plan(ctx).limit(LIMIT)


def refusal(ctx: TenantContext, wanted: int, now: datetime) -> errors.CRMError:
    """The 402 for messages beyond the month's allowance, with the plan that allows them."""
    plan, count = _plan(ctx), used(ctx, now)
    upgrade = catalog.cheapest_within(LIMIT, count + wanted)
    return errors.PlanLimitError(details=[{"limit": LIMIT, "allowed": plan.limit(LIMIT), "used": count,
                                           "plan": plan.key, "upgrade_to": upgrade.key if upgrade else None}])


def require(ctx: TenantContext, *, wanted: int, now: datetime) -> None:
    """402 before anything is queued: the feature, and room for the messages wanted this month."""
    from chalicelib.identity import plans

    plans.require(ctx, feature=FEATURE)
    ceiling = allowance(ctx)
    if ceiling is not None and used(ctx, now) + wanted > ceiling:
        raise refusal(ctx, wanted, now)


def count(ctx: TenantContext, change: db.Change, messages: int, now: datetime) -> None:
    """Add messages to the month's counter in change, capped by the plan (a release adds a negative number)."""
    if not messages:
        return
    ceiling = allowance(ctx) if messages > 0 else None
    change.limit(CampaignUsage(*usage_key(ctx, now)), {"messages": messages},
                 ceilings={"messages": ceiling} if ceiling is not None else None,
                 refusal=lambda: refusal(ctx, messages, now))
