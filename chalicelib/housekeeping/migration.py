"""Moving the work scheduled before the due timers onto them: once, then one GetItem an hour.

Before, a trashed record had a ``TrashDue`` item in its collection, found through gsi1 ``G#trashdue#<day>`` by
a day bookmark, and an inbox event waiting for an attempt sat on gsi2 ``G#inbox-due#0``: a partition of each
job's own. Now both are due timers (``records.trash.schedule_purge``, ``inbox.pipeline.schedule``), and the
hourly housekeeping tick carries what was scheduled the old way over:

- the trash: each day bucket from the old bookmark (or 90 days back) to the last day an entry may be due
  (today + the retention + a week) is read once; each entry becomes a timer at the start of its due day, in
  the transaction that deletes the entry (the purge checks the record's own deletion time, so an early timer
  waits on);
- the inbox: each event on the old index gets a timer at its next attempt, created only where it has none
  (a newer attempt's timer stands); an event leaves the old index when it is next written, so the pass is
  done once the index is empty.

Progress is ``models.DueMigration``; every step is idempotent, and a run that stops is carried on next hour.
Once both are done, a tick reads the state and nothing more.

Calls recorded before a call not yet ended had its timer (``telephony.unended``, kind ``call.unended``) stay
ringing or in progress for ever when their provider's end never came. The tick walks the tenants (the tenants'
index, ``G#tenants#all``, a page at a time, resuming after the last tenant finished: ``models.UnendedCallsPass``) and
gives each of their calls still ringing or in progress a timer unless it has one (``unended.arm_unarmed``: the calls
list's status rows, one Query a page, never a Scan); the due run then closes each as its timer closes any call.
Redoing a tenant (a run out of time inside it) sets nothing twice. Once through, a tick reads its state and nothing
more.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from chalicelib.core import db, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import is_valid_id
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.housekeeping.models import DueMigration, HousekeepingState, UnendedCallsPass
from chalicelib.inbox import pipeline
from chalicelib.inbox.models import InboxEvent
from chalicelib.records import trash, types
from chalicelib.records.models import TrashDue
from chalicelib.telephony import unended

STATE_PK = tenancy.global_key("housekeeping", "due-migration")
STATE_SK = tenant_walk.STATE_SK
OLD_TRASH_PK = tenancy.global_key("housekeeping", "trash")  # the old purge's day bookmark
FIRST_DAYS = 90
MARGIN = timedelta(days=7)
INBOX_PAGE = 100
CALLS_PK = tenancy.global_key("housekeeping", "unended-calls")


def _first_trash_day(today: date) -> date:
    with db.translate_errors():
        try:
            return date.fromisoformat(HousekeepingState.get(OLD_TRASH_PK, "STATE").next_day)
        except HousekeepingState.DoesNotExist:
            return today - timedelta(days=FIRST_DAYS)


def _move_trash_entry(entry: TrashDue) -> None:
    ctx = tenant_walk.context(entry.pk.split("#", 2)[1])  # the entry's own key names its tenant (T#<tid>#...)
    rtype = types.find(entry.entity)
    with tenancy.bind(ctx):
        change = db.Change().delete(entry)
        if rtype is not None:
            due_at = datetime.combine(date.fromisoformat(entry.due_on), datetime.min.time(), tzinfo=UTC)
            trash.schedule_purge(ctx, change, rtype, entry.record_id, due_at - rtype.retention)
        db.commit(ctx, change)


def move_trash(state: DueMigration, *, now: datetime, deadline: float) -> int:
    """Turn the old trash feed's entries into purge timers, a day bucket at a time; how many were moved."""
    day = date.fromisoformat(state.trash_day) if state.trash_day else _first_trash_day(now.date())
    last, moved = now.date() + types.RETENTION + MARGIN, 0
    while day <= last and time.monotonic() < deadline:
        with db.translate_errors():
            entries = [item for item in TrashDue.gsi1.query(trash.feed_key(day)) if isinstance(item, TrashDue)]
        for entry in entries:
            _move_trash_entry(entry)
            moved += 1
        day += timedelta(days=1)
        state.trash_day = day.isoformat()
    state.trash_done = day > last
    return moved


def _old_retries(limit: int) -> list[tuple[str, str, str, datetime]]:
    with db.translate_errors():
        # Only the keys: the index spans every tenant, and an event's sealed values are its tenant's to open.
        found = InboxEvent.gsi2.query(pipeline.DUE_PARTITION, limit=limit, attributes_to_get=["pk", "sk", "gsi2sk"])
        keys = [str(item.gsi2sk) for item in found]
    waiting = []
    for key in keys:
        parts = key.rsplit("#", 3)
        if len(parts) == 4 and all(is_valid_id(part) for part in parts[1:]):
            waiting.append((parts[1], parts[2], parts[3], datetime.fromisoformat(parts[0])))
    return waiting


def move_inbox() -> tuple[int, bool]:
    """Give each event on the old retry index a timer unless it has one; (timers made, whether the index is empty)."""
    waiting, made = _old_retries(INBOX_PAGE), 0
    for tenant_id, integration_id, event_id, due_at in waiting:
        ctx = tenant_walk.context(tenant_id)
        with tenancy.bind(ctx):
            timer = due.timer(ctx, kind=pipeline.RETRY_KIND, ref=f"{integration_id}.{event_id}", due_at=due_at,
                              payload={"integration_id": integration_id, "event_id": event_id})
            try:
                with db.translate_errors():
                    timer.save(condition=DueTimer.pk.does_not_exist())
                made += 1
            except errors.VersionConflictError:  # a timer of a newer attempt: it stands
                pass
    return made, not waiting


def arm_calls(*, deadline: float) -> int:
    """Give the calls every tenant left ringing or in progress before their timers existed a timer, tenant by
    tenant until the deadline; how many timers were set (an outage: the timers set stay set, the pass resumes after
    the last tenant saved)."""
    return tenant_walk.walk(UnendedCallsPass, CALLS_PK, deadline=deadline, paused="unended calls' timers paused",
                            each=lambda ctx, state: (unended.arm_unarmed(ctx), True))


def run(*, now: datetime | None = None, seconds: float = 60.0) -> dict[str, int]:
    """Carry the old scheduling over until both are through, and give the calls left without an end their timers;
    what this run moved."""
    now = now or db.utcnow()
    deadline = time.monotonic() + seconds
    counts = {"trash": 0, "inbox": 0, "calls": 0}
    try:
        state = tenant_walk.saved_state(DueMigration, STATE_PK, trash_done=False, inbox_done=False)
        if not (state.trash_done and state.inbox_done):
            if not state.trash_done:
                counts["trash"] = move_trash(state, now=now, deadline=deadline)
            if not state.inbox_done and time.monotonic() < deadline:
                counts["inbox"], state.inbox_done = move_inbox()
            with db.translate_errors():
                state.save()
        if time.monotonic() < deadline:
            counts["calls"] = arm_calls(deadline=deadline)
    except errors.CRMError:  # an outage: what was moved stays moved, the rest waits for the next run
        logger.warning("due migration paused", exc_info=True)
    return counts
