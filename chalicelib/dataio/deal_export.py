"""Deals as flat export rows, read through the deals domain's lists.

The deals list is one Query per owner (gsi2) or per pipeline (gsi1). An export of every deal the
caller sees walks the pipelines one after another: its cursor is ``<pipeline number>|<list cursor>``.
Agents (scope own) and an owner filter read the owner's list, which spans every pipeline.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors, permissions, schema
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import export_names
from chalicelib.dataio.export_columns import amount_text, custom_cells, moment
from chalicelib.dataio.export_names import Naming

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


def deal_row(ctx: TenantContext, deal: Any, stages: dict[str, str], names: Naming) -> dict[str, Any]:
    """One deal as columns: pipeline and stage, contacts, company and owner by name, its amount as a number and a
    currency (``export_columns``)."""
    from chalicelib.deals import records

    data = records.deal_read(ctx, deal).model_dump(mode="json")
    amount = data.get("amount") or {}
    row = {"id": data["id"], "title": data.get("title"), "pipeline": stages.get(deal.pipeline_id),
           "stage": stages.get(f"{deal.pipeline_id}:{deal.stage_id}"), "status": data.get("status"),
           "amount": amount_text(int(amount["minor"]), amount["currency"]) if amount else None,
           "currency": amount.get("currency"),
           "contact_ids": [names.contacts.get(contact_id, contact_id) for contact_id in data.get("contact_ids") or []],
           "company_id": names.record("company", data.get("company_id")), "tags": data.get("tags") or [],
           "owner_id": names.user(data.get("owner_id")),
           "expected_close_on": data.get("expected_close_on"), "lost_reason": data.get("lost_reason"),
           **{name: moment(data.get(name), names.zone) for name in ("created_at", "updated_at", "closed_at")}}
    return {**row, **custom_cells(data.get("custom"), names.definitions, names.locale)}


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
    deals = [deal for deal in listed.items
             if permissions.may_touch(ctx, scope, owner_id=deal.owner_id, team_id=deal.team_id)]
    stages = _names(ctx) if deals else {}
    names = export_names.naming(ctx, "deal", owners=[deal.owner_id for deal in deals],
                                records=[("company", deal.company_id) for deal in deals if deal.company_id],
                                contacts=[contact_id for deal in deals for contact_id in deal.contact_ids or []])
    return [deal_row(ctx, deal, stages, names) for deal in deals], next_cursor
