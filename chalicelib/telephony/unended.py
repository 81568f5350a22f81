"""A call whose provider never reports its end is closed after a silence, as its end event would have closed it.

Providers lose webhooks (an outage, a timeout on our side that they do not retry): without its end a call would
ring, or be in progress, for ever, and a new number nobody answered would make no contact, no lead deal and no
call-back task. So every call not yet ended has a due timer (``chalicelib.due``, kind ``call.unended``, one per
call), set in the transaction that first records the call and dropped in the one that ends it. No other event
moves it (a write in each would cost every call, and most calls end within minutes): when it fires, a call that
heard from its provider within its window (an answered one: hours) waits on, its timer set again from the call's
last event.

The windows: a phone rings for at most a few minutes before the provider gives up (Zadarma's and Mango's ring
timeouts are set in seconds, Twilio's ``timeout`` is at most 600 s), so an unanswered call 10 minutes silent
has ended; an answered one can last hours (Twilio ends a call at 4 hours unless the account raises its call limit,
up to 24), so it waits 4 hours after its last event; a longer call closed too soon is corrected by its end.
When it fires the call is closed through the processor (``processor.close_unended``): missed if nobody answered,
else answered with its talk time unknown, with its ``end_reason`` saying why; an end the provider sends afterwards
corrects it (``fold``).

A timer's attempt checkpoints what it makes (the newcomer's contact and lead deal) on the timer item itself, in
the transaction that makes it, as an inbox run does on its event: a retried firing never makes them twice.

Calls recorded before the timers existed get theirs from a one-off pass (``arm_unarmed``, run tenant by tenant by
the hourly housekeeping tick: ``housekeeping.migration.arm_calls``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.calls.models import Call, CallRow
from chalicelib.calls.record import CALL
from chalicelib.core import db, errors, http
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.records import access, listing, matching
from chalicelib.telephony import fold

KIND = "call.unended"
RINGING = timedelta(minutes=10)  # unanswered and silent this long: the provider gave up ringing long ago
TALKING = timedelta(hours=4)  # answered and silent this long: longer than providers let a call last


def deadline(call: Call) -> datetime:
    """When a call not yet ended is taken for ended: a window after its last event (its last write)."""
    last = call.updated_at or call.created_at or db.utcnow()
    return last + (TALKING if call.answered_at is not None else RINGING)


def _payload(call: Call) -> dict[str, Any]:
    return {"call_id": call.call_id}


def follow(ctx: TenantContext, change: db.Change, before: Call | None, after: Call) -> None:
    """Add to a call's change its timer: set when it is first recorded, dropped when it ends."""
    if after.status in fold.FINAL:
        if before is not None and before.status not in fold.FINAL:
            due.drop(ctx, change, kind=KIND, ref=after.call_id)
    elif before is None:
        change.save(due.timer(ctx, kind=KIND, ref=after.call_id, due_at=deadline(after), payload=_payload(after)))


def arm_unarmed(ctx: TenantContext, *, page: int = 100) -> int:
    """Give every call of the tenant not yet ended that has no timer its timer (calls recorded before the timers
    existed): the calls list's status rows (``CF#status#ringing``, ``CF#status#in_progress``: one Query a page, no
    Scan), each call read once; a timer already there stands (created only where absent), so a pass run again, or
    stopped and redone, sets nothing twice. How many timers it set."""
    armed = 0
    for status in sorted(fold.UNENDED):
        cursor: str | None = None
        while True:
            rows = listing.list_rows(ctx, CallRow, CALL.space or "", listing.ListQuery(
                partition=("CF", matching.key_segment("status"), matching.key_segment(status)), sort="created",
                limit=page, cursor=cursor, fingerprint={"unended": status}))
            for row in rows.items:
                call = access.get_any(ctx, CALL, str(row.record_id))
                if isinstance(call, Call) and call.status not in fold.FINAL and _arm(ctx, call):
                    armed += 1
            cursor = rows.next_cursor
            if cursor is None:
                break
    return armed


def _arm(ctx: TenantContext, call: Call) -> bool:
    """Set a call's timer unless it has one; whether it was set."""
    timer = due.timer(ctx, kind=KIND, ref=call.call_id, due_at=deadline(call), payload=_payload(call))
    try:
        with db.translate_errors():
            timer.save(condition=DueTimer.pk.does_not_exist())
    except errors.VersionConflictError:  # its own timer (set with the call, or by an earlier pass): it stands
        return False
    return True


@dataclass
class TimerRun:
    """A timer's attempt as the customer lookup sees it (``parties.Intake``): what earlier attempts made is on the
    timer's payload, and what this one makes is recorded there in the transaction that makes it."""

    ctx: TenantContext
    integration: Any
    timer: DueTimer
    progress: dict[str, Any]

    @contextmanager
    def checkpoint_with(self, **made: Any) -> Iterator[db.Change]:
        """A change that saves the timer with what the block makes (committed with it)."""
        saved = self.timer.payload
        self.timer.payload = {**(saved or {}), "made": {**self.progress, **made}}
        try:
            yield db.Change().save(self.timer)
        except BaseException:
            self.timer.payload = saved
            raise
        self.progress.update(made)


def fire(ctx: TenantContext, timer: DueTimer) -> str:
    """The timer of a call not yet ended: ``ended`` (it ended meanwhile, or is gone), ``waiting`` (it heard from
    its provider within the window: its timer moves on) or ``closed``."""
    from chalicelib.integrations import service as integrations_service
    from chalicelib.telephony import processor

    call_id = str((timer.payload or {}).get("call_id") or timer.ref)
    for attempt in range(processor.FOLD_ATTEMPTS):
        call = access.get_any(ctx, CALL, call_id)
        if not isinstance(call, Call) or call.status in fold.FINAL:
            return "ended"
        if deadline(call) > due.moment():
            due.set_timer(ctx, kind=KIND, ref=timer.ref, due_at=deadline(call), payload=dict(timer.payload or {}))
            return "waiting"
        line = integrations_service.hook_context(ctx.tenant_id, call.integration_id)  # as the line's event acts
        try:
            with bind(line), http.run_memo():
                _close(line, call, timer)
            return "closed"
        except errors.VersionConflictError:  # an event of the call was folded meanwhile: look again
            if attempt == processor.FOLD_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _close(ctx: TenantContext, call: Call, timer: DueTimer) -> None:
    from chalicelib.integrations import service as integrations_service
    from chalicelib.telephony import processor
    from chalicelib.telephony.settings import TelephonySettings

    integration = integrations_service.get(ctx, call.integration_id)
    # A deleted line's call still ends (it must not ring for ever), making no newcomer from its lost settings.
    settings = processor.settings_of(integration) if integration is not None else \
        TelephonySettings(unknown_caller="ignore")
    run = TimerRun(ctx=ctx, integration=integration, timer=timer,
                   progress=dict((timer.payload or {}).get("made") or {}))
    # At the company's contacts limit the call still ends, without its newcomer (``processor.resolve_party``).
    processor.close_unended(run, call, settings)
