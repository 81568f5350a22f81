"""Reverting a company's audited change through the companies service (``audit.register_reverter``).

A creation is reverted by moving the company to the trash, a deletion by restoring it, an edit by
writing the previous values through ``service.update``. A purged company is gone: 409 ``not_revertable``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.companies.models import Company
from chalicelib.companies.record import COMPANY
from chalicelib.companies.schemas import CompanyUpdate
from chalicelib.core import audit
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, trash
from chalicelib.records import service as records_service
from chalicelib.records.reverting import Trash, edited_values, start_trash_revert

UPDATABLE = frozenset(CompanyUpdate.model_fields) - {"custom", "version"}


def _find(ctx: TenantContext, company_id: str) -> Company | None:
    company: Company | None = access.get_any(ctx, COMPANY, company_id)
    if company is not None:
        access.check_access(ctx, COMPANY, company, "update")
    return company


TRASH: Trash[Company] = Trash("company", find=_find, delete=lambda ctx, i: trash.delete(ctx, COMPANY, i),
                              restore=lambda ctx, i: trash.restore(ctx, COMPANY, i))


def revert_company(ctx: TenantContext, company_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a company back as an audited change found it (trash, restore, edit)."""
    started = start_trash_revert(ctx, TRASH, company_id, before, expected)
    if started is None:
        return
    company, rest = started
    data = edited_values(rest, UPDATABLE)
    if data:
        records_service.update(ctx, COMPANY, company_id,
                               data=validate(CompanyUpdate, {"version": int(company.version or 0), **data}))


audit.register_reverter(COMPANY.name, revert_company)
