"""Routes of the reports read from counters: funnel, sources, managers, communications (JSON or CSV)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core.http import API_HEADERS, Api, ApiRequest
from chalicelib.reports import schemas as s
from chalicelib.reports import service
from chalicelib.reports.orders import OrdersReport
from chalicelib.reports.taskcounts import TaskCounts
from chalicelib.reports.tickets import TicketReport, TicketReportQuery

api = Api(__name__, tag="reports")


class _Row:
    """A report row without the columns the caller's role may not read (a CSV line or a JSON item)."""

    def __init__(self, row: Any, hidden: frozenset[str]) -> None:
        self.row, self.hidden = row, hidden

    def model_dump(self, **options: Any) -> dict[str, Any]:
        return {k: v for k, v in self.row.model_dump(**options).items() if k not in self.hidden}


def _answer(report: Any, name: str, request: ApiRequest, *, items: Any = None, key: str = "items") -> Any:
    from chalicelib.records import types
    from chalicelib.records.fieldaccess import service as field_rules

    # Revenue and value sum deals' amounts: a role that may not read the amount sees neither (#21 item 10).
    hidden = frozenset({"revenue", "value"}) if "amount" in field_rules.hidden(request.tenant, types.get("deal")) \
        else frozenset()
    if request.query.format != "csv":
        answer = report.model_dump(mode="json", by_alias=True)  # "from", as the query and the schema name it
        rows = [_Row(row, hidden) for row in getattr(report, key)]
        return answer if not hidden else {**answer, key: [row.model_dump(mode="json") for row in rows]}
    rows = [_Row(row, hidden) for row in (report.items if items is None else items)]
    body = service.as_csv(rows)  # type: ignore[arg-type]
    return Response(body=body, status_code=200, headers={
        **API_HEADERS, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}-{report.from_}-{report.to}.csv"'})


@api.route("/api/v1/reports/funnel", summary="A pipeline's funnel: conversion per stage, time in stage, value, "
           "won and lost, lost reasons", query=s.FunnelQuery, response=s.FunnelRead, errors=(403, 404, 422))
def reports_funnel(request: ApiRequest) -> Any:
    from chalicelib.reports import funnel

    report = funnel.funnel(request.tenant, query=request.query)
    return _answer(report, "funnel", request, items=funnel.csv_rows(report), key="stages")


@api.route("/api/v1/reports/sources", summary="Lead sources: leads, deals, won deals and won revenue per source",
           query=s.ReportQuery, response=s.SourcesReport, errors=(403, 422))
def reports_sources(request: ApiRequest) -> Any:
    return _answer(service.sources(request.tenant, query=request.query), "sources", request)


@api.route("/api/v1/reports/managers", summary="Per employee: deals won and lost, revenue, tasks, calls, messages",
           query=s.ReportQuery, response=s.ManagersReport, errors=(403, 422))
def reports_managers(request: ApiRequest) -> Any:
    return _answer(service.managers(request.tenant, query=request.query), "managers", request)


@api.route("/api/v1/reports/communications", summary="Channel mix: calls and messages by channel and direction",
           query=s.ReportQuery, response=s.CommunicationsReport, errors=(403, 422))
def reports_communications(request: ApiRequest) -> Any:
    return _answer(service.communications(request.tenant, query=request.query), "communications", request)


@api.route("/api/v1/reports/tasks", summary="The dashboard's task tiles: open tasks due today and overdue ones (due "
           "time passed), the caller's own or, for a role that reads others' tasks, all she may read",
           response=TaskCounts, errors=(403,))
def reports_tasks(request: ApiRequest) -> Any:
    from chalicelib.reports import taskcounts

    return taskcounts.task_counts(request.tenant).model_dump(mode="json")


@api.route("/api/v1/reports/orders", summary="Orders: revenue, payments received and time to payment, per day",
           query=s.ReportQuery, response=OrdersReport, errors=(403, 422))
def reports_orders(request: ApiRequest) -> Any:
    from chalicelib.reports import orders

    return orders.answer(request.tenant, request.query)


@api.route("/api/v1/reports/tickets", summary="Tickets: volumes, SLA compliance and CSAT by priority, channel, "
                                              "assignee or day", query=TicketReportQuery, response=TicketReport,
           errors=(403, 422))
def reports_tickets(request: ApiRequest) -> Any:
    from chalicelib.reports import tickets

    return tickets.answer(request.tenant, request.query)
