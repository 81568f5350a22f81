"""Routes of the deals domain: pipelines, deals and the board (the funnel report is chalicelib.reports')."""

from __future__ import annotations

from typing import Any

import chalicelib.deals.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.core.http import Api, ApiRequest
from chalicelib.deals import board, pipeline_changes, pipelines, records, service
from chalicelib.deals import schemas as s
from chalicelib.deals.record import DEAL
from chalicelib.records import bulk, trash
from chalicelib.records import timeline as timeline_service
from chalicelib.records.fieldaccess import search as field_search
from chalicelib.records.fieldaccess import service as field_rules
from chalicelib.records.fieldaccess import views as shown
from chalicelib.records.schemas import BulkIn, BulkOut

api = Api(__name__, tag="deals")


# -- pipelines ------------------------------------------------------------------------------


@api.route("/api/v1/pipelines", summary="The company's pipelines (the default one is created on first use)",
           response=s.PipelineList)
def pipelines_list(request: ApiRequest) -> s.PipelineList:
    return s.PipelineList(items=[pipelines.pipeline_read(p) for p in pipelines.list_pipelines(request.tenant)])


@api.route("/api/v1/pipelines", method="POST", summary="Create a pipeline", body=s.PipelineCreate,
           response=s.PipelineRead, status=201, errors=(403, 422))
def pipelines_create(request: ApiRequest) -> s.PipelineRead:
    return pipelines.pipeline_read(pipelines.create_pipeline(request.tenant, request.body))


@api.route("/api/v1/pipelines/{pipeline_id}", summary="One pipeline", response=s.PipelineRead, errors=(404,))
def pipelines_get(request: ApiRequest, pipeline_id: str) -> s.PipelineRead:
    return pipelines.pipeline_read(pipelines.get_or_raise(request.tenant, pipeline_id))


@api.route("/api/v1/pipelines/{pipeline_id}", method="PATCH",
           summary="Rename a pipeline; add, rename, reorder or remove stages (move_to receives removed stages' deals)",
           body=s.PipelineUpdate, response=s.PipelineRead, errors=(403, 404, 409, 422))
def pipelines_update(request: ApiRequest, pipeline_id: str) -> s.PipelineRead:
    return pipelines.pipeline_read(pipeline_changes.update_pipeline(request.tenant, pipeline_id, request.body))


@api.route("/api/v1/pipelines/{pipeline_id}", method="DELETE", summary="Delete a pipeline that holds no deals",
           status=204, errors=(403, 404, 409))
def pipelines_delete(request: ApiRequest, pipeline_id: str) -> None:
    pipelines.delete_pipeline(request.tenant, pipeline_id)


@api.route("/api/v1/pipelines/{pipeline_id}/board", summary="The kanban board: stages with their deals and totals",
           query=s.BoardQuery, response=s.Board, errors=(403, 404))
def pipelines_board(request: ApiRequest, pipeline_id: str) -> Any:
    ctx, query = request.tenant, request.query
    gone = field_rules.hidden(ctx, DEAL)
    if gone:
        field_search.check_query(DEAL, query, gone)  # a tag filter where tags are hidden: 403
    page = board.board_page(ctx, pipeline_id, limit=query.limit, cursor=query.cursor, tag=query.tag)
    columns = board.board_columns(page, lambda deal: records.deal_read(ctx, deal))
    answer = s.Board(pipeline=pipelines.pipeline_read(page.pipeline), columns=columns,
                     totals_cover=page.totals_cover, next_cursor=page.next_cursor)  # type: ignore[arg-type]
    return _shown_board(ctx, answer)


def _shown_board(ctx: Any, answer: s.Board) -> Any:
    """The board as the caller's role may see it: its deals' hidden fields, and the stage totals of a hidden
    amount (sums of it), left out."""
    if not field_rules.hidden(ctx, DEAL):
        return answer
    data = answer.model_dump(mode="json")
    for column in data["columns"]:
        column["deals"] = shown.records(ctx, DEAL, column["deals"])
        if "amount" in field_rules.hidden(ctx, DEAL):
            column.pop("totals", None)
    return data


# -- deals ----------------------------------------------------------------------------------


@api.route("/api/v1/deals", summary="Deals of a pipeline or an owner, with filters", query=s.DealListQuery,
           response=s.DealPage, errors=(422,))
def deals_list(request: ApiRequest) -> Any:
    ctx, query = request.tenant, request.query
    gone = field_rules.hidden(ctx, DEAL)
    if gone:
        field_search.check_query(DEAL, query, gone)
    page = service.list_deals(ctx, query=query)
    items = [deal for deal in page.items if not (gone and query.q) or field_search.explains(DEAL, query.q, deal, gone)]
    return shown.page(ctx, DEAL, s.DealPage(items=[records.deal_read(ctx, deal) for deal in items],
                                            next_cursor=page.next_cursor))


