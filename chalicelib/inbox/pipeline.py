"""Processing an event into domain actions, recording its outcome, and retrying it with backoff.

A processor ``fn(run) -> Outcome`` is registered per integration type. It may be run again for the
same event (a retry, a replay), so it checkpoints what it has made and skips it the next time: a
retried event never makes a second contact, deal or task. The checkpoint belongs in the transaction
that makes the record (``with run.checkpoint_with(contact_id=...) as change:`` handed to the service's
create), so no crash can fall between the two; ``run.checkpoint`` alone is for what makes no write.
The last step may instead put its writes in the Outcome's change, committed with the outcome itself.
A run's steps share one memo (``http.run_memo``): its users and tenant are read once.
A processor that raises leaves the event ``failed`` with the reason, to be retried with exponential backoff and
jitter, up to ``MAX_ATTEMPTS``; after that it stays failed for good, in the list, until someone replays it by
hand. The event itself is never deleted by processing. An event waiting for an attempt (received, or failed and
not final) has a due timer (``chalicelib.due``, kind ``inbox.retry``) at its next attempt, written in the
transaction that makes it wait and dropped in the one that ends its wait: the due run brings it to
``inbox.jobs.fire``.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import audit, crypto, db, errors, http
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.inbox import models as m

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
LEASE = timedelta(minutes=2)
QUEUE_GRACE = timedelta(minutes=2)  # a received event not processed by then is taken by the retry job
DUE_PARTITION = "G#inbox-due#0"  # the retry index before the due timers: read only by the migration
RETRY_KIND = "inbox.retry"
AUDIT_ENTITY = "inbox_event"
WAITING = frozenset({"received", "failed"})  # the statuses the retry index holds


@dataclass
class Outcome:
    """What processing decided: processed or ignored, with the ids it made and a reason."""

    status: str  # processed | ignored
    details: dict[str, Any] = field(default_factory=dict)
    change: db.Change = field(default_factory=db.Change)  # written with the outcome (timeline entries)


@dataclass
class Run:
    """One processing attempt of one event."""

    ctx: TenantContext
    event: m.InboxEvent
    integration: Any
    fields: dict[str, Any]
    progress: dict[str, Any]

    def checkpoint(self, **made: Any) -> None:
        """Remember what this attempt made, so a retry does not make it again."""
        self.progress.update(made)
        self.event.outcome = {**(self.event.outcome or {}), **made}
        db.commit(self.ctx, db.Change().save(self.event))

    @contextmanager
    def checkpoint_with(self, **made: Any) -> Iterator[db.Change]:
        """A change holding this checkpoint, for the step to commit in the transaction that makes what
        it records (``contacts.service.create(..., change=...)``): the record and the note of it are
        written together or not at all, so no crash between them can make a retry make it again.

        The block must end with that commit: leaving it by an exception forgets the checkpoint.
        """
        saved = self.event.outcome
        self.event.outcome = {**(saved or {}), **made}
        try:
            yield db.Change().save(self.event)
        except BaseException:
            self.event.outcome = saved
            raise
        self.progress.update(made)


Processor = Callable[[Run], Outcome]
_PROCESSORS: dict[str, Processor] = {}
# Where each integration type's processor registers itself, imported when an event of that type is first
# processed: a Lambda that runs only the jobs (the queue's consumer, the retry schedule) loads no route
# module, so nothing else would have registered it.
PROCESSOR_MODULES = {
    "form": "chalicelib.forms.processor",
    **dict.fromkeys(("zadarma", "mango", "twilio", "pbx"), "chalicelib.telephony.processor"),
    "stripe": "chalicelib.subscriptions.processor",
    **dict.fromkeys(("whatsapp", "telegram", "email"), "chalicelib.messaging.processor"),
    "ses_events": "chalicelib.campaigns.mail_events",  # SES's delivery events of campaign e-mails (#24)
}


def register_processor(integration_type: str, fn: Processor) -> None:
    """Make events of an integration type processable (fn(run) -> Outcome)."""
    _PROCESSORS[integration_type] = fn


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before the next attempt: doubling from a minute, capped at 6 hours, jittered 50-100%."""
    ceiling = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return ceiling * (0.5 + 0.5 * (rng or random).random())


def retry_ref(event: m.InboxEvent) -> str:
    """The subject of an event's retry timer (one per event)."""
    return f"{event.integration_id}.{event.event_id}"


def open_payload(ctx: TenantContext, event: m.InboxEvent) -> dict[str, Any]:
    """The fields of an event as received (read from their own item unless this process holds them)."""
    token = event.sealed_fields or event.payload  # event.payload: an event stored before the fields moved
    if token is None:
        stored = db.get(ctx, m.InboxPayload, m.payloads_pk(ctx, event.integration_id), event.event_id)
        if stored is None:
            raise errors.NotFoundError("The event's fields are no longer kept.", code="event_fields_gone")
        token = event.sealed_fields = stored.payload
    text = crypto.decrypt_field(ctx, entity=AUDIT_ENTITY, record_id=event.event_id, field="payload", token=token)
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {}


def event_audit_view(event: m.InboxEvent | None) -> dict[str, Any] | None:
    """The fields the audit trail records of an event (never its payload)."""
    if event is None:
        return None
    return {"status": event.status, "attempts": int(event.attempts or 0), "outcome": dict(event.outcome or {})}


