"""Items of tenant exports and deletions.

Queued jobs carry a sparse gsi1 entry in a global queue partition (``G#jobs#export``,
``G#jobs#deletion``) that the scheduled job reads; the entry is removed when the job is done.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem


class TenantExport(VersionedItem, discriminator="tenant_export"):
    """An export of the whole tenant. pk ``T#<tid>#EXPORT``, sk ``<export id>``."""

    export_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | running | done | failed
    requested_by = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)
    counts = JSONAttribute(null=True)  # items exported per kind
    error = UnicodeAttribute(null=True)


class TenantDeletion(VersionedItem, discriminator="tenant_deletion"):
    """A scheduled deletion of the tenant. pk ``T#<tid>#TENANT``, sk ``DELETION``."""

    tenant_id = UnicodeAttribute()
    status = UnicodeAttribute(default="scheduled")  # scheduled | purging
    requested_by = UnicodeAttribute()
    purge_after = UTCDateTimeAttribute()
    cancel_digest = UnicodeAttribute(null=True)  # SHA-256 of the e-mailed cancellation token
    previous_status = UnicodeAttribute(null=True)  # what a cancellation restores (active, suspended)


class DeletionCancelToken(MainTable, discriminator="deletion_cancel"):
    """Global lookup of a cancellation link: pk ``G#deletion-cancel#<digest>``, sk ``TOKEN``."""

    tenant_id = UnicodeAttribute()


class DeletedTenant(MainTable, discriminator="deleted_tenant"):
    """What is left of a purged tenant: that it existed and when it went. pk ``G#deleted-tenant#<tid>``."""

    former_tenant_id = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    deleted_at = UTCDateTimeAttribute()
    purged_items = NumberAttribute()
