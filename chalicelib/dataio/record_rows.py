"""What every record export shares: the keys left out of its rows, and its filters as the list query of its records
(the rows themselves: ``export_columns``)."""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors, schema

LEFT_OUT = frozenset({"version", "deleted_at", "custom", "team_id"})
LIST_FILTERS = frozenset({"q", "tag", "owner_id", "sort"})  # what a contact or company list takes besides custom.*


def list_query(model: type[Any], filters: dict[str, str], cursor: str | None, limit: int) -> Any:
    """An export's filters as the list query of its records (422 for a filter the list does not take)."""
    unknown = [name for name in filters if name not in LIST_FILTERS and not name.startswith("custom.")]
    if unknown:
        raise errors.ValidationError(details=[{"loc": ["filters", name], "msg": "Unknown filter",
                                               "type": "unknown_filter"} for name in unknown])
    return schema.validate(model, {**filters, "limit": limit, **({"cursor": cursor} if cursor else {})})
