"""The operator's commands on tenants' plans: provision, show, suspend, resume, usage, sync-plans."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TextIO

from chalicelib.billing import catalog, limits, prices, storage, traffic
from chalicelib.core import audit, db
from chalicelib.core.tenancy import TenantContext, bind, tenant_key
from chalicelib.identity import plans
from chalicelib.identity import service as identity_service
from chalicelib.subscriptions import service as subscriptions_service
from tenants.commands import OperatorError, operator_context


def provision(out: TextIO, *, company: str, email: str, name: str, country: str, plan: str | None) -> int:
    """A new tenant and its owner (a generated password, printed once), on the trial or on a plan granted by
    the operator (invoiced outside Stripe)."""
    password = secrets.token_urlsafe(12)
    ctx, tenant, _ = identity_service.signup(company_name=company, name=name, email=email, password=password,
                                             locale="en", country=country)
    if plan is not None:
        grant(ctx.tenant_id, plan)
    out.write(f"tenant {ctx.tenant_id} ({tenant.name}) on {plan or 'the trial of ' + catalog.TRIAL_PLAN}\n"
              f"owner {email} password {password} (shown once: change it after the first sign-in)\n")
    return 0


def grant(tenant_id: str, plan_key: str) -> None:
    """Put a tenant on a plan without Stripe (an operator's grant), audited as the operator."""
    if plan_key not in catalog.PLANS:
        raise OperatorError(f"no plan {plan_key!r} (plans: {', '.join(catalog.PLANS)})")
    ctx = operator_context(tenant_id)
    with bind(ctx):
        tenant = identity_service.get_tenant_or_raise(ctx)
        before = subscriptions_service.billing_audit_view(tenant)
        subscription = subscriptions_service.subscription_of(tenant)
        subscription.status, subscription.plan, subscription.manual = "active", plan_key, True
        tenant.billing, tenant.plan = subscription, plan_key
        change = db.Change().save(tenant)
        audit.attach(ctx, change, tenant, entity="tenant", entity_id=tenant_id, action="billing.grant", before=before,
                     after=subscriptions_service.billing_audit_view(tenant))
        db.commit(ctx, change)


def show(out: TextIO, tenant_id: str) -> int:
    """A tenant's plan, lifecycle, Stripe ids and usage against its limits."""
    ctx = operator_context(tenant_id)
    with bind(ctx):
        tenant = identity_service.get_tenant(ctx)
        if tenant is None:
            raise OperatorError(f"no tenant {tenant_id}")
        standing = plans.standing_of(tenant)
        used = limits.usage(ctx)
        files = storage.stored(ctx)
    subscription = tenant.billing
    now = db.utcnow()
    out.write(f"{tenant.tenant_id}  {tenant.name}\n  account    {tenant.status}\n"
              f"  plan       {standing.plan.key} ({standing.status}"
              + (f", {standing.trial_days_left(now)} trial day(s) left" if standing.status == "trialing" else "")
              + (f", grace until {standing.grace_ends_at:%Y-%m-%d}" if standing.grace_ends_at else "") + ")\n")
    ids = [getattr(subscription, name, None) or "-" for name in ("customer_id", "subscription_id", "seats")]
    out.write(f"  stripe     customer {ids[0]}, subscription {ids[1]}, seats {ids[2]}"
              + (" (granted by an operator)" if getattr(subscription, "manual", False) else "") + "\n")
    for name in catalog.COUNTED:
        ceiling = standing.plan.limit(name)
        out.write(f"  {name:<10} {used[name]} of {ceiling if ceiling is not None else 'unlimited'}\n")
    allowed = standing.plan.limit("storage_mb")
    out.write(f"  {'storage':<10} {files.megabytes} MB of {f'{allowed} MB' if allowed is not None else 'unlimited'}"
              + (" (over the plan)" if storage.over(standing, files) else "") + "\n")
    return 0


def set_status(out: TextIO, tenant_id: str, *, active: bool) -> int:
    """Suspend a tenant (nobody signs in, its integrations' deliveries are kept as ignored) or resume it."""
    ctx = operator_context(tenant_id)
    with bind(ctx):
        tenant = identity_service.get_tenant(ctx)
        if tenant is None:
            raise OperatorError(f"no tenant {tenant_id}")
        if tenant.status == "deleting":
            raise OperatorError("the tenant is being deleted: cancel the deletion first")
        wanted = "active" if active else "suspended"
        if tenant.status != wanted:
            before = identity_service.tenant_audit_view(tenant)
            tenant.status = wanted
            change = db.Change().save(tenant)
            audit.attach(ctx, change, tenant, entity="tenant", entity_id=tenant_id,
                         action="resume" if active else "suspend", before=before,
                         after=identity_service.tenant_audit_view(tenant))
            db.commit(ctx, change)
    out.write(f"{tenant_id} is {wanted}\n")
    return 0


def usage(out: TextIO, tenant_id: str, *, month: str | None) -> int:
    """A tenant's counters and traffic of a month, and what it costs in AWS by the model of bench/cost.py."""
    from bench import cost

    ctx = operator_context(tenant_id)
    month = month or datetime.now(UTC).strftime("%Y%m")
    with bind(ctx):
        if identity_service.get_tenant(ctx) is None:
            raise OperatorError(f"no tenant {tenant_id}")
        used, files = storage.usage_and_stored(ctx)
        counted = traffic.month(ctx, month)
    estimate = cost.tenant_month(api_requests=counted["api_requests"], webhook_events=counted["webhook_events"],
                                 contacts=used["contacts"], stored_bytes=files.total)
    out.write(f"{tenant_id} in {month[:4]}-{month[4:]}: {used['users']} user(s), {used['contacts']} contact(s), "
              f"{used['pipelines']} pipeline(s), {files.megabytes} MB of files; "
              f"{counted['api_requests']:,} API request(s), "
              f"{counted['webhook_events']:,} webhook event(s) counted so far\n")
    for line, dollars in estimate["lines"].items():
        out.write(f"  {line:<28} ${dollars:.4f}\n")
    out.write(f"  {'estimated AWS cost':<28} ${estimate['total']:.2f} ({estimate['basis']})\n")
    return 0


def recount(out: TextIO, tenant_id: str) -> int:
    """Set a tenant's usage counters from what it holds (tenants from before billing have none): a Query per
    counted kind, outside any request. Run it on a quiet tenant: a create committed meanwhile is not counted."""
    from chalicelib.automations import service as automations
    from chalicelib.automations.models import Automation
    from chalicelib.billing.models import Usage, usage_key
    from chalicelib.deals.models import Pipeline, pipelines_pk
    from chalicelib.identity.models import User
    from chalicelib.records import types

    ctx = operator_context(tenant_id)
    with bind(ctx), db.translate_errors():
        if identity_service.get_tenant(ctx) is None:
            raise OperatorError(f"no tenant {tenant_id}")
        counts = {"users": sum(1 for user in User.query(identity_service.users_pk(ctx))
                               if isinstance(user, User) and user.status in ("active", "invited")),
                  "pipelines": sum(1 for item in Pipeline.query(pipelines_pk(ctx)) if isinstance(item, Pipeline)),
                  "automation_rules": sum(1 for rule in Automation.query(automations.rules_pk(ctx))
                                          if isinstance(rule, Automation) and rule.enabled)}
        for record_type, limit in catalog.RECORD_LIMITS.items():
            space = types.get(record_type).space
            counts[limit] = db.MainTable.count(tenant_key(ctx, str(space), "ALL"))  # a live record's "all" list row
        counts["storage_bytes"] = _kept_bytes(ctx)
        found = Usage(*usage_key(ctx))
        for name, value in counts.items():
            setattr(found, name, value)
        found.save()
    out.write(f"{tenant_id}: " + ", ".join(f"{count} {name}" for name, count in counts.items()) + " counted\n")
    return 0


def _kept_bytes(ctx: TenantContext) -> int:
    """The bytes of the files a tenant keeps (call recordings, messages' attachments: its prefix of the recordings
    bucket), listed: the operator's recount only; requests count files as they are written. Short-lived files are
    not recounted: they expire."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    pages = aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=settings.recordings_bucket,
                                                                        Prefix=f"tenants/{ctx.tenant_id}/")
    try:
        return sum(int(found["Size"]) for page in pages for found in page.get("Contents", []))
    except aws.client("s3").exceptions.NoSuchBucket:  # a stage that never kept a recording
        return 0


def sync_plans(out: TextIO) -> int:
    """Make Stripe's products and prices match the catalog (idempotent: a second run changes nothing)."""
    for line in prices.sync():
        out.write(line + "\n")
    return 0
