"""Reverting a company's audited change through the companies service (``audit.register_reverter``).

A creation is reverted by moving the company to the trash, a deletion by restoring it, an edit by
writing the previous values through ``service.update``. A purged company is gone: 409 ``not_revertable``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.auditlog.reverting import expect, not_revertable, split_custom
from chalicelib.companies import service, trash
from chalicelib.companies.models import Company
from chalicelib.companies.schemas import CompanyUpdate
from chalicelib.core import audit, errors
from chalicelib.core.http import validate
from chalicelib.core.tenancy import TenantContext

UPDATABLE = frozenset(CompanyUpdate.model_fields) - {"custom", "version"}


def _existing(ctx: TenantContext, company_id: str, before: dict[str, Any] | None) -> Company:
    company = service.get_any(ctx, company_id)
    if company is not None:
        service.check_access(ctx, company, "update")
        return company
    if before is None:
        raise errors.NotFoundError("No such company.")
    raise not_revertable("This company was purged from the trash; there is nothing left to put back.")


def _put_trash_state(ctx: TenantContext, company: Company, deleted_at: Any) -> Company:
    if deleted_at is None and company.deleted_at is not None:
        return trash.restore(ctx, company.company_id)
    if deleted_at is not None and company.deleted_at is None:
        return trash.delete(ctx, company.company_id)
    return company


def _put_fields(ctx: TenantContext, company: Company, before: dict[str, Any]) -> None:
    fields, custom = split_custom(before)
    data = {name: value for name, value in fields.items() if name in UPDATABLE}
    if data.get("owner_id") is None:
        data.pop("owner_id", None)  # a record always keeps an owner
    if custom:
        data["custom"] = custom
    if data:
        service.update(ctx, company.company_id, data=validate(CompanyUpdate, {
            "version": int(company.version or 0), **data}))


def revert_company(ctx: TenantContext, company_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a company back as an audited change found it (trash, restore, edit)."""
    company = _existing(ctx, company_id, before)
    expect(int(company.version or 0), expected)
    if before is None:
        if company.deleted_at is not None:
            raise not_revertable("This company is already in the trash.")
        trash.delete(ctx, company_id)
        return
    if "deleted_at" in before:
        company = _put_trash_state(ctx, company, before["deleted_at"])
    rest = {name: value for name, value in before.items() if name not in ("deleted_at", "team_id")}
    if rest and company.deleted_at is not None:
        raise not_revertable("This company is in the trash; restore it before reverting its edits.")
    _put_fields(ctx, company, rest)


audit.register_reverter(service.AUDIT_ENTITY, revert_company)
