"""The bytes a tenant stores in S3, counted as files are written (never by listing a bucket), against ``storage_mb``.

Two kinds of file, counted two ways:

- **Kept** files stay until deleted (call recordings; messengers' attachments): their bytes are added to
  ``Usage.storage_bytes`` in the transaction that records the file on its record, so a file is counted exactly
  once, and a file someone of the company adds is refused (402 ``plan_limit_reached``) when it would take the
  tenant past its plan, under a condition on that same item (two uploads racing for the last megabytes cannot
  both commit).
- **Short-lived** files (an import's file, an export, a tenant archive) live in the export bucket, whose lifecycle
  deletes them 7 days after they are written: their bytes are added to the day's ``FilesOfDay`` item, and the
  tenant's storage counts the days the bucket still holds. Nothing has to subtract them when S3 expires them.

A provider's file (a recording, an attachment a customer sent) is never refused: losing it would lose what a
customer said. It is stored and counted, and the tenant then reads as over its limit (``over``) until it
deletes files or upgrades; the next file someone of the company adds is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.billing import catalog
from chalicelib.billing.models import FilesOfDay, Usage, files_key, usage_key
from chalicelib.billing.standing import Standing
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext

MB = 1024 * 1024
# The export bucket expires objects 7 days after their creation, rounded up to the next midnight UTC, so a
# file written today is gone on the 8th day at the latest: today and the 7 days before are counted.
SHORT_LIVED_DAYS = 8
KEPT_FOR = timedelta(days=SHORT_LIVED_DAYS + 1)  # a day's item outlives the files it counts (DynamoDB TTL)


@dataclass(frozen=True)
class Stored:
    """What a tenant stores now: kept files and short-lived ones, in bytes."""

    kept: int = 0
    short_lived: int = 0

    @property
    def total(self) -> int:
        """Every byte counted."""
        return self.kept + self.short_lived

    @property
    def megabytes(self) -> int:
        """The total in whole megabytes, rounded up (a byte stored shows)."""
        return -(-self.total // MB)


def _days() -> list[str]:
    today = db.utcnow().date()
    return [(today - timedelta(days=back)).strftime("%Y%m%d") for back in range(SHORT_LIVED_DAYS)]


def usage_and_stored(ctx: TenantContext) -> tuple[dict[str, int], Stored]:
    """The tenant's counters and stored bytes: one BatchGetItem of its usage item and its short-lived files' days."""
    counters, now_stored, _ = usage_stored_and(ctx, [])
    return counters, now_stored


def usage_stored_and(ctx: TenantContext, also: list[tuple[str, str]]
                     ) -> tuple[dict[str, int], Stored, dict[tuple[str, str], db.MainTable]]:
    """usage_and_stored, and the tenant's items of the keys ``also`` names read in the same BatchGetItem (a
    domain's own counter, such as the month's campaign messages), by key."""
    keys = [usage_key(ctx), *(files_key(ctx, day) for day in _days())]
    found = db.get_many(ctx, [*keys, *also], consistent=True)
    extra = {key: found[key] for key in also if key in found}
    found = {key: found[key] for key in keys if key in found}
    usage = found.get(keys[0])
    counters = {name: max(0, int(getattr(usage, name, 0) or 0)) for name in catalog.COUNTED}
    kept = int(getattr(usage, "storage_bytes", 0) or 0) if isinstance(usage, Usage) else 0
    short = sum(int(item.stored_bytes or 0) for item in found.values() if isinstance(item, FilesOfDay))
    return counters, Stored(kept=max(0, kept), short_lived=max(0, short)), extra


def stored(ctx: TenantContext) -> Stored:
    """The tenant's stored bytes (one BatchGetItem)."""
    return usage_and_stored(ctx)[1]


def ceiling(standing: Standing) -> int | None:
    """The plan's storage in bytes (None: unlimited)."""
    limit = standing.plan.limit("storage_mb")
    return None if limit is None else limit * MB


def over(standing: Standing, now_stored: Stored) -> bool:
    """True when the tenant stores more than its plan allows (a provider's file took it past, or a downgrade)."""
    allowed = ceiling(standing)
    return allowed is not None and now_stored.total > allowed


def count(ctx: TenantContext, standing: Standing | None, *, size: int, change: db.Change, kept: bool) -> None:
    """Add a file of size bytes to change. Given the tenant's standing, 402 ``plan_limit_reached`` when the file
    would take the tenant past its plan (nothing is written); without (None: a provider's file), it counts
    whatever the plan."""
    if size < 0:
        raise ValueError("a file's size cannot be negative")
    allowed = ceiling(standing) if standing is not None else None
    caps: dict[str, int] | None = None
    if standing is not None and allowed is not None:
        now_stored = stored(ctx)
        if now_stored.total + size > allowed:
            raise limit_error(standing, now_stored, size)
        caps = {"storage_bytes": allowed - now_stored.short_lived}
    if kept:
        refused = standing
        change.limit(Usage(*usage_key(ctx)), {"storage_bytes": size}, ceilings=caps,
                     refusal=(lambda: limit_error(refused, stored(ctx), size)) if refused is not None else None)
    else:
        day = db.utcnow().strftime("%Y%m%d")
        change.add(FilesOfDay(*files_key(ctx, day), expires_at=db.utcnow() + KEPT_FOR), stored_bytes=size)


def release(ctx: TenantContext, *, size: int, change: db.Change) -> None:
    """A kept file deleted: its bytes no longer count (added to change, unconditioned)."""
    change.limit(Usage(*usage_key(ctx)), {"storage_bytes": -abs(size)})


def limit_error(standing: Standing, now_stored: Stored, size: int) -> errors.CRMError:
    """The 402 for a file beyond the plan's storage: megabytes allowed and used, and the plan that has room."""
    upgrade = catalog.cheapest_within("storage_mb", -(-(now_stored.total + size) // MB))
    return errors.PlanLimitError(details=[{"limit": "storage_mb", "allowed": standing.plan.limit("storage_mb"),
                                           "used": now_stored.megabytes, "file_bytes": size,
                                           "plan": standing.plan.key,
                                           "upgrade_to": upgrade.key if upgrade else None}])
