"""The erasure record: pk ``T#<tid>#ERASURE``, sk ``<erasure id>``, audited as entity ``erasure``.

It says that a person's data was erased, by whom and when (its audit record), which contact id it was, and how
many items of each kind went and stayed (and why they stayed). It holds no personal data: counts, ids, reasons.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key


class Erasure(VersionedItem, discriminator="erasure"):
    """One erasure of one contact's data on request."""

    erasure_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    removed = JSONAttribute(default=dict)  # what went: {what: count}
    kept = JSONAttribute(default=list)  # what stayed: [{"what", "count", "why"}]


def erasures_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's erasure records."""
    return tenant_key(ctx, "ERASURE")
