"""Requests that succeed on the segment and campaign routes (#24), for the fault walk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.tenancy import TenantContext, bind
from tests.faults.fresh import Call, Fresh

SEGMENT: dict[str, Any] = {"name": "Faulty segment", "conditions": [{"type": "tag_has", "value": "faulty"}]}
CAMPAIGN: dict[str, Any] = {"name": "Faulty campaign", "channel": "email", "subject": "Faulty {first_name}",
                            "body": "Faulty offer https://faulty.example/offer"}


def _segment(fresh: Fresh, *, built: bool = False) -> dict[str, Any]:
    made = fresh.post("/api/v1/segments", SEGMENT)
    if built:
        from chalicelib.segments import jobs

        ctx = TenantContext(tenant_id=fresh.world.a.tenant_id)
        with bind(ctx):
            jobs.build(ctx, made["id"])
        made = fresh.get(f"/api/v1/segments/{made['id']}")
    return made


def _campaign(fresh: Fresh, *, tested: bool = False) -> dict[str, Any]:
    made = fresh.post("/api/v1/campaigns", {**CAMPAIGN, "segment_id": _segment(fresh, built=True)["id"]})
    if tested:
        fresh.post(f"/api/v1/campaigns/{made['id']}/test", {})
        made = fresh.get(f"/api/v1/campaigns/{made['id']}")
    return made


def _sending(fresh: Fresh) -> dict[str, Any]:
    made = _campaign(fresh, tested=True)
    return fresh.post(f"/api/v1/campaigns/{made['id']}/send", {"version": made["version"]})


def _on(make: Callable[[Fresh], dict[str, Any]], method: str, suffix: str = "",
        **payload: Any) -> Callable[[Fresh], Call]:
    def build(fresh: Fresh) -> Call:
        made = make(fresh)
        kind = "segments" if made.get("conditions") is not None else "campaigns"
        with_version = {"version": made["version"], **payload} if method != "DELETE" else None
        return Call(method, f"/api/v1/{kind}/{made['id']}{suffix}", fresh.owner, with_version)
    return build


def _test_send(fresh: Fresh) -> Call:
    return Call("POST", f"/api/v1/campaigns/{_campaign(fresh)['id']}/test", fresh.owner, {})


def _consent(fresh: Fresh) -> Call:
    return Call("PUT", f"/api/v1/contacts/{fresh.contact()['id']}/consent", fresh.owner, {"email": "granted"})


CAMPAIGN_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/segments": lambda fresh: Call("POST", "/api/v1/segments", fresh.owner, SEGMENT),
    "PATCH /api/v1/segments/{segment_id}": _on(_segment, "PATCH", name="Renamed segment",
                                               conditions=[{"type": "tag_has", "value": "other"}]),
    "DELETE /api/v1/segments/{segment_id}": _on(_segment, "DELETE"),
    "POST /api/v1/campaigns": lambda fresh: Call("POST", "/api/v1/campaigns", fresh.owner, CAMPAIGN),
    "PATCH /api/v1/campaigns/{campaign_id}": _on(_campaign, "PATCH", body="Changed offer"),
    "DELETE /api/v1/campaigns/{campaign_id}": _on(_campaign, "DELETE"),
    "POST /api/v1/campaigns/{campaign_id}/test": _test_send,
    "POST /api/v1/campaigns/{campaign_id}/send": lambda fresh: _on(
        lambda f: _campaign(f, tested=True), "POST", "/send")(fresh),
    "POST /api/v1/campaigns/{campaign_id}/cancel": _on(_sending, "POST", "/cancel"),
    "PUT /api/v1/contacts/{contact_id}/consent": _consent,
}
