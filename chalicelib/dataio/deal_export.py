"""Deals as flat export rows, read through the deals domain's lists.

The deals list is one Query per owner (gsi2) or per pipeline (gsi1). An export of every deal the
caller sees walks the pipelines one after another: its cursor is ``<pipeline number>|<list cursor>``.
Agents (scope own) and an owner filter read the owner's list, which spans every pipeline.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors, permissions, schema
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio.record_rows import flat_row
from chalicelib.records.money import CURRENCIES

FILTERS = frozenset({"pipeline_id", "stage_id", "owner_id", "status"})


def _query(filters: dict[str, str], cursor: str | None, limit: int, **extra: str) -> Any:
    from chalicelib.deals.schemas import DealListQuery

    unknown = [name for name in filters if name not in FILTERS]
    if unknown:
        raise errors.ValidationError(details=[{"loc": ["filters", name], "msg": "Unknown filter",
                                               "type": "unknown_filter"} for name in unknown])
    page = {"limit": limit, **({"cursor": cursor} if cursor else {})}
    return schema.validate(DealListQuery, {**filters, **extra, **page})


def check_filters(filters: dict[str, str]) -> None:
    """422 for filters the deals list does not understand (checked when the export is asked for)."""
    _query(filters, None, 1)


def amount_text(minor: int, currency: str) -> str:
    """Minor units as a plain decimal ("1234.50"), which every spreadsheet reads as a number."""
    digits = CURRENCIES.get(currency, 2)
    if digits == 0:
        return str(minor)
    return f"{minor // 10**digits}.{minor % 10**digits:0{digits}d}"


def deal_row(ctx: TenantContext, deal: Any, names: dict[str, str]) -> dict[str, Any]:
    """One deal as columns: its pipeline and stage by name, its amount as a number and a currency."""
    from chalicelib.deals import records

    data = records.deal_read(ctx, deal).model_dump(mode="json")
    amount = data.pop("amount")
    row = {"id": data.pop("id"), "title": data.pop("title"), "pipeline": names.get(deal.pipeline_id),
           "stage": names.get(f"{deal.pipeline_id}:{deal.stage_id}"),
           "amount": amount_text(int(amount["minor"]), amount["currency"]), "currency": amount["currency"]}
    return {**row, **flat_row(data)}


def _names(ctx: TenantContext) -> dict[str, str]:
    from chalicelib.deals import pipelines

    names: dict[str, str] = {}
    for pipeline in pipelines.list_pipelines(ctx):
        names[pipeline.pipeline_id] = pipeline.name
        names.update({f"{pipeline.pipeline_id}:{stage.stage_id}": stage.name for stage in pipeline.stages})
    return names


def _pipeline_ids(ctx: TenantContext) -> list[str]:
    from chalicelib.deals import pipelines

    return sorted(pipeline.pipeline_id for pipeline in pipelines.list_pipelines(ctx))


def _walk(ctx: TenantContext, filters: dict[str, str], cursor: str | None, limit: int) -> tuple[Any, str | None]:
    """The next page of the pipeline walk and the walk's next cursor."""
    from chalicelib.deals import service as deals_service

    number, _, inner = (cursor or "0|").partition("|")
    ids = _pipeline_ids(ctx)
    if not number.isdigit() or int(number) >= len(ids):
        raise errors.InvalidCursorError()
    position = int(number)
    listed = deals_service.list_deals(ctx, query=_query(filters, inner or None, limit, pipeline_id=ids[position]))
    if listed.next_cursor:
        return listed, f"{position}|{listed.next_cursor}"
    return listed, f"{position + 1}|" if position + 1 < len(ids) else None


def page(ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None,
         limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """One page of deals the caller may export, as rows, and the cursor of the next page."""
    from chalicelib.deals import service as deals_service

    if scope == "own" or filters.get("owner_id") or filters.get("pipeline_id"):
        listed = deals_service.list_deals(ctx, query=_query(filters, cursor, limit))
        next_cursor = listed.next_cursor
    else:
        listed, next_cursor = _walk(ctx, filters, cursor, limit)
    names = _names(ctx) if listed.items else {}
    rows = [deal_row(ctx, deal, names) for deal in listed.items
            if permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id)]
    return rows, next_cursor
