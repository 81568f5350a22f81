"""Notifications of tenant A for the cross-tenant matrix (made as the feed makes them)."""

from __future__ import annotations

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.notifications import service
from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A deal assigned to the owner, and its notification; return ids by path parameter and secrets."""
    deal = body(client.post("/api/v1/deals", {"title": "Alpha assigned deal"}, token=company.owner.token))
    ctx = TenantContext(tenant_id=company.tenant_id, actor_id="events", actor_kind="system", source="job")
    with bind(ctx):
        item = service.notify(ctx, user_id=company.owner.user_id, type="deal.assigned", cause="seed", at=db.utcnow(),
                              subject_type="deal", subject_id=deal["id"], title="Alpha secret notification")
    assert item is not None
    return {"notification_id": item.notification_id}, [item.notification_id, "Alpha secret notification"]
