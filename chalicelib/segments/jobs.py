"""The segments' jobs, on the due-time primitive (#19): a segment's build, and the daily refresh.

- ``segment.build`` (ref: the segment id), set when a segment is made or its conditions change: walks the
  tenant's contacts through their ``ALL`` list rows (one Query a page, never a Scan), reads their facts in one
  BatchGetItem (and, for contacts older than segments, the contacts in another, to fill their facts), and puts
  each contact's place in this segment right (one transaction per contact whose place changes). The walk's cursor
  is kept on the segment after each page, so a build that runs out of time goes on from there at the next run.
- ``segment.refresh`` (ref ``daily``), set while the tenant has a segment whose conditions read the clock
  ("created in the last N days", "no activity for N days", "birthday this month", purchases): once a day, just
  after the company's midnight (its time zone, DST included), walks the facts partition and moves who time alone
  moved in or out, so a new month's birthdays are in on the company's first of the month.

Both cost reads in proportion to the tenant's contacts, once per build or day, and a transaction per contact that
moves: ``bench/segments.py`` has the figures.
"""

from __future__ import annotations

import json
import time as clock
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from chalicelib.core import db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.identity import zones
from chalicelib.segments import conditions, facts, membership
from chalicelib.segments.models import ContactFacts, Segment

PAGE = 100
SECONDS = 40.0
BUILD, REFRESH, PURGE = "segment.build", "segment.refresh", "segment.purge"
REFRESH_AFTER_MIDNIGHT = timedelta(minutes=5)  # on the company's clock: its new day (and month) has begun


def _contact_keys(ctx: TenantContext, ids: list[str]) -> list[tuple[str, str]]:
    return [(tenant_key(ctx, "C", contact_id), "#PROFILE") for contact_id in ids]


def _rows(ctx: TenantContext, start: dict[str, Any] | None) -> tuple[list[str], dict[str, Any] | None]:
    from chalicelib.contacts.models import ContactRow

    with db.translate_errors():
        found = ContactRow.query(tenant_key(ctx, "CX", "ALL"), limit=PAGE, page_size=PAGE, last_evaluated_key=start,
                                 attributes_to_get=["pk", "sk", "kind"])
        ids = [str(row.sk) for row in found]
        return ids, found.last_evaluated_key


def facts_of(ctx: TenantContext, contact_ids: list[str]) -> dict[str, ContactFacts]:
    """The facts of these contacts, those missing filled from the contacts themselves (not yet saved)."""
    found = db.get_many(ctx, [(facts.facts_pk(ctx), cid) for cid in contact_ids]) if contact_ids else {}
    known = {item.sk: item for item in found.values() if isinstance(item, ContactFacts)}
    missing = [cid for cid in contact_ids if cid not in known]
    for batch in db.each_in_batches(missing, 100):
        for contact in db.get_many(ctx, _contact_keys(ctx, list(batch))).values():
            contact_id = getattr(contact, "contact_id", None)
            if contact_id:
                known[contact_id] = facts.of_contact(facts.new(ctx, contact_id), contact)
    return known


def place(ctx: TenantContext, found: ContactFacts, segments: list[Segment], now: datetime,
          only: set[str] | None) -> bool:
    """Write one contact's place in the segments judged (nothing when it is already right)."""
    before = set(found.segments or [])
    new = found.version is None
    change = membership.placed(ctx, found, segments, now, only=only)
    if change is None or (not new and set(found.segments or []) == before):
        return False
    try:
        db.commit(ctx, change)
    except errors.VersionConflictError:  # the feed moved this contact meanwhile: its own write placed it
        return False
    return True


def build(ctx: TenantContext, segment_id: str, *, seconds: float = SECONDS) -> bool:
    """Place every contact in or out of one segment, from the segment's cursor; True when the walk is done."""
    deadline = clock.monotonic() + seconds
    segment = db.get(ctx, Segment, membership.segments_pk(ctx), segment_id)
    if segment is None or segment.status == "ready":
        return True
    start = json.loads(segment.build_cursor) if segment.build_cursor else None
    segments, now = membership.segments_of(ctx, fresh=True), db.utcnow()
    while True:
        ids, start = _rows(ctx, start)
        for found in facts_of(ctx, ids).values():
            place(ctx, found, segments, now, {segment_id})
        segment = db.get(ctx, Segment, membership.segments_pk(ctx), segment_id)
        if segment is None:
            return True
        segment.build_cursor = json.dumps(start) if start else None
        if start is None:
            segment.status, segment.built_at = "ready", db.utcnow()
        db.put(ctx, segment)  # a change of conditions meanwhile wins (409): its own build starts over
        if start is None:
            return True
        if clock.monotonic() > deadline:
            return False


def refresh(ctx: TenantContext, *, now: datetime | None = None) -> int:
    """Put every contact right in the segments whose conditions read the clock; answers how many moved."""
    now = now or db.utcnow()
    timed = [segment for segment in membership.segments_of(ctx) if conditions.timed(segment.conditions or [])]
    if not timed:
        return 0
    only = {segment.segment_id for segment in timed}
    moved = 0
    with db.translate_errors():
        for found in ContactFacts.query(facts.facts_pk(ctx)):
            if isinstance(found, ContactFacts) and not found.deleted:
                moved += place(ctx, found, membership.segments_of(ctx), now, only)
    return moved


def next_refresh(now: datetime, zone: tzinfo = UTC) -> datetime:
    """When the next daily refresh is due: five minutes after the next midnight on the company's clock (UTC)."""
    local = now.astimezone(zone)
    for day in (local.date(), local.date() + timedelta(days=1)):
        moment = (datetime.combine(day, time(0), tzinfo=zone) + REFRESH_AFTER_MIDNIGHT).astimezone(UTC)
        if moment > now:
            return moment
    return now + timedelta(days=1)


def arm(ctx: TenantContext, *, segment_id: str | None = None, change: db.Change | None = None) -> None:
    """Set a segment's build now (with ``segment_id``) and the tenant's daily refresh."""
    now = db.utcnow()
    if segment_id is not None:
        due.set_timer(ctx, kind=BUILD, ref=segment_id, due_at=now, change=change)
    due.set_timer(ctx, kind=REFRESH, ref="daily", due_at=next_refresh(now, zones.company_zone(ctx)),
                  change=change if segment_id is None else None)


def fire(ctx: TenantContext, timer: DueTimer) -> None:
    """The due run's handler: go on with a build, purge a deleted segment's members, or run the daily refresh and
    set the next one."""
    if timer.timer_kind == PURGE:
        from chalicelib.segments import service

        if not service.purge_members(ctx, timer.ref):
            due.set_timer(ctx, kind=PURGE, ref=timer.ref, due_at=db.utcnow())
        return
    if timer.timer_kind == BUILD:
        if not build(ctx, timer.ref):
            due.set_timer(ctx, kind=BUILD, ref=timer.ref, due_at=db.utcnow())  # goes on at the next run
        return
    moved = refresh(ctx)
    logger.info("segments refreshed", extra={"moved": moved})
    if any(conditions.timed(segment.conditions or []) for segment in membership.segments_of(ctx)):
        due.set_timer(ctx, kind=REFRESH, ref="daily", due_at=next_refresh(db.utcnow(), zones.company_zone(ctx)))
