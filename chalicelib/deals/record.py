"""The deal record type: what the engine needs to know of a deal (``records.types``).

Deals list themselves on their board and owner indexes (no list rows) and write their own way (the
board's stage totals, the stage history): their service keeps those steps, and the engine reaches
a deal's purge through the ``purge`` hook.
"""

from __future__ import annotations

from chalicelib.core.tenancy import TenantContext
from chalicelib.deals.models import Deal
from chalicelib.records import types


def _purge(ctx: TenantContext, deal: Deal) -> None:
    from chalicelib.deals import service

    service.purge_deal(ctx, deal)


DEAL = types.register(types.RecordType(
    name="deal", plural="deals", prefix="D", model=Deal, id_attribute="deal_id",
    link_kinds={"task": "TASK"},
    fields=(types.Field("title", search=True, aliases=("deal", "name")),),
    audit_fields=("title", "pipeline_id", "stage_id", "status", "lost_reason", "amount_minor", "currency",
                  "contact_ids", "company_id", "owner_id", "team_id", "expected_close_on", "custom", "deleted_at"),
    hooks={"purge": _purge},
))
