"""The conditions a segment holds, and whether a contact's facts meet them (pure: no reads, no clock of its own).

A condition is one of a closed list (``TYPES``); a segment matches all of them or any. Conditions on time
("created in the last N days", "no activity for N days", "birthday this month", "bought X in the last N days", "no
purchase for N days") are read against ``now``: the feed evaluates them when a contact changes, and the daily
refresh (``segments.jobs``) when only time has passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

ANY_PRODUCT = "*"
# type -> what its value is: "text", "days", or None (no value)
TYPES: dict[str, str | None] = {
    "tag_has": "text", "tag_lacks": "text", "owner_is": "text", "source_is": "text", "custom_is": "text",
    "created_within_days": "days", "no_activity_days": "days", "birthday_this_month": None,
    "bought_within_days": "days", "no_purchase_days": "days",
}
TIMED = frozenset({"created_within_days", "no_activity_days", "birthday_this_month", "bought_within_days",
                   "no_purchase_days"})


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _birth_month(birthday: Any) -> int | None:
    text = str(birthday or "")
    parts = text.lstrip("-").split("-")
    try:
        return int(parts[-2]) if len(parts) >= 2 else None
    except ValueError:
        return None


def _bought(facts: Any, product_id: str | None, since: datetime) -> bool:
    purchases: Mapping[str, Any] = facts.purchases or {}
    moment = _when(purchases.get(product_id or ANY_PRODUCT))
    return moment is not None and moment >= since


def meets(condition: Mapping[str, Any], facts: Any, now: datetime) -> bool:
    """True when one condition holds for a contact's facts at ``now``."""
    kind, value = condition.get("type"), condition.get("value")
    days = timedelta(days=int(value)) if TYPES.get(str(kind)) == "days" and isinstance(value, int) else None
    if kind == "tag_has":
        return str(value).casefold() in {str(t).casefold() for t in facts.tags or []}
    if kind == "tag_lacks":
        return str(value).casefold() not in {str(t).casefold() for t in facts.tags or []}
    if kind == "owner_is":
        return facts.owner_id == value
    if kind == "source_is":
        return (facts.source or "manual") == value
    if kind == "custom_is":
        return str((facts.custom or {}).get(str(condition.get("key")), "")) == str(value)
    if kind == "created_within_days" and days is not None:
        created = _when(facts.contact_created_at)
        return created is not None and created >= now - days
    if kind == "no_activity_days" and days is not None:
        last = _when(facts.last_activity_at) or _when(facts.contact_created_at)
        return last is None or last < now - days
    if kind == "birthday_this_month":
        return _birth_month(facts.birthday) == now.month
    if kind == "bought_within_days" and days is not None:
        return _bought(facts, condition.get("product_id"), now - days)
    if kind == "no_purchase_days" and days is not None:
        last = _when(facts.last_purchase_at)
        return last is None or last < now - days
    return False


def matches(match: str, conditions: Sequence[Mapping[str, Any]], facts: Any, now: datetime) -> bool:
    """True when a live contact's facts meet a segment's conditions (all of them, or any)."""
    if getattr(facts, "deleted", False):
        return False
    results = (meets(condition, facts, now) for condition in conditions)
    if not conditions:
        return True  # no condition: every contact
    return any(results) if match == "any" else all(results)


def timed(conditions: Sequence[Mapping[str, Any]]) -> bool:
    """True when time alone may move a contact in or out (the daily refresh reads such segments)."""
    return any(condition.get("type") in TIMED for condition in conditions)
