"""Routes of orders: the record engine's (create, card, change, trash, timeline), its own list by status, the
live totals preview, status changes, payments, the upsert by external id and "won deal -> order"."""

from __future__ import annotations

from typing import Any

from chalicelib.core import db
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.core.tenancy import TenantContext
from chalicelib.orders import schemas as s
from chalicelib.orders.models import Order, OrderRow
from chalicelib.orders.record import ORDER, read
from chalicelib.records import card, routes, upsert
from chalicelib.records.fieldaccess import views as shown

api = Api(__name__, tag="orders")


def _customer(row: OrderRow | Order) -> tuple[str, str] | None:
    """The record an order (or its row) is for: its contact, or without one its company."""
    if row.contact_id:
        return ("contact", row.contact_id)
    return ("company", row.company_id) if row.company_id else None


def _page(page: db.Page[OrderRow], names: dict[tuple[str, str], str] | None = None) -> s.OrderPage:
    named = names or {}
    return s.OrderPage(next_cursor=page.next_cursor, items=[s.OrderSummary(
        id=row.record_id, status=row.status, currency=row.currency, total_minor=int(row.total_minor),
        paid_minor=int(row.paid_minor), contact_id=row.contact_id, company_id=row.company_id, deal_id=row.deal_id,
        lines_count=int(row.lines_count or 0),
        number=int(row.number) if row.number is not None else None, customer_name=named.get(_customer(row) or ("", "")),
        tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id, created_at=row.created_at,
        updated_at=row.updated_at, deleted_at=row.deleted_at, version=int(row.version)) for row in page.items])


def _named_page(ctx: TenantContext, page: db.Page[OrderRow]) -> s.OrderPage:
    """A page of orders with their customers' names, read now (one BatchGetItem of the page's contacts and
    companies, #20): the rows keep ids only, so a rename shows at once and no name sits on a list row."""
    from chalicelib.records import naming

    refs = [ref for ref in map(_customer, page.items) if ref]
    return _page(page, naming.record_names(ctx, refs) if refs else {})


def _card(ctx: TenantContext, order_id: str) -> s.OrderCard:
    from chalicelib.records import naming

    found = card.card(ctx, ORDER, order_id)
    order = found.record
    customer = _customer(order)
    deal = ("deal", order.deal_id) if order.deal_id else None
    # a contact's order for her company (a B2B buyer's): the company its documents name, named beside her
    company = ("company", order.company_id) if order.contact_id and order.company_id else None
    refs = [ref for ref in (customer, deal, company) if ref]
    names = naming.record_names(ctx, refs) if refs else {}  # one BatchGetItem, as a deal card names its people
    return s.OrderCard(**read(ctx, order).model_dump(), **found.parts(), customer_name=names.get(customer or ("", "")),
                       deal_name=names.get(deal or ("", "")), company_name=names.get(company or ("", "")))


routes.declare(api, ORDER, routes.Views(
    read=read, read_schema=s.OrderRead, page=_page, page_schema=s.OrderPage, list_query=s.OrderListQuery,
    create=s.OrderCreate, update=s.OrderUpdate, card=_card, card_schema=s.OrderCard), skip=("list",))


def _answer(request: ApiRequest, order: Any, *, status: int = 200) -> Any:
    return json_response(shown.record(request.tenant, ORDER, read(request.tenant, order)), status=status)


@api.route("/api/v1/orders", summary="List orders by status, contact, company or deal, newest first",
           query=s.OrderListQuery, response=s.OrderPage, errors=(400, 403))
def orders_list(request: ApiRequest) -> Any:
    from chalicelib.orders import service

    return shown.page(request.tenant, ORDER, _named_page(request.tenant, service.list_orders(request.tenant,
                                                                                            request.query)))


@api.route("/api/v1/orders/preview", method="POST", body=s.OrderPreviewRequest, response=s.OrderPreview,
           errors=(403, 422), summary="Price lines as an order would (the editor's live totals); nothing is saved")
def orders_preview(request: ApiRequest) -> s.OrderPreview:
    from chalicelib.orders import service

    return service.preview(request.tenant, data=request.body)


@api.route("/api/v1/orders/{order_id}/status", method="POST", body=s.OrderStatusChange, response=s.OrderRead,
           errors=(403, 404, 409), summary="Move an order to its next status (confirming reserves stock)")
def orders_status(request: ApiRequest, order_id: str) -> Any:
    from chalicelib.orders import service

    return _answer(request, service.change_status(request.tenant, order_id, status=request.body.status,
                                                  version=request.body.version))


@api.route("/api/v1/orders/{order_id}/payments", method="POST", body=s.OrderPaymentIn, response=s.OrderRead,
           errors=(403, 404, 409, 422), summary="Record a payment of an order (partial payments add up)")
def orders_payment(request: ApiRequest, order_id: str) -> Any:
    from chalicelib.orders import service

    return _answer(request, service.add_payment(request.tenant, order_id, data=request.body))


@api.route("/api/v1/orders/by-external-id/{external_id}", method="PUT", body=s.OrderUpsert, response=s.OrderRead,
           errors=(403, 404, 409), summary="Create or change the order an accounting system knows by its id")
def orders_upsert(request: ApiRequest, external_id: str) -> Any:
    from chalicelib.records.fieldaccess import service as field_rules

    field_rules.check_request(request.tenant, ORDER, request.body, create=False)
    order, created = upsert.by_external_id(request.tenant, ORDER, external_id, data=request.body,
                                           create=s.OrderCreate, update=s.OrderUpdate)
    return _answer(request, order, status=201 if created else 200)


@api.route("/api/v1/deals/{deal_id}/order", method="POST", body=s.DealOrderCreate, response=s.OrderRead, status=201,
           errors=(403, 404, 409), summary="Make the order of a won deal in one step (once per deal)")
def orders_from_deal(request: ApiRequest, deal_id: str) -> Any:
    from chalicelib.orders import service

    return _answer(request, service.from_deal(request.tenant, deal_id, data=request.body), status=201)
