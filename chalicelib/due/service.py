"""One due-time primitive for scheduled work: set a timer for a tenant, and a run that fires what is due.

A timer is one item in its tenant's key space, found by the run through gsi1 partitions named by the hour
it is due and a shard of eight (``models``): the writes of every tenant spread over eight partitions an
hour rather than one hot partition per job, and the run reads, for each hour from its bookmark up to now,
each shard's timers due by now (one Query each; nothing else when idle). A fired timer is deleted only if
nobody moved it meanwhile; a failed one is moved to a later hour with a doubling pause, at most
``MAX_ATTEMPTS`` times. What a kind does is its handler's business: ``HANDLERS`` names the module (loaded
on first use, as routes are) whose ``fire(ctx, timer)`` runs in the timer's tenant.
"""

from __future__ import annotations

import importlib
import time
import zlib
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.core import db, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, global_key, tenant_key
from chalicelib.due.models import DueState, DueTimer

SHARDS = 8
GRACE = timedelta(hours=1)  # an hour is cleared once it is this far behind: a timer set late still lands in it
FIRST_RUN = timedelta(hours=48)  # how far back a first run (no bookmark) looks
MAX_ATTEMPTS = 8
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=6)
STATE_PK = global_key("due", "STATE")
STATE_SK = "STATE"
HOUR = "%Y-%m-%dT%H"

# kind -> the module whose fire(ctx, timer) does it. Named, not imported: the primitive imports no domain.
HANDLERS: dict[str, str] = {
    "task.reminder": "chalicelib.notifications.timers",
    "task.overdue": "chalicelib.notifications.timers",
    "notification.email": "chalicelib.notifications.timers",
    "notification.digest": "chalicelib.notifications.timers",
    "automation.retry": "chalicelib.automations.engine",
    "call.unended": "chalicelib.telephony.unended",
    "automation.wait": "chalicelib.automations.waits",
    "automation.sweep": "chalicelib.automations.sweep",
    "ticket.first_response": "chalicelib.tickets.timers",
    "ticket.resolution": "chalicelib.tickets.timers",
    "ticket.csat": "chalicelib.tickets.timers",
    "segment.build": "chalicelib.segments.jobs",
    "segment.refresh": "chalicelib.segments.jobs",
    "segment.purge": "chalicelib.segments.jobs",
    "campaign.start": "chalicelib.campaigns.service",
    "trash.purge": "chalicelib.housekeeping.service",
    "inbox.retry": "chalicelib.inbox.jobs",
    "records.team": "chalicelib.records.teams",
    "personal_data.erasure": "chalicelib.personaldata.queue",
    "personal_data.sweep": "chalicelib.personaldata.queue",
}
# A handler may answer a word for what it did ("purged", "processed" ...): a run restricted to its kind counts them.
Handler = Callable[[TenantContext, DueTimer], str | None]
_RUN_CLOCK: ContextVar[datetime | None] = ContextVar("due_run_clock", default=None)


def stamp(moment: datetime) -> str:
    """A fixed-width UTC stamp that sorts as text in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timers_pk(ctx: TenantContext) -> str:
    """Partition of a tenant's timers."""
    return tenant_key(ctx, "DUE")


def timer_sk(kind: str, ref: str) -> str:
    """Sort key of one timer (one per kind and subject)."""
    return f"{kind}#{ref}"


def feed_key(hour: str, shard: int) -> str:
    """gsi1 partition of one shard of one hour's timers."""
    return global_key("due", f"{hour}#{shard}")


def shard_of(tenant_id: str, kind: str, ref: str) -> int:
    """Which of the hour's shards holds a timer (stable for its key)."""
    return zlib.crc32(f"{tenant_id}#{kind}#{ref}".encode()) % SHARDS


