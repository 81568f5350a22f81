"""Records as flat export rows: lists of phones and e-mails joined, nested values as dotted columns."""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors, schema
from chalicelib.records.customfields import service as customfields_service

LEFT_OUT = frozenset({"version", "deleted_at", "custom", "team_id"})
LIST_FILTERS = frozenset({"q", "tag", "owner_id", "sort"})  # what a contact or company list takes besides custom.*


def list_query(model: type[Any], filters: dict[str, str], cursor: str | None, limit: int) -> Any:
    """An export's filters as the list query of its records (422 for a filter the list does not take)."""
    unknown = [name for name in filters if name not in LIST_FILTERS and not name.startswith("custom.")]
    if unknown:
        raise errors.ValidationError(details=[{"loc": ["filters", name], "msg": "Unknown filter",
                                               "type": "unknown_filter"} for name in unknown])
    return schema.validate(model, {**filters, "limit": limit, **({"cursor": cursor} if cursor else {})})


def _flat(prefix: str, value: Any, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(f"{prefix}.{key}", inner, row)
    else:
        row[prefix] = value


def flat_row(data: dict[str, Any], *, left_out: frozenset[str] = LEFT_OUT) -> dict[str, Any]:
    """A record's JSON view as columns; masked custom values are left out, never exported as a mask."""
    row: dict[str, Any] = {}
    for name, value in data.items():
        if name in left_out:
            continue
        if name == "phones":
            row[name] = [phone["number"] for phone in value]
        elif name == "emails":
            row[name] = [email["address"] for email in value]
        else:
            _flat(name, value, row)
    for key, value in (data.get("custom") or {}).items():
        if value != customfields_service.MASK:
            _flat(f"custom.{key}", value, row)
    return row
