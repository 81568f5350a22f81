"""Audit retention: a tenant's audit records older than its plan's ``audit_retention_days`` expire, provably.

Once a day the scheduled housekeeping walks every tenant (the tenants' index, ``G#tenants#all``, in pages,
resuming after the last tenant finished: ``RetentionPass``), reads the plan in force (an enterprise plan keeps
7 years, free 30 days) and reads the tenant's audit feed oldest first, a page at a time, up to the window's
start. For each entity named there it removes the oldest records of its chain, a contiguous run from the
chain's start, in the transaction that moves the chain's signed anchor to the last record removed
(``core.audit_anchors``): the kept records verify from the anchor, and the entity's stored head still names
the newest record. A chain that does not verify is never re-anchored (that would launder a tampering): its
records stay, for verification to report. Clear-text reads of sensitive values (not chained) expire with the
same window. Every step is idempotent: a run that stops anywhere leaves chains verifiable, and the next run
carries on where the records still are.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Any

from chalicelib.core import audit, audit_anchors, db, errors, tenancy
from chalicelib.core.audit import AuditRecord, SensitiveRead
from chalicelib.core.audit_anchors import AuditAnchor
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.housekeeping.models import RetentionPass
from chalicelib.identity import plans
from chalicelib.identity.models import Tenant

STATE_PK = tenancy.global_key("housekeeping", "audit-retention")
STATE_SK = tenant_walk.STATE_SK
TENANT_PAGE = 25
FEED_PAGE = 100
BATCH = 99  # records removed per transaction: DynamoDB takes 100 writes, and the anchor is one


def expire_due(*, now: datetime | None = None, seconds: float = 60.0) -> dict[str, int]:
    """Run (or carry on) today's pass over every tenant until shortly before the deadline; what it removed."""
    now = now or db.utcnow()
    deadline = time.monotonic() + seconds
    counts = {"tenants": 0, "removed": 0, "reads_removed": 0, "kept_broken": 0}
    try:
        state = _state(now)
        while not state.done and time.monotonic() < deadline:
            tenants, more = tenant_walk.page_after(state.after, limit=TENANT_PAGE)
            for tenant in tenants:
                if not expire_tenant(tenant, now=now, deadline=deadline, counts=counts):
                    _save(state)  # out of time inside this tenant: the next run redoes it, idempotently
                    return counts
                state.after = tenant.gsi1sk
                counts["tenants"] += 1
            state.done = not more
            _save(state)
    except errors.CRMError:  # an outage: the pass stays where its state says, for the next run
        logger.warning("audit retention paused", exc_info=True)
    return counts


def _state(now: datetime) -> RetentionPass:
    today = now.date().isoformat()
    found = tenant_walk.saved_state(RetentionPass, STATE_PK, day=today, after=None, done=False)
    return found if found.day == today else RetentionPass(STATE_PK, STATE_SK, day=today, after=None,
                                                          done=False)


def _save(state: RetentionPass) -> None:
    with db.translate_errors():
        state.save()


def expire_tenant(tenant: Tenant, *, now: datetime, deadline: float, counts: dict[str, int]) -> bool:
    """Expire one tenant's records older than its plan's window; False when the time ran out first."""
    if tenant.status not in tenant_walk.WORKING:
        return True
    days = plans.standing_of(tenant).plan.limit("audit_retention_days")
    if days is None:
        return True
    ctx = tenant_walk.context(tenant.tenant_id)
    cutoff = now - timedelta(days=int(days))
    with tenancy.bind(ctx):
        try:
            counts["reads_removed"] += _expire_reads(ctx, cutoff)
            return _expire_feed(ctx, cutoff, deadline, counts)
        except errors.CRMError:  # an outage: this tenant waits for the next run
            logger.warning("audit retention stopped for a tenant", exc_info=True)
            return True


def _expire_feed(ctx: TenantContext, cutoff: datetime, deadline: float, counts: dict[str, int]) -> bool:
    cursor: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        with db.translate_errors():
            page = AuditRecord.gsi1.query(audit.tenant_feed_key(ctx), AuditRecord.gsi1sk < cutoff.isoformat(),
                                          limit=FEED_PAGE, last_evaluated_key=cursor)
            named = dict.fromkeys((record.entity, record.entity_id) for record in page
                                  if isinstance(record, AuditRecord))
            cursor = page.last_evaluated_key
        for entity, entity_id in named:
            removed = expire_chain(ctx, entity=entity, entity_id=entity_id, cutoff=cutoff)
            counts["removed"] += max(removed, 0)
            counts["kept_broken"] += 1 if removed < 0 else 0
        if cursor is None:
            return True
    return False


def expire_chain(ctx: TenantContext, *, entity: str, entity_id: str, cutoff: datetime) -> int:
    """Remove an entity's records older than cutoff from the start of its chain, re-anchoring it; how many
    (-1: the chain does not verify, and nothing of it is removed)."""
    pk = audit.entity_key(ctx, entity, entity_id)
    records = sorted(audit.chain_records(ctx, entity, entity_id), key=lambda record: int(record.seq))
    anchor = audit_anchors.get(ctx, pk)
    old = list(takewhile(lambda record: record.at < cutoff, records))
    if not old:
        return 0
    if audit.verify_chain(old, anchor) is not None:
        logger.warning("audit chain does not verify: its records are kept", extra={"entity": entity})
        return -1
    removed = 0
    for start in range(0, len(old), BATCH):
        batch = old[start:start + BATCH]
        moved = _moved(ctx, anchor, pk, entity=entity, entity_id=entity_id, last=batch[-1], count=len(batch),
                       cutoff=cutoff)
        change = db.Change().save(moved)
        for record in batch:
            change.delete(record)
        try:
            db.commit(ctx, change)
        except errors.VersionConflictError:  # another run moved the anchor meanwhile: it carries on
            return removed
        removed += len(batch)
        anchor = audit_anchors.get(ctx, pk)
    return removed


def _moved(ctx: TenantContext, anchor: AuditAnchor | None, pk: str, *, entity: str, entity_id: str,
           last: AuditRecord, count: int, cutoff: datetime) -> AuditAnchor:
    """The anchor after removing records up to last (a new one for a chain cut the first time)."""
    if anchor is None:
        anchor = AuditAnchor(pk, audit_anchors.ANCHOR_SK, entity=entity, entity_id=entity_id, removed=0,
                             gsi1pk=audit_anchors.feed_key(ctx),
                             gsi1sk=f"{entity}#{entity_id}")
    anchor.seq, anchor.hash = int(last.seq), last.hash
    anchor.removed = int(anchor.removed or 0) + count
    anchor.expired_before = cutoff
    anchor.item_pk, anchor.item_sk = last.item_pk, last.item_sk
    return audit_anchors.sign(anchor)


def _expire_reads(ctx: TenantContext, cutoff: datetime) -> int:
    """Remove the tenant's clear-text reads of sensitive values older than cutoff (not chained: deleted)."""
    removed = 0
    with db.translate_errors():
        old = [read for read in SensitiveRead.gsi1.query(audit.reads_feed_key(ctx),
                                                          SensitiveRead.gsi1sk < cutoff.isoformat())
               if isinstance(read, SensitiveRead)]
        with SensitiveRead.batch_write() as batch:
            for read in old:
                batch.delete(read)
                removed += 1
    return removed