def _hour(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(HOUR)


def _place(ctx: TenantContext, item: DueTimer, now: datetime) -> None:
    hour = _hour(max(item.due_at, now))  # a time already past lands in this hour, which the run still reads
    item.gsi1pk = feed_key(hour, shard_of(ctx.tenant_id, item.timer_kind, item.ref))
    item.gsi1sk = f"{stamp(item.due_at)}#{ctx.tenant_id}#{item.timer_kind}#{item.ref}"


def timer(ctx: TenantContext, *, kind: str, ref: str, due_at: datetime, payload: dict[str, Any] | None = None,
          seq: int | None = None) -> DueTimer:
    """A timer item, keyed and placed, not yet written (to join a caller's transaction)."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for timers of kind {kind!r}")
    item = DueTimer(timers_pk(ctx), timer_sk(kind, ref), timer_kind=kind, ref=ref, due_at=due_at, payload=payload,
                    seq=seq, attempts=0)
    _place(ctx, item, db.utcnow())
    return item


def set_timer(ctx: TenantContext, *, kind: str, ref: str, due_at: datetime, payload: dict[str, Any] | None = None,
              seq: int | None = None, change: db.Change | None = None) -> bool:
    """Set (or move) the timer of a kind and subject; with ``seq``, a timer set from a newer change is kept.

    With ``change`` it joins that transaction; otherwise one conditional PutItem. False when a newer one won.
    """
    item = timer(ctx, kind=kind, ref=ref, due_at=due_at, payload=payload, seq=seq)
    if change is not None:
        change.save(item)
        return True
    condition = None
    if seq is not None:
        condition = DueTimer.pk.does_not_exist() | DueTimer.seq.does_not_exist() | (DueTimer.seq <= seq)
    try:
        with db.translate_errors():
            item.save(condition=condition)
    except errors.VersionConflictError:
        return False
    return True


def cancel(ctx: TenantContext, *, kind: str, ref: str, seq: int | None = None) -> None:
    """Forget the timer of a kind and subject, if any (with ``seq``: unless a newer change set it)."""
    item = DueTimer(timers_pk(ctx), timer_sk(kind, ref))
    condition = (DueTimer.seq.does_not_exist() | (DueTimer.seq <= seq)) if seq is not None else None
    try:
        with db.translate_errors():
            item.delete(condition=condition)
    except errors.VersionConflictError:
        pass


def drop(ctx: TenantContext, change: db.Change, *, kind: str, ref: str) -> None:
    """Add to change the removal of the timer of a kind and subject (none there: nothing happens)."""
    change.delete(DueTimer(timers_pk(ctx), timer_sk(kind, ref)))


def get_timer(ctx: TenantContext, *, kind: str, ref: str) -> DueTimer | None:
    """The timer of a kind and subject, or None."""
    return db.get(ctx, DueTimer, timers_pk(ctx), timer_sk(kind, ref))


# -- the run ----------------------------------------------------------------------------------


def moment() -> datetime:
    """The run's clock while a handler runs (what timers are due by), else now."""
    return _RUN_CLOCK.get() or db.utcnow()


def _handler(kind: str) -> Handler:
    module = importlib.import_module(HANDLERS[kind])
    fire: Handler = module.fire
    return fire


def _context(item: DueTimer) -> TenantContext:
    tenant_id = item.pk.split("#", 2)[1]  # the timer's own key names its tenant (T#<tid>#DUE)
    return TenantContext(tenant_id=tenant_id, actor_id="scheduler", actor_kind="system", role="system",
                         source="job")


def _retry_later(ctx: TenantContext, item: DueTimer, now: datetime) -> None:
    attempts = int(item.attempts or 0) + 1
    if attempts >= MAX_ATTEMPTS:
        logger.error("timer dropped after its last attempt", extra={"kind": item.timer_kind, "attempts": attempts})
        _forget(item)
        return
    pause = min(FIRST_PAUSE * 2 ** (attempts - 1), LONGEST_PAUSE)
    moved = timer(ctx, kind=item.timer_kind, ref=item.ref, due_at=now + pause, payload=item.payload,
                  seq=int(item.seq) if item.seq is not None else None)
    moved.attempts = attempts
    with db.translate_errors():
        moved.save(condition=DueTimer.due_at == item.due_at)  # moved by someone else: theirs stands


def _forget(item: DueTimer) -> None:
    """Delete a fired timer unless it was moved meanwhile (its handler may have set it again)."""
    try:
        with db.translate_errors():
            item.delete(condition=DueTimer.due_at == item.due_at)
    except errors.VersionConflictError:
        pass


def fire(item: DueTimer, now: datetime, outcomes: dict[str, int] | None = None) -> str:
    """Run one due timer in its tenant: ``fired``, ``retrying`` (moved to a later attempt) or ``stuck`` (left
    where it is: the next run finds it again). ``outcomes`` counts what the handlers answered (``error`` when
    one raised)."""
    ctx = _context(item)
    tally = outcomes if outcomes is not None else {}
    with tenancy.bind(ctx):
        if item.timer_kind not in HANDLERS:
            logger.error("timer of an unknown kind dropped", extra={"kind": item.timer_kind})
            _forget(item)
            return "fired"
        clock = _RUN_CLOCK.set(now)
        try:
            answer = _handler(item.timer_kind)(ctx, item)
        except Exception:  # noqa: BLE001 - any failure of a handler waits for its next attempt
            logger.warning("timer failed", extra={"kind": item.timer_kind}, exc_info=True)
            tally["error"] = tally.get("error", 0) + 1
            try:
                _retry_later(ctx, item, now)
            except (errors.CRMError, PutError, DeleteError):
                logger.warning("timer not moved; it fires again at the next run", exc_info=True)
                return "stuck"
            return "retrying"
        finally:
            _RUN_CLOCK.reset(clock)
        if answer is not None:
            tally[answer] = tally.get(answer, 0) + 1
        try:
            _forget(item)
        except (errors.CRMError, DeleteError):  # done, but found again next run: handlers are idempotent
            logger.warning("fired timer not deleted", exc_info=True)
            return "stuck"
        return "fired"


def due_in(hour: str, shard: int, now: datetime) -> list[DueTimer]:
    """The timers of one shard of one hour due by now (one Query)."""
    with db.translate_errors():
        found = DueTimer.gsi1.query(feed_key(hour, shard), DueTimer.gsi1sk <= f"{stamp(now)}~")
        return [item for item in found if isinstance(item, DueTimer)]


def _start_hour(now: datetime) -> datetime:
    with db.translate_errors():
        try:
            text = DueState.get(STATE_PK, STATE_SK).next_hour
            return datetime.strptime(text, HOUR).replace(tzinfo=UTC)
        except DueState.DoesNotExist:
            return (now - FIRST_RUN).replace(minute=0, second=0, microsecond=0)


def _cleared_before(hour: datetime) -> None:
    with db.translate_errors():
        DueState(STATE_PK, STATE_SK, next_hour=hour.strftime(HOUR)).save()


def run_due(*, now: datetime | None = None, seconds: float = 50.0, kinds: frozenset[str] | None = None,
            outcomes: dict[str, int] | None = None) -> dict[str, int]:
    """Fire every timer due by now, hour by hour from the bookmark; advance the bookmark past cleared hours.

    With ``kinds`` only timers of those kinds fire (an operator's or a test's run of one job): the bookmark is
    read, never moved, since the hours keep the other kinds' timers. ``outcomes`` counts the handlers' answers.
    """
    now = (now or db.utcnow()).astimezone(UTC)  # hours are UTC hours, whatever clock the caller's moment reads
    deadline = time.monotonic() + seconds
    counts = {"fired": 0, "retrying": 0, "stuck": 0}
    hour, last = _start_hour(now), now.replace(minute=0, second=0, microsecond=0)
    clear_until: datetime | None = None
    open_hour = False
    while hour <= last and time.monotonic() < deadline:
        complete = True
        for shard in range(SHARDS):
            for item in due_in(hour.strftime(HOUR), shard, now):
                if kinds is not None and item.timer_kind not in kinds:
                    continue
                if time.monotonic() >= deadline:
                    complete = False
                    break
                outcome = fire(item, now, outcomes)
                counts[outcome] += 1
                complete = complete and outcome != "stuck"
        if not complete:
            open_hour = True
        if not open_hour and hour + GRACE < last:
            clear_until = hour + timedelta(hours=1)
        hour += timedelta(hours=1)
    if clear_until is not None and kinds is None:
        try:
            _cleared_before(clear_until)
        except errors.ServiceUnavailableError:  # the next run reads those hours again and finds them empty
            logger.warning("due bookmark not saved", exc_info=True)
    return counts
