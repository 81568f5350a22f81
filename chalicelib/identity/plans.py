"""What the tenant's plan allows, as the tenant item says: the one way every domain reaches billing.

The tenant item carries the subscription (``Tenant.billing``) and is read by authentication on every
request already (or remembered per warm Lambda), so checking a plan costs no read in a request; a job
or a webhook reads the tenant once per run (``service.tenant_settings``). Each check goes through
``billing.limits.require``, the one function that refuses what a plan does not allow.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from chalicelib.billing import limits, ratelimit, storage, traffic
from chalicelib.billing import standing as billing_standing
from chalicelib.billing.standing import Standing
from chalicelib.core import db, errors, http
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.identity import confirmation
from chalicelib.identity.models import Tenant

API = ratelimit.Limiter("api")
WEBHOOKS = ratelimit.Limiter("webhook")
LIMIT_SECONDS = 60.0
_WEBHOOK_LIMITS: dict[str, tuple[int | None, float]] = {}  # tenant -> (events per minute, when read)
_HELD: ContextVar[dict[str, Standing] | None] = ContextVar("crm_plan_held", default=None)  # see ``held``


def standing_of(tenant: Tenant) -> Standing:
    """A tenant's standing now (trial and grace evaluated against the clock)."""
    return billing_standing.evaluate(tenant.billing, legacy_plan=tenant.plan, trial_ends_at=tenant.trial_ends_at,
                                     now=db.utcnow())


def standing(ctx: TenantContext) -> Standing:
    """The caller's tenant's standing (no read in a request: authentication read the tenant; within ``held``, read
    once)."""
    from chalicelib.identity import service

    kept = _HELD.get()
    if kept is None:
        return standing_of(service.tenant_settings_or_raise(ctx))
    if ctx.tenant_id not in kept:
        kept[ctx.tenant_id] = standing_of(service.tenant_settings_or_raise(ctx))
    return kept[ctx.tenant_id]


@contextmanager
def held() -> Iterator[dict[str, Standing]]:
    """Within it, a tenant's standing is read once, for a job's rows (an import's): outside a request each check
    read the tenant item again. A limit stays exact: the usage counter is checked against the plan's ceiling in
    each write's own transaction, so the row past it is refused. Clearing what it yields reads the plan afresh
    (an import does at each checkpoint, so a plan changed meanwhile counts from its next rows on)."""
    kept: dict[str, Standing] = {}
    token = _HELD.set(kept)
    try:
        yield kept
    finally:
        _HELD.reset(token)


def require(ctx: TenantContext, *, feature: str | None = None, count: str | None = None, by: int = 1,
            change: db.Change | None = None) -> None:
    """402 for what the tenant's plan does not allow; a counted amount joins change (see billing.limits)."""
    limits.require(ctx, standing(ctx), feature=feature, count=count, by=by, change=change)


def store_file(ctx: TenantContext, *, size: int, change: db.Change, kept: bool = True,
               provided: bool = False) -> None:
    """Count a file of size bytes the tenant stores in S3, in change (the transaction that records the file).

    kept: the file stays until deleted (a recording, an attachment); otherwise it is one of the export bucket's
    short-lived files (an import's file, an export), counted for the 7 days the bucket keeps it. A file someone
    of the company adds is refused (402 ``plan_limit_reached``, nothing written) when it would take storage past
    the plan; a provider's file (provided: a call recording, an attachment a customer sent) never is: it is
    counted, and the tenant reads as over its storage limit. See ``billing.storage``."""
    storage.count(ctx, None if provided else standing(ctx), size=size, change=change, kept=kept)


def release_file(ctx: TenantContext, *, size: int, change: db.Change) -> None:
    """A kept file is deleted in change: its bytes no longer count toward storage."""
    storage.release(ctx, size=size, change=change)


def admit(request: Any, principal: Any) -> Any:
    """A signed-in request, past its tenant's rate limit (429), its API-key feature and, when the
    subscription is suspended, the read-only rule (402); answers the principal."""
    tenant = http.request_memo().get(("tenant", principal.tenant_id))
    if not isinstance(tenant, Tenant):
        return principal
    found = standing_of(tenant)
    API.admit(principal.tenant_id, found.plan.limit("api_requests_per_minute"),
              lambda tenant_id, minute, admitted: traffic.add(tenant_id, "api", minute, admitted))
    if principal.actor_kind == "api_key" and not found.plan.allows("api_keys"):
        raise limits.feature_error(found, "api_keys")
    path = (request.context or {}).get("resourcePath") or request.path
    limits.writable(found, method=request.method, path=path)
    confirmation.writable(tenant, method=request.method, path=path)  # the same gate: the owner's address unconfirmed
    return principal


def admit_webhook(ctx: TenantContext) -> None:
    """A webhook delivery for a tenant, past its plan's events per minute (429 with Retry-After)."""
    WEBHOOKS.admit(ctx.tenant_id, _webhook_limit(ctx),
                   lambda tenant_id, minute, admitted: traffic.add(tenant_id, "webhook", minute, admitted))


def _webhook_limit(ctx: TenantContext) -> int | None:
    """The tenant's webhook events per minute: from the tenant this request read (a form's hook reads it),
    else remembered for a minute per warm Lambda, else read (a provider's hook would otherwise pay a read
    per delivery)."""
    from chalicelib.identity import service

    tenant = http.request_memo().get(("tenant", ctx.tenant_id))
    now = time.monotonic()
    if not isinstance(tenant, Tenant):
        known = _WEBHOOK_LIMITS.get(ctx.tenant_id)
        if known is not None and now - known[1] < LIMIT_SECONDS:
            return known[0]
        tenant = service.tenant_settings(ctx)
        if tenant is None:
            return None
    found = standing_of(tenant).plan.limit("webhook_events_per_minute")
    if len(_WEBHOOK_LIMITS) >= ratelimit.KEPT_TENANTS:
        _WEBHOOK_LIMITS.clear()
    _WEBHOOK_LIMITS[ctx.tenant_id] = (found, now)
    return found


def follow_seats(ctx: TenantContext) -> None:
    """After the users changed: a subscription's seats follow them (Stripe prorates). Never fails the change
    it follows; a seat count Stripe did not take is corrected by the next change or in the portal."""
    from chalicelib.billing import gateway
    from chalicelib.identity import service

    tenant = service.tenant_settings(ctx)
    subscription = getattr(tenant, "billing", None)
    if tenant is None or subscription is None or not subscription.subscription_id or not subscription.item_id \
            or subscription.manual or not standing_of(tenant).subscribed:
        return
    try:  # after the change committed: a failure here must not turn its success into an error
        with bind(ctx):
            seats = max(1, limits.usage(ctx)["users"])
        if seats != int(subscription.seats or 0):
            gateway.update_seats(subscription_id=subscription.subscription_id, item_id=subscription.item_id,
                                 seats=seats, idempotency_key=f"crm-seats-{subscription.subscription_id}-{seats}-"
                                                              f"{ctx.request_id}")
    except errors.CRMError:
        logger.warning("seats not updated in Stripe", extra={"tenant_id": ctx.tenant_id})
