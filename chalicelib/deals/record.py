"""The deal record type: what the engine needs to know of a deal (``records.types``).

Deals list themselves on their board and owner indexes and write their own way (the board's stage
totals, the stage history): their service keeps those steps, and the engine reaches a deal's purge
through the ``purge`` hook and its bulk actions through ``change_with`` and ``trash``. Search rows hold
only what finds a deal (its title's words, its tags, its custom select values), so they change with
those and not with every move on the board; the search answers the deals themselves
(``deals.service.search``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals.models import Deal, DealRow, owner_pk, trash_pk
from chalicelib.records import listing, matching, types


def facets(deal: Deal) -> listing.Facets:
    """A deal is found by the words of its title and filtered by its tags and custom select values."""
    return listing.Facets(
        record_id=deal.deal_id, owner_id=deal.owner_id, team_id=deal.team_id, tags=tuple(deal.tags or ()),
        custom=tuple((k, v) for k, v in deal.custom_indexed or []), tokens=tuple(matching.search_tokens(deal.title)),
        # rows change only with what finds the deal, so they sort by its creation, not its last change
        sort_name=matching.fold(deal.title), updated_at=deal.created_at.isoformat(),
        deleted_at=deal.deleted_at.isoformat() if deal.deleted_at else None,
    )


def row_values(deal: Deal) -> dict[str, Any]:
    """What a deal's search rows hold besides the common attributes."""
    return {"title": deal.title}


def owned(ctx: TenantContext, owner_id: str, cursor: dict[str, Any] | None, limit: int, *, team_id: str | None,
          trash: bool = False) -> tuple[list[str], dict[str, Any] | None]:
    """One page of the ids of an owner's live deals not in team_id from their owner index, or with ``trash`` of
    their deals in the trash (its index, filtered by owner): a team move's walk (``records.teams``)."""
    from chalicelib.records import teams

    condition = teams.not_in_team(Deal.team_id, team_id)
    with db.translate_errors():
        found = Deal.gsi2.query(trash_pk(ctx) if trash else owner_pk(ctx, owner_id), limit=limit, page_size=limit,
                                last_evaluated_key=cursor, attributes_to_get=["pk", "sk", "kind", "deal_id"],
                                filter_condition=condition & (Deal.owner_id == owner_id) if trash else condition)
        return [str(deal.deal_id) for deal in found if isinstance(deal, Deal)], found.last_evaluated_key


def _purge(ctx: TenantContext, deal: Deal) -> None:
    from chalicelib.deals import service

    service.purge_deal(ctx, deal)


def _change_with(ctx: TenantContext, deal_id: str, *, action: str, mutate: Any) -> Deal:
    from chalicelib.deals import service

    return service.change_with(ctx, deal_id, action=action, mutate=mutate)


def _follow_orders(ctx: TenantContext, change: db.Change, deal_id: str, *,
                   orders: list[tuple[str, str, int, int | None]], cause: str) -> None:
    from chalicelib.deals import amounts

    amounts.follow(ctx, change, deal_id, orders=[amounts.OrderAmount(*order) for order in orders], cause=cause)


def _trash(ctx: TenantContext, deal_id: str) -> Deal:
    from chalicelib.deals import service

    return service.delete(ctx, deal_id)


DEAL = types.register(types.RecordType(
    name="deal", plural="deals", prefix="D", model=Deal, id_attribute="deal_id", space="DX", row_model=DealRow,
    lists=("CF", "TAG", "TOKEN"), sorts=listing.PERSONAL_SORTS, link_kinds={"task": "TASK"},
    fields=(types.Field("title", search=True, personal=True, aliases=("deal", "name")),),
    audit_fields=("title", "pipeline_id", "stage_id", "status", "lost_reason", "amount_minor", "currency",
                  "amount_orders", "amount_other_orders",
                  "contact_ids", "company_id", "owner_id", "team_id", "expected_close_on", "tags", "custom",
                  "source", "utm", "deleted_at"),
    hooks={"purge": _purge, "facets": facets, "row_values": row_values, "owned": owned,
           "change_with": _change_with, "trash": _trash,
           "follow_orders": _follow_orders},
))
