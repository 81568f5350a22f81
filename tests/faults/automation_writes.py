"""Requests that succeed on the automation routes (#19), for the fault walk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.faults.fresh import Call, Fresh

# A webhook's signing secret is sealed: the rule's write meets KMS. A rule that waits (an idle deal) made or switched
# on sets its sweep over the deals already there in the same transaction.
SHAPE: dict[str, Any] = {"name": "Faulty rule", "trigger": {"type": "deal.idle", "days": 7},
                         "actions": [{"type": "webhook", "url": "https://faulty.example.com/hook"}]}


def _rule(fresh: Fresh, **shape: Any) -> dict[str, Any]:
    return fresh.post("/api/v1/automations", {**SHAPE, **shape})


def _update(fresh: Fresh) -> Call:
    rule = _rule(fresh, enabled=False)
    return Call("PATCH", f"/api/v1/automations/{rule['id']}", fresh.owner, {"version": rule["version"],
                                                                            "enabled": True})


def _delete(fresh: Fresh) -> Call:
    return Call("DELETE", f"/api/v1/automations/{_rule(fresh)['id']}", fresh.owner)


AUTOMATION_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/automations": lambda fresh: Call("POST", "/api/v1/automations", fresh.owner, SHAPE),
    "PATCH /api/v1/automations/{automation_id}": _update,
    "DELETE /api/v1/automations/{automation_id}": _delete,
}
