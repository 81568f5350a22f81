"""Reports read from the counters the feed keeps (``reports.counters``): one Query per report and period.

A report's cost grows with its days and dimensions, never with the number of deals: each is one Query of
``T#<tid>#RPT#<report>`` from ``<from>`` to ``<to>~``, then sums in memory. Record scope applies: a
counter belongs to its owner (and team), so an agent's report holds the agent's numbers only.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from chalicelib.conversations.models import ConversationStats
from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import service as identity_service
from chalicelib.messaging import threads
from chalicelib.reports import schemas as s
from chalicelib.reports.counters import day_of, report_pk
from chalicelib.reports.models import ReportCounter

DEFAULT_DAYS = 30
MAX_DAYS = 366


def period(query: s.ReportQuery, *, default_days: int = DEFAULT_DAYS,
           ctx: TenantContext | None = None) -> tuple[date, date]:
    """The report's days (the company's days: its counters are kept by them): 30 up to the company's today by
    default, at most 366; 422 when from follows to."""
    end = query.to or (day_of(ctx, db.utcnow()) if ctx is not None else db.utcnow().date())
    start = query.from_ or end - timedelta(days=default_days - 1)
    if start > end or (end - start).days >= MAX_DAYS:
        raise errors.ValidationError(details=[{"loc": ["query", "from"], "type": "invalid_period",
                                               "msg": f"from must precede to by at most {MAX_DAYS} days"}])
    return start, end


def counters(ctx: TenantContext, report: str, start: date, end: date, *, entity: str) -> list[ReportCounter]:
    """The period's counters of a report that the caller's scope of ``entity`` covers (one Query)."""
    scope = permissions.require(ctx, entity, "read")
    with db.translate_errors():
        found = ReportCounter.query(report_pk(ctx, report),
                                    ReportCounter.sk.between(start.isoformat(), f"{end.isoformat()}~"))
        return [item for item in found if isinstance(item, ReportCounter)
                and permissions.may_touch(ctx, scope, owner_id=item.owner_id, team_id=item.team_id)]


def _n(value: Any) -> int:
    return int(value or 0)


def _average(row: dict[str, int]) -> int | None:
    return row["response_seconds"] // row["responses"] if row["responses"] else None


def currency_of(ctx: TenantContext) -> str:
    """The company's currency: what a report's money is summed in."""
    tenant = identity_service.tenant_settings(ctx)
    return str(tenant.currency) if tenant is not None else "USD"


def _in(pipeline_id: str | None) -> Callable[[ReportCounter], bool]:
    """Counters of deals of that pipeline, and those of no pipeline (leads, tasks, calls, messages)."""
    return lambda item: pipeline_id is None or item.pipeline_id in (None, pipeline_id)


def sources(ctx: TenantContext, *, query: s.ReportQuery) -> s.SourcesReport:
    """Leads, deals, won deals and won revenue per lead source."""
    start, end = period(query, ctx=ctx)
    currency = currency_of(ctx)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in filter(_in(query.pipeline_id), counters(ctx, "sources", start, end, entity="deals")):
        row = rows[item.source or "manual"]
        row["leads"] += _n(item.leads)
        row["deals"] += _n(item.deals)
        row["won"] += _n(item.won)
        if item.currency in (None, currency):
            row["revenue"] += _n(item.revenue)
    items = [s.SourceRow(source=source, **{k: row[k] for k in ("leads", "deals", "won", "revenue")})
             for source, row in rows.items()]
    items.sort(key=lambda row: (-row.revenue, -row.won, -row.leads, row.source))
    return s.SourcesReport(from_=start, to=end, currency=currency, items=items)


def managers(ctx: TenantContext, *, query: s.ReportQuery) -> s.ManagersReport:
    """Per employee: deals, won and lost, revenue, tasks done and overdue, calls, messages, response time."""
    start, end = period(query, ctx=ctx)
    currency = currency_of(ctx)
    rows: dict[str | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stats in message_counters(ctx, start, end):
        row = rows[None if stats.user_id == "-" else stats.user_id]
        row["messages"] += _n(stats.inbound) + _n(stats.outbound)
        row["responses"] += _n(stats.first_responses)
        row["response_seconds"] += _n(stats.first_response_seconds)
    for item in filter(_in(query.pipeline_id), counters(ctx, "managers", start, end, entity="deals")):
        row = rows[item.owner_id]
        for name in ("deals", "won", "lost", "tasks_done", "tasks_overdue", "calls", "missed", "talk_seconds",
                     "messages", "responses", "response_seconds"):
            row[name] += _n(getattr(item, name))
        if item.currency in (None, currency):
            row["revenue"] += _n(item.revenue)
    items = [s.ManagerRow(user_id=user_id, deals=row["deals"], won=row["won"], lost=row["lost"], revenue=row["revenue"],
                          tasks_done=row["tasks_done"], tasks_overdue=row["tasks_overdue"], calls=row["calls"],
                          missed_calls=row["missed"], talk_seconds=row["talk_seconds"], messages=row["messages"],
                          avg_response_seconds=_average(row)) for user_id, row in rows.items()]
    items.sort(key=lambda row: (-row.revenue, -row.won, row.user_id or ""))
    return s.ManagersReport(from_=start, to=end, currency=currency, items=items)


def message_counters(ctx: TenantContext, start: date, end: date) -> list[ConversationStats]:
    """The messengers' own day counters (#17 adds them in each message's transaction), within the caller's scope
    of conversations: one Query of the period."""
    scope = permissions.scope_of(ctx, "conversations", "read")
    if scope is None:
        return []
    with db.translate_errors():
        found = ConversationStats.query(threads.stats_pk(ctx),
                                        ConversationStats.sk.between(start.isoformat(), f"{end.isoformat()}~"))
        return [item for item in found if isinstance(item, ConversationStats) and permissions.may_touch(
            ctx, scope, owner_id=None if item.user_id == "-" else item.user_id, team_id=None)]


def communications(ctx: TenantContext, *, query: s.ReportQuery) -> s.CommunicationsReport:
    """Per channel and direction: calls (answered, missed, talk time), messages and first-response times."""
    start, end = period(query, ctx=ctx)
    rows: dict[tuple[str, str | None], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in counters(ctx, "communications", start, end, entity="calls"):
        row = rows[(item.channel or "call", item.direction)]
        for name in ("calls", "answered", "missed", "talk_seconds", "messages", "responses", "response_seconds"):
            row[name] += _n(getattr(item, name))
    for stats in message_counters(ctx, start, end):
        rows[(stats.channel, "inbound")]["messages"] += _n(stats.inbound)
        outbound = rows[(stats.channel, "outbound")]  # an answer's wait is counted with the answers
        outbound["messages"] += _n(stats.outbound)
        outbound["responses"] += _n(stats.first_responses)
        outbound["response_seconds"] += _n(stats.first_response_seconds)
    items = [s.ChannelRow(channel=channel, direction=direction, calls=row["calls"], answered=row["answered"],
                          missed=row["missed"], talk_seconds=row["talk_seconds"], messages=row["messages"],
                          responses=row["responses"], avg_response_seconds=_average(row))
             for (channel, direction), row in rows.items()]
    items.sort(key=lambda row: (row.channel, row.direction or ""))
    return s.CommunicationsReport(from_=start, to=end, items=items)


def as_csv(rows: Iterable[BaseModel]) -> str:
    """A report's items as CSV (a header line of the fields, a line per item)."""
    out = io.StringIO()
    writer: Any = None
    for row in rows:
        values = row.model_dump(mode="json")
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(values), lineterminator="\r\n")
            writer.writeheader()
        writer.writerow({k: _cell(v) for k, v in values.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    # a spreadsheet runs a cell that starts with = + - @ as a formula: a source named by a visitor's UTM must not
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
