"""Search tokens of custom values (a car's plate, its VIN) for records written before they were searched: once.

A record is found by the words of its custom text values (``records.customfields.words``); one written before has
no such tokens, so a car service that had typed its customers' plates found none of them by plate until each was
changed. The pass walks the tenants (``tenants.one_off``), each listed type's ``ALL`` rows 100 a Query, skipping a
type for which the tenant keeps no field of text (one Query of its definitions, cached per request), and otherwise
reads the page's records (one BatchGetItem) and puts a record's rows as its state gives them when its row lacks a
token of its custom values, only while the record is at the version read (``store.refresh_rows``). Where it stands
is ``models.TenantPass`` at ``STATE_PK``; once through, a tick reads it and nothing more. Nothing personal is logged.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.records import access, store, types
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.customfields import words as custom_words
from chalicelib.records.types import RecordType

STATE_PK = tenancy.global_key("housekeeping", "custom-words")
WORDED = frozenset({"text", "long_text", "select", "multiselect", "phone", "email", "url"})


def run(*, deadline: float) -> int:
    """Give every tenant's records written before custom values were searched the rows of their custom values'
    tokens, tenant by tenant until the deadline; how many records were refreshed (an outage: it resumes)."""
    return tenant_walk.one_off(STATE_PK, [rtype.name for rtype in tenant_walk.listed_types()], deadline=deadline,
                               paused="custom words pass paused", page=tenant_walk.record_rows, work=_refresh)


def _refresh(ctx: TenantContext, type_name: str, rows: list[Any]) -> int:
    rtype = types.get(type_name)
    if not any(d.field_type in WORDED for d in customfields_service.definitions(ctx, rtype.name)):
        return 0
    by_id = {str(row.record_id): row for row in rows}
    records = access.get_many(ctx, rtype, list(by_id))  # the page's records in one BatchGetItem
    return sum(1 for record in sorted(records, key=rtype.record_id)
               if _lacking(rtype, record, by_id[rtype.record_id(record)]) and store.refresh_rows(ctx, rtype, record))


def _lacking(rtype: RecordType, record: Any, row: Any) -> bool:
    """True when the record's custom values give a token its row does not hold."""
    own = custom_words.tokens(getattr(record, "custom", None), getattr(record, "custom_sensitive", None))
    return bool(set(own) - set((row.tokens or "").split()))
