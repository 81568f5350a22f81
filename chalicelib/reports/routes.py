"""Routes of the reports read from counters: sources, managers, communications (JSON or CSV)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core.http import API_HEADERS, Api, ApiRequest
from chalicelib.reports import schemas as s
from chalicelib.reports import service

api = Api(__name__, tag="reports")


def _answer(report: Any, name: str, request: ApiRequest) -> Any:
    if request.query.format != "csv":
        return report
    body = service.as_csv(report.items)
    return Response(body=body, status_code=200, headers={
        **API_HEADERS, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}-{report.from_}-{report.to}.csv"'})


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
