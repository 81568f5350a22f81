"""Requests that succeed on the notification routes (#19), for the fault walk: the owner of tenant A with a
notification of its own (made as the feed makes them)."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.notifications import service
from tests.faults.fresh import Call, Fresh


def _notification(fresh: Fresh) -> str:
    world = fresh.world.a
    ctx = TenantContext(tenant_id=world.tenant_id, actor_id="events", actor_kind="system", source="job")
    with bind(ctx):
        item = service.notify(ctx, user_id=world.owner.user_id, type="deal.assigned", cause=new_id(), at=db.utcnow(),
                              title="Faulty notification")
    assert item is not None
    return item.notification_id


def _read(fresh: Fresh) -> Call:
    return Call("POST", f"/api/v1/notifications/{_notification(fresh)}/read", fresh.owner)


def _read_all(fresh: Fresh) -> Call:
    _notification(fresh)
    return Call("POST", "/api/v1/notifications/read-all", fresh.owner)


def _settings(fresh: Fresh) -> Call:
    version = fresh.get("/api/v1/notifications/settings")["version"]
    email = "immediate" if fresh.get("/api/v1/notifications/settings")["email"] != "immediate" else "digest"
    return Call("PATCH", "/api/v1/notifications/settings", fresh.owner, {"version": version, "email": email})


NOTIFICATION_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/notifications/{notification_id}/read": _read,
    "POST /api/v1/notifications/read-all": _read_all,
    "PATCH /api/v1/notifications/settings": _settings,
}