def index(ctx: TenantContext, event: m.InboxEvent) -> None:
    """Place the event on its status list once it has an outcome (an event stored before the due timers leaves the
    old retry index). A received event is on no list: it would cost an index write when stored and another when
    claimed, for a status that lasts a moment (#22); the received are read from the integration's partition."""
    if event.status == "received":
        event.gsi1pk = event.gsi1sk = None
    else:
        event.gsi1pk, event.gsi1sk = m.status_key(ctx, event.integration_id, event.status), event.event_id
    event.gsi2pk = event.gsi2sk = None


def schedule(ctx: TenantContext, event: m.InboxEvent, change: db.Change, *, new: bool = False) -> None:
    """Add to the event's change its retry timer while it waits for an attempt, else the timer's removal."""
    if event.status in WAITING and event.next_attempt_at is not None:
        change.save(due.timer(ctx, kind=RETRY_KIND, ref=retry_ref(event), due_at=event.next_attempt_at,
                              payload={"integration_id": event.integration_id, "event_id": event.event_id}))
    elif not new:
        due.drop(ctx, change, kind=RETRY_KIND, ref=retry_ref(event))


def _claim(ctx: TenantContext, event: m.InboxEvent, now: datetime) -> bool:
    """Take the event for one attempt; False when another attempt holds it."""
    if event.lease_until is not None and event.lease_until > now:
        return False
    event.lease_until = now + LEASE
    event.attempts = int(event.attempts or 0) + 1
    try:
        db.put(ctx, event)  # one item, no audit record: half a transaction's write units
    except errors.VersionConflictError:
        return False
    return True


def _finish(ctx: TenantContext, event: m.InboxEvent, before: dict[str, Any] | None, change: db.Change) -> None:
    event.lease_until = None
    event.updated_at = db.utcnow()
    index(ctx, event)
    change.save(event)
    schedule(ctx, event, change)
    chain_head = event.audit_hash
    audit.attach(ctx, change, event, entity=AUDIT_ENTITY, entity_id=event.event_id, action=event.status,
                 before=before, after=event_audit_view(event))
    try:
        db.commit(ctx, change)
    except Exception:
        event.audit_hash = chain_head  # nothing was written: the chain still ends where it did
        raise


def _failure(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, errors.CRMError):
        return {"reason": exc.code, "message": exc.message[:300]}
    return {"reason": "processing_error", "message": type(exc).__name__}


def _permanent(exc: Exception) -> bool:
    """A failure that a retry cannot cure (bad settings, bad data): it waits for a person and a replay."""
    return isinstance(exc, errors.CRMError) and (exc.status in {400, 403, 404, 422} or
                                                 exc.code in {"no_processor", "integration_gone"})


def _fail(ctx: TenantContext, event: m.InboxEvent, before: dict[str, Any] | None, exc: Exception,
          now: datetime) -> None:
    attempts = int(event.attempts or 0)
    event.status = "failed"
    final = attempts >= MAX_ATTEMPTS or _permanent(exc)
    event.next_attempt_at = None if final else now + backoff(attempts)
    event.outcome = {**(event.outcome or {}), **_failure(exc), "final": final}
    _finish(ctx, event, before, db.Change())


def process(ctx: TenantContext, event: m.InboxEvent, integration: Any, *, now: datetime | None = None) -> m.InboxEvent:
    """Run the event's processor once and record the outcome; a failure is recorded, never raised."""
    now = now or db.utcnow()
    before = event_audit_view(event)
    with http.run_memo():  # the run's steps read its users and its tenant once
        if not _claim(ctx, event, now):
            return event
        try:
            _succeed(ctx, event, before, _run(ctx, event, integration))
        except Exception as exc:  # noqa: BLE001 - any failure leaves the event failed and retryable, never lost
            logger.warning("inbox event failed", extra={"event_id": event.event_id, "error": type(exc).__name__},
                           exc_info=not isinstance(exc, errors.CRMError))
            _fail(ctx, event, before, exc, now)
    return event


def _run(ctx: TenantContext, event: m.InboxEvent, integration: Any) -> Outcome:
    processor = _PROCESSORS.get(event.integration_type)
    if processor is None and event.integration_type in PROCESSOR_MODULES:
        importlib.import_module(PROCESSOR_MODULES[event.integration_type])
        processor = _PROCESSORS.get(event.integration_type)
    if processor is None:
        raise errors.CRMError("No processor for this integration type.", code="no_processor")
    return processor(Run(ctx=ctx, event=event, integration=integration, fields=open_payload(ctx, event),
                         progress=dict(event.outcome or {})))


def _succeed(ctx: TenantContext, event: m.InboxEvent, before: dict[str, Any] | None, outcome: Outcome) -> None:
    kept = {k: v for k, v in (event.outcome or {}).items() if k not in {"reason", "message", "final"}}
    saved = (event.status, event.next_attempt_at, event.outcome)
    event.status, event.next_attempt_at = outcome.status, None
    event.outcome = {**kept, **outcome.details}
    try:
        _finish(ctx, event, before, outcome.change)
    except Exception:
        event.status, event.next_attempt_at, event.outcome = saved  # recorded as a failure by the caller
        raise
