"""The tickets report (#24 with #19): volumes, SLA compliance and CSAT per day, assignee, priority and channel.

Read from the counters each ticket write adds in its own transaction (``tickets.sla.count``, as orders and the
messengers keep theirs): one Query of ``T#<tid>#TKSTATS`` for the period, summed in memory, within the caller's
scope of tickets (a counter carries its assignee and team). Days are the company's days (its time zone's clock).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from chalicelib.core import db, errors, permissions
from chalicelib.core.schema import Schema
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.identity import zones
from chalicelib.tickets.models import STATS_PARTITION, TicketStats

NUMBERS = ("created", "first_responses", "first_response_met", "first_response_seconds", "resolved", "resolution_met",
           "reopened", "breached_first_response", "breached_resolution", "csat_answers", "csat_sum", "csat_good")
MAX_DAYS = 366


class TicketReportQuery(Schema):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    by: str = Field(default="priority", pattern=r"^(priority|channel|owner_id|day)$")
    format: str = Field(default="json", pattern=r"^(json|csv)$")


class TicketReportRow(BaseModel):
    key: str | None
    created: int
    first_responses: int
    first_response_on_time: float | None = Field(description="Share of first responses within target (0..1)")
    avg_first_response_seconds: int | None
    resolved: int = Field(description="Resolutions: a ticket resolved, reopened and resolved again counts twice, "
                                      "each judged against the due time its clock had then")
    resolution_on_time: float | None
    reopened: int = Field(default=0, description="Resolved or closed tickets opened again (by the customer or staff)")
    breaches: int
    csat_answers: int
    csat_average: float | None
    csat_good_share: float | None = Field(description="Share of 4 and 5 ratings (0..1)")


class TicketReport(BaseModel):
    from_: date = Field(alias="from")
    to: date
    by: str
    total: TicketReportRow
    items: list[TicketReportRow]

    model_config = {"populate_by_name": True}


def _period(ctx: TenantContext, query: TicketReportQuery) -> tuple[date, date]:
    """The report's days: the company's days, as the counters are kept, 30 up to the company's today by default."""
    end = query.to or zones.company_day(ctx, db.utcnow())
    start = query.from_ or end - timedelta(days=29)
    if start > end or (end - start).days >= MAX_DAYS:
        raise errors.ValidationError(details=[{"loc": ["query", "from"], "type": "invalid_period",
                                               "msg": f"from must precede to by at most {MAX_DAYS} days"}])
    return start, end


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _row(key: str | None, n: dict[str, int]) -> TicketReportRow:
    return TicketReportRow(
        key=key, created=n["created"], first_responses=n["first_responses"],
        first_response_on_time=_share(n["first_response_met"], n["first_responses"]),
        avg_first_response_seconds=(n["first_response_seconds"] // n["first_responses"]) if n["first_responses"]
        else None,
        resolved=n["resolved"], resolution_on_time=_share(n["resolution_met"], n["resolved"]),
        reopened=n["reopened"],
        breaches=n["breached_first_response"] + n["breached_resolution"], csat_answers=n["csat_answers"],
        csat_average=round(n["csat_sum"] / n["csat_answers"], 2) if n["csat_answers"] else None,
        csat_good_share=_share(n["csat_good"], n["csat_answers"]))


def tickets(ctx: TenantContext, query: TicketReportQuery) -> TicketReport:
    """The period's ticket numbers grouped by priority, channel, assignee or day (one Query)."""
    scope = permissions.require(ctx, "tickets", "read")
    start, end = _period(ctx, query)
    with db.translate_errors():
        found = [item for item in TicketStats.query(tenant_key(ctx, STATS_PARTITION), TicketStats.sk.between(
            start.isoformat(), f"{end.isoformat()}~")) if isinstance(item, TicketStats)
            and permissions.may_touch(ctx, scope, owner_id=item.owner_id, team_id=item.team_id)]
    groups: dict[str | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(NUMBERS, 0))
    total = dict.fromkeys(NUMBERS, 0)
    for item in found:
        key = item.day if query.by == "day" else getattr(item, query.by)
        for name in NUMBERS:
            value = int(getattr(item, name) or 0)
            groups[key][name] += value
            total[name] += value
    items = [_row(key, numbers) for key, numbers in groups.items()]
    items.sort(key=lambda row: (row.key or "") if query.by == "day" else (-row.created, row.key or ""))
    return TicketReport.model_validate({"from": start, "to": end, "by": query.by, "total": _row(None, total),
                                        "items": items})


def answer(ctx: TenantContext, query: TicketReportQuery) -> Any:
    """The report as JSON, or its rows (and the total) as a CSV file."""
    report = tickets(ctx, query)
    if query.format != "csv":
        return report.model_dump(mode="json", by_alias=True)
    from chalice import Response

    from chalicelib.core.http import API_HEADERS

    return Response(body=as_csv(report), status_code=200, headers={
        **API_HEADERS, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="tickets-{report.from_}-{report.to}.csv"'})


def as_csv(report: TicketReport) -> str:
    """The report's rows as CSV."""
    import csv
    import io

    out = io.StringIO()
    fields = list(TicketReportRow.model_fields)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in [*report.items, report.total]:
        values: dict[str, Any] = row.model_dump(mode="json")
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in values.items()})
    return out.getvalue()
