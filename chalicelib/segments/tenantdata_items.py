"""The segments' items declared to the tenant export and purge (``tenantdata.registry``).

Exported: the segments (what they select). Purged but not exported: their members, counts and the contacts' facts,
which are derived from the contacts and rebuilt in the importing company (an imported segment arrives building).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.segments import facts, membership
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import RawItem


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [membership.segments_pk(ctx), membership.counts_pk(ctx), membership.members_pk(ctx), facts.facts_pk(ctx)]


def _building(item: RawItem, now: str) -> RawItem:
    return {key: value for key, value in {**item, "status": {"S": "building"}}.items() if key != "build_cursor"}


def register() -> None:
    """Declare the partitions and what stays out of an export."""
    registry.register_partitions("segments", _partitions)
    registry.register_on_import("segment", _building)
    for kind, reason in (("segment_count", "counted again by the importing company's build"),
                         ("segment_member", "placed again by the importing company's build"),
                         ("segment_contact_facts", "derived from the contacts, made again from them")):
        registry.exclude_from_export(kind, reason=reason)


register()
