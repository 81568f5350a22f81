"""Who is in which segment: the members and their counts, changed with a contact's facts in one transaction.

A contact's facts name the segments it is in. A change of facts computes the segments it meets now, and one
transaction saves the facts (version-checked), creates a member item per segment joined, deletes one per segment
left and adds +1 or -1 to each of those segments' counts. A redelivered event computes the same facts and writes
nothing; two writers of one contact's facts race on its version, and the loser reads again. So the members and
the counts stay exactly in step, whatever the feed repeats.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import datetime

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.identity import zones
from chalicelib.segments import conditions, facts
from chalicelib.segments.models import ContactFacts, Segment, SegmentCount, SegmentMember

KEPT_SECONDS = 5.0
ATTEMPTS = 4
_segments_read: dict[str, tuple[float, list[Segment]]] = {}


def segments_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's segments."""
    return tenant_key(ctx, "SEGMENT")


def counts_pk(ctx: TenantContext) -> str:
    """Partition of the segments' member counts."""
    return tenant_key(ctx, "SEGCOUNT")


def members_pk(ctx: TenantContext) -> str:
    """Partition of every segment's members (``<segment id>#<contact id>``)."""
    return tenant_key(ctx, "SEGMEMBER")


def member_sk(segment_id: str, contact_id: str) -> str:
    """Sort key of one member."""
    return f"{segment_id}#{contact_id}"


def segments_of(ctx: TenantContext, *, fresh: bool = False) -> list[Segment]:
    """Every segment of the tenant (one Query, remembered a few seconds per warm Lambda for the feed's batches)."""
    now = time.monotonic()
    kept = _segments_read.get(ctx.tenant_id)
    if kept is not None and kept[0] > now and not fresh:
        return kept[1]
    with db.translate_errors():
        found = [item for item in Segment.query(segments_pk(ctx)) if isinstance(item, Segment)]
    if len(_segments_read) > 1000:
        _segments_read.clear()
    _segments_read[ctx.tenant_id] = (now + KEPT_SECONDS, found)
    return found


def _forget(ctx: TenantContext, items: list[db.MainTable]) -> None:
    if any(isinstance(item, Segment) for item in items):
        _segments_read.pop(ctx.tenant_id, None)


db.on_commit(_forget)


def company_now(ctx: TenantContext, now: datetime) -> datetime:
    """The moment on the company's clock (its time zone): "birthday this month" is the company's month."""
    return now.astimezone(zones.company_zone(ctx))


def placed(ctx: TenantContext, after: ContactFacts, segments: list[Segment], now: datetime,
           only: set[str] | None = None) -> db.Change | None:
    """The change that puts a contact's facts and memberships right (None: nothing to write). ``only``: judge
    just these segments (a build), keeping the contact's place in the others as it is."""
    known = {segment.segment_id: segment for segment in segments}
    now = company_now(ctx, now)
    was = {sid for sid in after.segments or [] if sid in known}
    judged = {sid for sid in known if only is None or sid in only}
    now_in = {sid for sid in judged if conditions.matches(known[sid].match, known[sid].conditions or [], after, now)}
    now_in |= was - judged
    joins, leaves = now_in - was, was - now_in
    after.segments = sorted(now_in)
    change = db.Change().save(after)
    for sid in sorted(joins):
        change.create(SegmentMember(members_pk(ctx), member_sk(sid, after.contact_id), segment_id=sid,
                                    contact_id=after.contact_id, joined_at=now))
        change.add(SegmentCount(counts_pk(ctx), sid), members=1)
    for sid in sorted(leaves):
        change.delete(SegmentMember(members_pk(ctx), member_sk(sid, after.contact_id)))
        change.add(SegmentCount(counts_pk(ctx), sid), members=-1)
    return change


def update(ctx: TenantContext, contact_id: str, mutate: Callable[[ContactFacts], bool], *,
           now: datetime | None = None) -> bool:
    """Apply ``mutate`` to a contact's facts and put its memberships right, in one transaction, retried when
    another writer of the same facts won the race. ``mutate`` answers False when it changed nothing."""
    for attempt in range(ATTEMPTS):
        before = facts.get(ctx, contact_id)
        after = facts.new(ctx, contact_id) if before is None else copy.deepcopy(before)
        if not mutate(after):
            return False
        change = placed(ctx, after, segments_of(ctx), now or db.utcnow())
        if change is None or facts.same(before, after):
            return False
        try:
            db.commit(ctx, change)
            return True
        except errors.VersionConflictError:
            if attempt == ATTEMPTS - 1:
                raise
            _segments_read.pop(ctx.tenant_id, None)
    return False
