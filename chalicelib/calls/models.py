"""Call items.

- A call: ``T#<tid>#CL#<call id>`` / ``#PROFILE`` (a record of the engine: list rows under
  ``T#<tid>#CLX#...``, partitions ALL, OWNER#<user>, TEAM#<team>, CF#contact|status|direction#<value>).
- :class:`CallRef`: ``T#<tid>#CALLREF#<integration id>`` / ``<provider's call id>`` -> the call, claimed
  with the call in one transaction, so every event of a provider's call, in any order, finds one call.
- :class:`DialRequest`: ``T#<tid>#CALLDIAL#<integration id>`` / ``<customer E.164>``: a click-to-call
  waiting for the provider's first event of the call it placed (providers that answer no call id).
- :class:`CallbackDue`: ``T#<tid>#CALLBACK`` / ``<blind index of the customer's E.164>``: a missed call not yet
  called back.
- :class:`CallStats`: ``T#<tid>#CALLSTATS#<yyyy-mm>`` / ``<yyyy-mm-dd>#<user or ->#<direction>``: counters
  added in the transaction that ends a call, so the reports read a month in one Query and never scan.
- A call not yet ended has a due timer (``chalicelib.due``, kind ``call.unended``, ``telephony.unended``): a
  call whose provider never reports its end is closed by it.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable
from chalicelib.records.models import ListRow, Record


class Call(Record, discriminator="call"):
    """One call between the business and a customer, folded from its provider's events."""

    personal = Record.personal | frozenset({"from_number", "to_number", "customer_number", "recording_ref"})

    call_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    provider = UnicodeAttribute()
    provider_call_id = UnicodeAttribute()
    direction = UnicodeAttribute()  # inbound | outbound
    status = UnicodeAttribute(default="ringing")  # ringing | in_progress | answered | missed | busy | failed
    from_number = UnicodeAttribute(null=True)
    to_number = UnicodeAttribute(null=True)
    customer_number = UnicodeAttribute(null=True)  # the outside party, E.164 when it reads as one
    contact_id = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    deal_id = UnicodeAttribute(null=True)  # the open deal the call is on the timeline of
    party_resolved = NumberAttribute(default=0)  # 1 once the customer was looked up (or made)
    user_id = UnicodeAttribute(null=True)  # the employee who answered or placed it
    extension = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    answered_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    disposition = UnicodeAttribute(null=True)  # answered | missed | busy | failed, once it ended
    end_reason = UnicodeAttribute(null=True)  # no_end_reported: closed by its timer, the provider never said it ended
    contact_skipped = UnicodeAttribute(null=True)  # plan_limit: the unknown caller was not saved as a contact
    duration_seconds = NumberAttribute(null=True)  # talk time
    seq = NumberAttribute(default=-1)  # the highest provider sequence number applied (Mango)
    recording_ref = JSONAttribute(null=True)  # what the provider needs to hand the recording over
    recording_key = UnicodeAttribute(null=True)  # the S3 object once fetched
    recording_type = UnicodeAttribute(null=True)
    task_id = UnicodeAttribute(null=True)  # the call-back task of a missed call
    returned_call_id = UnicodeAttribute(null=True)  # the later answered call with the same number
    returned_at = UTCDateTimeAttribute(null=True)
    callback_of = UnicodeAttribute(null=True)  # this call returned that missed call


class CallRow(ListRow, discriminator="call_row"):
    """What the list of calls shows of one."""

    personal = ListRow.personal | frozenset({"from_number", "to_number"})

    direction = UnicodeAttribute()
    status = UnicodeAttribute()
    from_number = UnicodeAttribute(null=True)
    to_number = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    end_reason = UnicodeAttribute(null=True)
    contact_skipped = UnicodeAttribute(null=True)
    has_recording = NumberAttribute(default=0)
    provider = UnicodeAttribute(null=True)
    task_id = UnicodeAttribute(null=True)
    returned_call_id = UnicodeAttribute(null=True)
    returned_at = UTCDateTimeAttribute(null=True)


class CallRef(MainTable, discriminator="call_ref"):
    """A provider's call id -> our call."""

    call_id = UnicodeAttribute()


class DialRequest(MainTable, discriminator="call_dial"):
    """A click-to-call whose call the provider has not yet reported."""

    call_id = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()  # read past it, it is ignored (moto never expires TTL items)


class CallbackDue(MainTable, discriminator="call_callback"):
    """A missed inbound call from a number, with its call-back task, until someone talks to that number."""

    call_id = UnicodeAttribute()
    task_id = UnicodeAttribute(null=True)
    missed_at = UTCDateTimeAttribute()


class CallStats(MainTable, discriminator="call_stats"):
    """Counters of one day, one employee (``-``: nobody) and one direction."""

    day = UnicodeAttribute()
    user_id = UnicodeAttribute()
    direction = UnicodeAttribute()
    calls = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)
    missed = NumberAttribute(default=0)
    busy = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    talk_seconds = NumberAttribute(default=0)
    callbacks = NumberAttribute(default=0)  # missed calls called back
    callback_seconds = NumberAttribute(default=0)  # their total time from missed to called back
