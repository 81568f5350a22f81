"""Folding a provider's call events into one call: the same call whatever their order or repetition.

A call keeps the facts its events told (when it started, was answered, ended; how; who answered; its
recording) rather than the last event's state, and its status is derived from them, so events that
arrive late, twice, or replayed change nothing that an earlier fold did not already say:

- started_at is the earliest moment any event names; answered_at the earliest answer;
- an end event fixes the disposition and the talk time;
- the employee is the one whose extension answered (else the one it rang, until someone answers);
- where a provider numbers its events (Mango's ``seq``), an older event never overrides the
  extension or numbers a newer one set;
- a call whose provider went silent is closed by its timer (``close_unended``: missed if nobody answered, else
  answered with its talk time unknown, ``end_reason`` saying why); an end the provider sends after that is the
  truth, and replaces what the timer assumed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.calls.models import Call
from chalicelib.telephony.events import CallEvent

FINAL = frozenset({"answered", "missed", "busy", "failed"})
UNENDED = frozenset({"ringing", "in_progress"})  # the statuses of a call whose end has not come
NO_END = "no_end_reported"


def status_of(call: Call) -> str:
    """The status the call's facts add up to."""
    if call.disposition:
        return str(call.disposition)
    return "in_progress" if call.answered_at is not None else "ringing"


def _earliest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate < current else current


def apply(call: Call, event: CallEvent, *, extensions: dict[str, str], now: datetime) -> None:
    """Add one event's facts to a call (the caller saves it if anything changed)."""
    at = event.at or now
    newer = event.seq is None or event.seq >= int(call.seq if call.seq is not None else -1)
    if event.seq is not None and newer:
        call.seq = event.seq
    if event.phase != "recording":  # a call starts no later than anything said of it
        call.started_at = _earliest(call.started_at, at)
    if newer or not call.from_number:
        call.from_number = event.from_number or call.from_number
        call.to_number = event.to_number or call.to_number
    user_id = extensions.get(event.extension or "")
    if event.extension and (newer or not call.extension) and (event.phase in {"answer", "end"} or
                                                              call.answered_at is None):
        call.extension = event.extension
        call.user_id = user_id or call.user_id
    if event.phase == "answer":
        call.answered_at = _earliest(call.answered_at, at)
    elif event.phase == "end":
        if call.end_reason:  # closed by its timer: what the provider now says replaces what the timer assumed
            call.end_reason = call.disposition = call.duration_seconds = None
        call.ended_at = call.ended_at or at
        disposition = event.disposition or call.disposition or ("answered" if call.answered_at is not None
                                                                 else "missed")
        call.disposition = disposition
        if disposition == "answered":
            call.answered_at = call.answered_at or at
        if event.duration_seconds is not None:
            call.duration_seconds = int(event.duration_seconds)
        elif disposition == "answered" and call.answered_at is not None and call.duration_seconds is None:
            call.duration_seconds = max(int((at - call.answered_at).total_seconds()), 0)
        elif disposition != "answered":
            call.duration_seconds = 0
    if event.recording and not call.recording_key:  # a recording event, or an end that names its recording
        call.recording_ref = dict(event.recording)
    call.status = status_of(call)


def close_unended(call: Call) -> None:
    """End a call its provider never said ended: missed if nobody answered (no talk time), else answered with
    its talk time unknown; when it ended is unknown too (the timer's moment would be made up)."""
    if call.disposition:
        return
    call.end_reason = NO_END
    call.disposition = "answered" if call.answered_at is not None else "missed"
    call.duration_seconds = None if call.answered_at is not None else 0
    call.status = status_of(call)


def fingerprint(call: Call) -> tuple[Any, ...]:
    """What a fold may change, to tell whether an event changed anything (no write when it did not)."""
    return (call.seq, call.started_at, call.from_number, call.to_number, call.extension, call.user_id,
            call.answered_at, call.ended_at, call.disposition, call.duration_seconds, call.recording_ref,
            call.status, call.end_reason)