@api.route("/api/v1/deals", method="POST", summary="Create a deal", body=s.DealCreate, response=s.DealRead,
           status=201, errors=(403, 404, 422))
def deals_create(request: ApiRequest) -> Any:
    ctx = request.tenant
    field_rules.check_request(ctx, DEAL, request.body, create=True)
    return shown.record(ctx, DEAL, records.deal_read(ctx, service.create(ctx, data=request.body)))


@api.route("/api/v1/deals/{deal_id}", summary="The deal card: deal, stage history, links and timeline",
           response=s.DealCard, errors=(404,))
def deals_get(request: ApiRequest, deal_id: str) -> Any:
    ctx = request.tenant
    data = shown.record(ctx, DEAL, service.card(ctx, deal_id))  # its links and timeline
    if isinstance(data, dict):
        data["deal"] = shown.record(ctx, DEAL, data["deal"])
        # its contacts and company named, as far as it shows them, and its pipeline for the stage bar (one request)
        data.update(service.people(ctx, data["deal"], with_pipeline=True, card_links=data.get("links") or ()))
    return data


@api.route("/api/v1/deals/{deal_id}", method="PATCH", summary="Change a deal", body=s.DealUpdate,
           response=s.DealRead, errors=(403, 404, 409, 422))
def deals_update(request: ApiRequest, deal_id: str) -> Any:
    ctx = request.tenant
    field_rules.check_request(ctx, DEAL, request.body, create=False)
    return shown.record(ctx, DEAL, records.deal_read(ctx, service.update(ctx, deal_id, data=request.body)))


@api.route("/api/v1/deals/bulk", method="POST", summary="Assign, tag, untag or trash many deals", body=BulkIn,
           response=BulkOut, errors=(403,))
def deals_bulk(request: ApiRequest) -> BulkOut:
    return BulkOut(items=bulk.run(request.tenant, DEAL, request.body))


@api.route("/api/v1/deals/{deal_id}", method="DELETE", summary="Move a deal to the trash (restorable for 30 days)",
           status=204, errors=(403, 404))
def deals_delete(request: ApiRequest, deal_id: str) -> None:
    service.delete(request.tenant, deal_id)


@api.route("/api/v1/deals/{deal_id}/restore", method="POST", summary="Bring a deal back from the trash",
           response=s.DealRead, errors=(403, 404, 409))
def deals_restore(request: ApiRequest, deal_id: str) -> Any:
    ctx = request.tenant
    return shown.record(ctx, DEAL, records.deal_read(ctx, service.restore(ctx, deal_id)))


@api.route("/api/v1/trash/deals", summary="Deleted deals, most recent first", query=s.DealPageQuery,
           response=s.DealPage, errors=(400, 403))
def deals_trash(request: ApiRequest) -> Any:
    ctx = request.tenant
    page = service.trashed(ctx, limit=request.query.limit, cursor=request.query.cursor)
    return shown.page(ctx, DEAL, s.DealPage(items=[records.deal_read(ctx, deal) for deal in page.items],
                                            next_cursor=page.next_cursor))


@api.route("/api/v1/trash/deals/{deal_id}", method="DELETE", summary="Purge a deleted deal for good", status=204,
           errors=(403, 404))
def deals_purge(request: ApiRequest, deal_id: str) -> None:
    trash.purge(request.tenant, DEAL, deal_id)


@api.route("/api/v1/deals/{deal_id}/move", method="POST",
           summary="Move a deal to another stage (a lost stage needs lost_reason)", body=s.DealMove,
           response=s.DealRead, errors=(403, 404, 409, 422))
def deals_move(request: ApiRequest, deal_id: str) -> Any:
    ctx = request.tenant
    return shown.record(ctx, DEAL, records.deal_read(ctx, service.move(ctx, deal_id, body=request.body)))


@api.route("/api/v1/deals/{deal_id}/timeline", summary="A deal's timeline, newest first", query=s.DealPageQuery,
           response=s.DealTimelinePage, errors=(404,))
def deals_timeline(request: ApiRequest, deal_id: str) -> s.DealTimelinePage:
    page = service.timeline(request.tenant, deal_id, limit=request.query.limit, cursor=request.query.cursor)
    entries = shown.entries(request.tenant, [timeline_service.entry_view(e) for e in page.items])
    return s.DealTimelinePage(items=[s.TimelineEntryRead(**entry) for entry in entries], next_cursor=page.next_cursor)
