"""Walking every tenant a page at a time through the tenants' index, for the hourly passes that go tenant by tenant
(the audit trail's retention, the calls given their unended timers) and save where they stand after each page."""

from __future__ import annotations

from typing import Any, TypeVar

from chalicelib.core import db, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity.models import Tenant

_State = TypeVar("_State", bound=db.MainTable)
STATE_SK = "STATE"

TENANTS_PK = tenancy.global_key("tenants", "all")
WORKING = ("active", "suspended")  # a tenant being deleted is purged whole: no pass works on it


def context(tenant_id: str) -> TenantContext:
    """The housekeeping job acting on one tenant's data."""
    return TenantContext(tenant_id=tenant_id, actor_id="housekeeping", actor_kind="system", role="system",
                         source="job")


def page_after(after: str | None, *, limit: int) -> tuple[list[Tenant], bool]:
    """One page of tenants after ``after`` (a tenant's index sort key; None: from the first), and whether more
    follow."""
    with db.translate_errors():
        page = Tenant.gsi1.query(TENANTS_PK, Tenant.gsi1sk > after if after else None, limit=limit)
        tenants = [found for found in page if isinstance(found, Tenant)]
        return tenants, page.last_evaluated_key is not None


def saved_state(model: type[_State], pk: str, **fresh: Any) -> _State:
    """Where a pass stands (its item at pk, read consistently), or a new state with the ``fresh`` values."""
    with db.translate_errors():
        try:
            return model.get(pk, STATE_SK, consistent_read=True)
        except model.DoesNotExist:
            return model(pk, STATE_SK, **fresh)
