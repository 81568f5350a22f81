"""Items of a person's data: her erasure record, its pointer while it runs, and the export jobs of her data.

The erasure record: pk ``T#<tid>#ERASURE``, sk ``<erasure id>``, audited as entity ``erasure``. It says that a
person's data was erased, by whom and when (its audit record), which contact id it was, and how many items of each
kind went and stayed (and why they stayed). It holds no personal data: counts, ids, reasons. While the erasure runs
(slice after slice, ``personaldata.slices``) it carries its phase and its lease, and a pointer
(sk ``RUNNING#<contact id>``) lets a second request for her find it; the pointer goes with her last slice.

An export of her data too large for one answer is a job: pk ``T#<tid>#PDEXPORT``, sk ``<contact id>#<export id>``
(her jobs are one Query), audited as entity ``personal_data_export``. Its file is in the export bucket under the
tenant's prefix; the job holds ids, counts and times only.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key


class Erasure(VersionedItem, discriminator="erasure"):
    """One erasure of one contact's data on request."""

    erasure_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    removed = JSONAttribute(default=dict)  # what went: {what: count}
    kept = JSONAttribute(default=list)  # what stayed: [{"what", "count", "why"}]
    # while it runs (an erasure written before slices were cut has none of these: it is done)
    status = UnicodeAttribute(default="done")  # running | done
    phase = UnicodeAttribute(null=True)  # around | records | contact (``slices.PHASES``)
    slices = NumberAttribute(default=0)  # slices run so far: a queued message names the one it starts
    twin_ids = JSONAttribute(default=list)  # her merged duplicates' ids, purged with her
    pending = JSONAttribute(null=True)  # [type, id, count] of the record being purged: settled by the next slice
    settled = JSONAttribute(default=list)  # the contacts (her duplicates, she) purged and counted
    kept_counts = JSONAttribute(default=dict)  # what stayed so far: {what: count}
    lease_until = UTCDateTimeAttribute(null=True)  # a slice is running until then
    finished_at = UTCDateTimeAttribute(null=True)


class RunningErasure(MainTable, discriminator="erasure_running"):
    """The pointer from a contact to her erasure while it runs: sk ``RUNNING#<contact id>``."""

    erasure_id = UnicodeAttribute()


class PersonalDataExport(VersionedItem, discriminator="personal_data_export"):
    """An export of one person's data written to a file by a job (too large for one answer)."""

    export_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    requested_by = UnicodeAttribute()  # the administrator who asked: the only one given its link
    status = UnicodeAttribute(default="queued")  # queued | running | done | failed | expired
    object_key = UnicodeAttribute(null=True)
    size = NumberAttribute(default=0)  # bytes of the file
    items = NumberAttribute(default=0)  # items of her footprint it holds
    lease_until = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)  # when its file is deleted
    failure = UnicodeAttribute(null=True)


def erasures_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's erasure records."""
    return tenant_key(ctx, "ERASURE")


def running_sk(contact_id: str) -> str:
    """Sort key of the pointer to a contact's running erasure."""
    return f"RUNNING#{contact_id}"


def exports_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's exports of a person's data."""
    return tenant_key(ctx, "PDEXPORT")


def export_sk(contact_id: str, export_id: str) -> str:
    """Sort key of an export of a person's data: hers first, so her exports are one Query."""
    return f"{contact_id}#{export_id}"
