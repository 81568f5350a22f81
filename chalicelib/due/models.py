"""Timers: something to do for a tenant at a time (``DueTimer``), and the run's bookmark (``DueState``).

- DueTimer: pk ``T#<tid>#DUE``, sk ``<kind>#<ref>`` (one timer per kind and subject: setting it again moves
  it; one partition per tenant, which its export and purge walk); gsi1 ``G#due#<hour>#<shard>`` /
  ``<due stamp>#<tid>#<kind>#<ref>``. The hour is the due hour (or the hour it was set in, for a time already
  past), the shard a hash of the timer's key: eight partitions an hour share the writes of every tenant and
  every kind, and the run reads each hour's eight partitions up to now.
- DueState: ``G#due#STATE`` / ``STATE``, the first hour whose partitions may still hold a timer.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable


class DueTimer(MainTable, discriminator="due_timer"):
    """One thing to do at a time for a tenant: a task's reminder, a digest, an automation's wait."""

    timer_kind = UnicodeAttribute()  # names the handler (chalicelib.due.service.HANDLERS)
    ref = UnicodeAttribute()  # the subject within its kind (a task id, a user id ...)
    due_at = UTCDateTimeAttribute()
    payload = JSONAttribute(null=True)  # what the handler needs beyond the ref: ids, never personal data
    seq = NumberAttribute(null=True)  # the order of what set it (an audit record's seq): older never wins
    attempts = NumberAttribute(default=0)


class DueState(MainTable, discriminator="due_state"):
    """Where the run starts: hours before it hold no timer."""

    next_hour = UnicodeAttribute()  # YYYY-MM-DDTHH, UTC
