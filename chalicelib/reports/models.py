"""Report counters, kept as events happen (``reports.counters``), and what they remember of a deal.

- ReportCounter: pk ``T#<tid>#RPT#<report>``, sk ``<day>#<dimension values>``: one item per tenant, report,
  day (UTC) and dimensions (owner, pipeline and stage, source, channel and direction, currency), holding
  that day's numbers. A period's report is one Query of ``<from>`` to ``<to>~``: its cost grows with the
  days and dimensions, never with the number of deals. The owner and team are on every item, so a
  report keeps only what the caller's scope covers.
- ReportClaim: ``T#<tid>#RPTDONE`` / ``<event id>``, created in the transaction that adds an event's
  counters: a redelivered event finds it and adds nothing. Kept 3 days (the stream keeps records 24 h).
- DealFacts: ``T#<tid>#RPTDEAL`` / ``<deal id>``: a deal's source (from its first contact), owner,
  stage and when it entered it, and the stages it has entered, written with the counters, so time in stage,
  distinct deals per stage and won revenue by source need no read of the deal.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable

COUNTERS = (
    "leads", "deals", "entered", "value", "left", "stage_seconds", "won", "lost", "revenue", "lost_count",
    "tasks_done", "tasks_overdue", "calls", "answered", "missed", "talk_seconds", "messages",
    "responses", "response_seconds",
)


class ReportCounter(MainTable, discriminator="report_counter"):
    """One day's numbers of one report for one combination of its dimensions."""

    day = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    pipeline_id = UnicodeAttribute(null=True)
    stage_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    direction = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    leads = NumberAttribute(null=True)
    deals = NumberAttribute(null=True)
    entered = NumberAttribute(null=True)  # deals reaching the stage for the first time
    value = NumberAttribute(null=True)  # their amounts (minor units, by currency) as they reached it
    left = NumberAttribute(null=True)
    stage_seconds = NumberAttribute(null=True)
    won = NumberAttribute(null=True)
    lost = NumberAttribute(null=True)
    revenue = NumberAttribute(null=True)
    lost_count = NumberAttribute(null=True)
    tasks_done = NumberAttribute(null=True)
    tasks_overdue = NumberAttribute(null=True)
    calls = NumberAttribute(null=True)
    answered = NumberAttribute(null=True)
    missed = NumberAttribute(null=True)
    talk_seconds = NumberAttribute(null=True)
    messages = NumberAttribute(null=True)
    responses = NumberAttribute(null=True)
    response_seconds = NumberAttribute(null=True)


class ReportClaim(MainTable, discriminator="report_claim"):
    """An event whose counters were added (exactly once)."""


class DealFacts(MainTable, discriminator="report_deal_facts"):
    """What the counters need to know of a deal between its events."""

    source = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    pipeline_id = UnicodeAttribute(null=True)
    stage_id = UnicodeAttribute(null=True)
    stage_entered_at = UTCDateTimeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    amount_minor = NumberAttribute(default=0)
    status = UnicodeAttribute(default="open")
    won_at = UTCDateTimeAttribute(null=True)  # when it was won: where a later change of its amount moves revenue
    stages_seen = UnicodeSetAttribute(null=True)  # stages it has entered: a return is no new entry to the funnel
