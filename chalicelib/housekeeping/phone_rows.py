"""Search rows for a part of a phone number on the records written before them, once, from the hourly tick.

A record type with a phone lookup (contacts, companies) writes a search row per run of 4 digits of each of its
first phones and the phones' digits among its rows' sealed tokens (``records.matching.phone_tokens``), as every
write of it does now; a record written before has neither until it changes. Likewise a word, e-mail or web
address starting with 4 digits has a row in the bucket digits alone are searched by ("1520 Studio",
``records.listing.token_prefixes``), which records written before lack: the second walk (``STATE_PK``) gives them
theirs too. The pass walks the tenants (the tenants' index a page at a time, like ``migration.arm_calls``), each
type's ``ALL`` rows a page at a time (one Query, never a Scan), and for a row lacking its phone's tokens or such
a word's row reads the record and puts its rows as its state gives them, only while the record is at the
version read (``records.store.refresh_rows``: a record changed meanwhile got them from its own write). Where it
stands is saved after each page (``models.PhoneRowsPass``), so a run out of time carries on next hour; once
through, a tick reads its state and nothing more. Nothing personal is logged: counts only.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, tenancy
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.housekeeping.models import PhoneRowsPass
from chalicelib.records import listing, matching
from chalicelib.records.types import RecordType

# The second walk: the first (``phone-rows``) gave phones their rows; this one also gives words starting with 4
# digits theirs, and finds nothing to write for a record the first refreshed unless it has such a word.
STATE_PK = tenancy.global_key("housekeeping", "phone-rows-2")
STATE_SK = tenant_walk.STATE_SK


def phone_types() -> list[RecordType]:
    """The record types found by a part of a phone: those with a phone lookup and an ``ALL`` list."""
    return [rtype for rtype in tenant_walk.listed_types() if any(field.lookup == "phone" for field in rtype.fields)]


def _unfound(ctx: TenantContext, rtype: RecordType, row: Any) -> bool:
    """True for a row whose phone's tokens are not among its own (written before phones had them), or whose word
    starting with 4 digits has no row in their bucket (written before words had one there: a GetItem each, for
    the few records with such a word)."""
    tokens = (row.tokens or "").split()
    phone = getattr(row, "phone", None)
    if set(matching.phone_tokens([phone]) if phone else []) - set(tokens):
        return True
    starts = sorted({start for token in tokens if not token.startswith(matching.PHONE_MARK)
                     and (start := matching.digit_start(token)) is not None})
    pk = tenant_key(ctx, rtype.space or "", "TOKEN")
    return any(db.get(ctx, rtype.rows, pk, f"{listing.token_bucket(ctx, start)}#{row.record_id}") is None
               for start in starts)


def run(*, deadline: float) -> int:
    """Give the records written before their phones' search rows those rows, tenant by tenant until the deadline;
    how many records were refreshed (an outage: what was refreshed stays, the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, [rtype.name for rtype in phone_types()], deadline=deadline,
                               paused="phone rows pass paused", page=tenant_walk.record_rows, model=PhoneRowsPass,
                               work=lambda ctx, name, rows: tenant_walk.refresh_records(
                                   ctx, name, rows, lambda rtype, row: _unfound(ctx, rtype, row)))
