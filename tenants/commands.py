"""The operator's commands on tenants: list, verify the audit trail, export, delete (see ``__main__``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from chalicelib.auditlog import service as auditlog_service
from chalicelib.billing import limits
from chalicelib.core import audit, db
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id
from chalicelib.identity import plans
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import Tenant
from chalicelib.tenantdata import archive, purge
from chalicelib.tenantdata import service as tenantdata_service

OPERATOR = "operator"


class OperatorError(ValueError):
    """A command that cannot run as asked (unknown tenant, nothing to cancel ...)."""


def operator_context(tenant_id: str) -> TenantContext:
    """The context an operator acts in for one tenant (audited as ``operator``)."""
    if not is_valid_id(tenant_id):
        raise OperatorError(f"{tenant_id!r} is not a tenant id")
    return identity_service.system_context(tenant_id, actor_id=OPERATOR, source=OPERATOR)


def list_tenants(out: TextIO, *, status: str | None = None) -> int:
    """Print every tenant with its plan, status and usage (one Query on the global tenant list, a GetItem of
    each one's counters), newest last."""
    with db.translate_errors():
        found = [t for t in Tenant.gsi1.query(global_key("tenants", "all")) if isinstance(t, Tenant)]
    shown = [t for t in found if status is None or t.status == status]
    for tenant in shown:
        ctx = operator_context(tenant.tenant_id)
        with bind(ctx):
            used = limits.usage(ctx)
        standing = plans.standing_of(tenant)
        out.write(f"{tenant.tenant_id}  {tenant.status:<9}  {standing.plan.key:<10}  {standing.status:<9}  "
                  f"{used['users']:>4} users  {used['contacts']:>7} contacts  {tenant.created_at:%Y-%m-%d}  "
                  f"{tenant.name}\n")
    out.write(f"{len(shown)} tenant(s)\n")
    return 0


def verify_audit(out: TextIO, tenant_id: str) -> int:
    """Verify every audit chain of a tenant; print the first broken link of each broken one. 1 if any."""
    ctx = operator_context(tenant_id)
    broken = checked = 0
    with bind(ctx):
        for entity, entity_id in auditlog_service.tenant_entities(ctx):
            report = auditlog_service.check_chain(ctx, entity, entity_id)
            checked += 1
            if not report.ok:
                broken += 1
                where = f"first broken link at seq {report.first_broken_seq}" if report.first_broken_seq else \
                    "the entity does not point at its newest record (records cut off)"
                out.write(f"BROKEN {entity} {entity_id}: {where} ({report.records} records)\n")
    out.write(f"{checked} chain(s) checked, {broken} broken\n")
    return 1 if broken else 0


def export_tenant(out: TextIO, tenant_id: str, *, path: str) -> int:
    """Write a tenant's export archive to a local file (recorded as a clear-text read by the operator)."""
    ctx = operator_context(tenant_id)
    export_id = new_id()
    with bind(ctx):
        if identity_service.get_tenant(ctx) is None:
            raise OperatorError(f"no tenant {tenant_id}")
        with open(path, "wb") as target:
            summary = archive.write_archive(ctx, target, export_id=export_id, created_at=db.utcnow().isoformat())
        audit.record_reads(ctx, entity="tenant_export", entity_id=export_id, fields=["operator_copy"])
    out.write(f"exported {sum(summary.counts.values())} items ({summary.sealed_values} sealed values in clear) "
              f"to {path}\n")
    return 0


def delete_tenant(out: TextIO, tenant_id: str, *, now: bool, cancel: bool, grace_days: int) -> int:
    """Schedule a deletion (the owner is e-mailed a cancellation link), cancel it, or purge at once."""
    ctx = operator_context(tenant_id)
    with bind(ctx):
        tenant = identity_service.get_tenant(ctx)
        deletion = tenantdata_service.get_deletion(ctx)
        if cancel:
            if deletion is None:
                raise OperatorError("no deletion is scheduled for this tenant")
            tenantdata_service.cancel(ctx)
            out.write(f"deletion of {tenant_id} cancelled\n")
            return 0
        if deletion is None:
            if tenant is None:
                raise OperatorError(f"no tenant {tenant_id}")
            purge_after = db.utcnow() + (timedelta(0) if now else timedelta(days=grace_days))
            deletion = tenantdata_service.schedule(ctx, purge_after=purge_after,
                                                   notify=None if now else _owner_email(ctx, tenant))
    if now:
        out.write(f"purged {purge.purge(tenant_id)} items of {tenant_id} (data key destroyed first)\n")
    else:
        out.write(f"{tenant_id} will be purged after {deletion.purge_after.isoformat()}\n")
    return 0


def _owner_email(ctx: TenantContext, tenant: Tenant) -> str | None:
    owner = identity_service.get_user(ctx, tenant.owner_id)
    return owner.email if owner is not None else None
