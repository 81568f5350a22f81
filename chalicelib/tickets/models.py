"""Ticket items.

- A ticket: ``T#<tid>#TK#<ticket id>`` / ``#PROFILE`` (a record of the engine: its timeline in the same collection;
  list rows under ``T#<tid>#TKX#...``: ALL, OWNER#<assignee>, TEAM#<team>, CF#status|priority|channel|state|contact#
  <value>, TOKEN for the subject's words). The owner is the assignee.
- :class:`TicketSource`: ``T#<tid>#TKSRC`` / ``<message | call>#<id>``: the message or call a ticket was made from,
  claimed in the ticket's transaction, so a second click (or a retried one) answers the same ticket.
- :class:`CsatRequest`: ``T#<tid>#TK#<ticket id>`` / ``CSAT``: the satisfaction question sent on close (its nonce is
  in the signed link; answered once, conditionally).
- :class:`TicketSettings`: ``T#<tid>#TKSET`` / ``SETTINGS``: business hours, time zone, holidays, SLA targets per
  priority, whether CSAT is asked.
- :class:`TicketStats`: ``T#<tid>#TKSTATS`` / ``<yyyy-mm-dd>#<owner or ->#<priority>#<channel>``: counters added in
  the transaction of the write they count (created, first responses and on time, resolved and on time, reopened,
  breaches, CSAT answers and their sum), so the report is one Query of a period.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.records.models import ListRow, Record

STATS_PARTITION = "TKSTATS"  # T#<tid>#TKSTATS: the day counters (kept by tickets.sla, read by reports.tickets)


class Ticket(Record, discriminator="ticket"):
    """A customer's request or complaint, with its SLA clock; owner_id is its assignee."""

    personal = Record.personal | frozenset({"subject", "description", "csat_comment"})

    ticket_id = UnicodeAttribute()
    subject = UnicodeAttribute(default="")
    description = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(default="manual")  # web | email | whatsapp | telegram | sms | phone | manual
    priority = UnicodeAttribute(default="normal")  # low | normal | high | urgent
    status = UnicodeAttribute(default="new")  # new | open | pending | resolved | closed
    contact_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    conversation_id = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)  # the message it was made from
    first_response_due = UTCDateTimeAttribute(null=True)
    resolution_due = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    breached = ListAttribute[str](default=list)  # "first_response", "resolution": each at most once
    paused_at = UTCDateTimeAttribute(null=True)  # pending, resolved or closed: the resolution clock stopped
    resolution_left = NumberAttribute(null=True)  # seconds of business time the paused resolution clock had left
    csat_score = NumberAttribute(null=True)
    csat_comment = UnicodeAttribute(null=True)
    csat_at = UTCDateTimeAttribute(null=True)
    csat_sent_via = UnicodeAttribute(null=True)  # conversation | email | none


class TicketRow(ListRow, discriminator="ticket_row"):
    """What the tickets queue shows of one (the subject sealed in the row, under the ticket)."""

    personal = ListRow.personal | frozenset({"subject"})

    subject = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    channel = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    conversation_id = UnicodeAttribute(null=True)  # names a row without a contact (the chat's name for them)
    first_response_due = UTCDateTimeAttribute(null=True)
    resolution_due = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    breached = ListAttribute[str](null=True)
    paused_at = UTCDateTimeAttribute(null=True)
    csat_score = NumberAttribute(null=True)


class TicketSource(MainTable, discriminator="ticket_source"):
    """A message or a call a ticket was made from -> the ticket."""

    ticket_id = UnicodeAttribute()


class CsatRequest(MainTable, discriminator="ticket_csat"):
    """The satisfaction question of a closed ticket: answered at most once, before it expires."""

    ticket_id = UnicodeAttribute()
    nonce = UnicodeAttribute()
    expires = UTCDateTimeAttribute()
    answered_at = UTCDateTimeAttribute(null=True)
    send_state = UnicodeAttribute(null=True)  # sending (claimed) | sent | failed: the question goes out at most once
    send_attempts = NumberAttribute(null=True)  # sends the channel could not take (an outage), retried until expiry


class CsatAnswer(MainTable, discriminator="ticket_csat_answer"):
    """The claim of a CSAT answer (``CSAT#ANSWER#<nonce>`` in the ticket's collection): one per closing."""

    nonce = UnicodeAttribute()


class TicketSettings(VersionedItem, discriminator="ticket_settings"):
    """The company's business hours and SLA targets (minutes of business time) per priority."""

    timezone = UnicodeAttribute(null=True)  # None: the company's time zone
    days = ListAttribute(default=lambda: [0, 1, 2, 3, 4])  # type: ignore[var-annotated]  # Monday = 0
    opens = UnicodeAttribute(default="09:00")
    closes = UnicodeAttribute(default="18:00")
    holidays = ListAttribute[str](default=list)  # yyyy-mm-dd, in the business's time zone
    targets = JSONAttribute(default=dict)  # priority -> {"first_response": minutes, "resolution": minutes}
    csat = NumberAttribute(default=1)  # 1: ask on close


class TicketStats(MainTable, discriminator="ticket_stats"):
    """One day's ticket numbers for one assignee, priority and channel."""

    day = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    created = NumberAttribute(null=True)
    first_responses = NumberAttribute(null=True)
    first_response_met = NumberAttribute(null=True)
    first_response_seconds = NumberAttribute(null=True)
    resolved = NumberAttribute(null=True)
    resolution_met = NumberAttribute(null=True)
    reopened = NumberAttribute(null=True)  # resolved or closed, then open again (by the customer or staff)
    breached_first_response = NumberAttribute(null=True)
    breached_resolution = NumberAttribute(null=True)
    csat_answers = NumberAttribute(null=True)
    csat_sum = NumberAttribute(null=True)
    csat_good = NumberAttribute(null=True)  # 4 or 5
