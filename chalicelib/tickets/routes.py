"""Routes of tickets: the queue, a ticket's card and changes (the engine's trash, restore, timeline), its status,
replies, one-click tickets from a message or a call, the SLA settings and the public rating page (the tickets
report is the reports package's: ``reports.tickets``)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core import db
from chalicelib.core.http import FORM, Api, ApiRequest, json_response
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import card, routes
from chalicelib.records.fieldaccess import service as field_rules
from chalicelib.records.fieldaccess import views as shown
from chalicelib.tickets import answers, csat_page, service, sla, sources, statuses
from chalicelib.tickets import schemas as s
from chalicelib.tickets.models import TicketRow
from chalicelib.tickets.record import TICKET, read

api = Api(__name__, tag="tickets")
BASE = "/api/v1/tickets"
ITEM = BASE + "/{ticket_id}"


def summary(row: TicketRow, names: dict[str, str] | None = None) -> s.TicketSummary:
    """A queue row as the API shows it (its customer named from names: by contact id, else by conversation id)."""
    named = (names or {}).get(row.contact_id or "") if row.contact_id else (names or {}).get(row.conversation_id or "")
    return s.TicketSummary(
        id=row.record_id, subject=row.subject, status=row.status, priority=row.priority,  # type: ignore[arg-type]
        channel=row.channel,  # type: ignore[arg-type]
        contact_id=row.contact_id, contact_name=named,
        sla=s.Sla(first_response_due=row.first_response_due, resolution_due=row.resolution_due,
                  first_response_at=row.first_response_at, resolved_at=row.resolved_at,
                  breached=list(row.breached or []), paused_at=row.paused_at),
        csat_score=None if row.csat_score is None else int(row.csat_score), tags=sorted(row.tags or ()),
        owner_id=row.owner_id, team_id=row.team_id, created_at=row.created_at, updated_at=row.updated_at,
        deleted_at=row.deleted_at, version=int(row.version))


def _page(page: db.Page[TicketRow], names: dict[str, str] | None = None) -> s.TicketPage:
    return s.TicketPage(next_cursor=page.next_cursor, items=[summary(row, names) for row in page.items])


def _named_page(ctx: TenantContext, page: db.Page[TicketRow]) -> s.TicketPage:
    """A page of the queue with each ticket's customer named (one BatchGetItem of the page's contacts, and of the
    conversations of tickets without one, read now: ``customer.names``), as a triaging agent sees whom each request
    is from."""
    from chalicelib.tickets import customer

    contact_ids = [row.contact_id for row in page.items if row.contact_id]
    conversation_ids = [row.conversation_id for row in page.items if not row.contact_id and row.conversation_id]
    named = customer.names(ctx, contact_ids, conversation_ids) if contact_ids or conversation_ids else {}
    return _page(page, named)


def _card(ctx: TenantContext, ticket_id: str) -> s.TicketCard:
    from chalicelib.tickets import customer

    found = card.card(ctx, TICKET, ticket_id)
    # whoever may read the ticket sees whom it is from (one read), though the contact's card may stay closed to them
    return s.TicketCard(**read(ctx, found.record).model_dump(), **found.parts(), **customer.of(ctx, found.record))


routes.declare(api, TICKET, routes.Views(
    read=read, read_schema=s.TicketRead, page=_page, page_schema=s.TicketPage, list_query=s.TicketListQuery,
    card=_card, card_schema=s.TicketCard), skip=("list",))


def _shown(request: ApiRequest, ticket: Any) -> Any:
    return shown.record(request.tenant, TICKET, read(request.tenant, ticket))


@api.route(BASE, summary="The tickets queue: open tickets by default, by status, priority, channel, assignee, contact "
                         "or the subject's words", query=s.TicketListQuery, response=s.TicketPage, errors=(400, 403))
def tickets_list(request: ApiRequest) -> Any:
    return shown.page(request.tenant, TICKET, _named_page(request.tenant, service.list_tickets(request.tenant,
                                                                                                 request.query)))


@api.route(BASE, method="POST", summary="Open a ticket (its SLA clock starts)", body=s.TicketCreate,
           response=s.TicketRead, status=201, errors=(403, 404, 422))
def tickets_create(request: ApiRequest) -> Any:
    field_rules.check_request(request.tenant, TICKET, request.body, create=True)
    return _shown(request, service.create(request.tenant, request.body))


@api.route(ITEM, method="PATCH", summary="Change a ticket (with its version); a new priority moves its due times",
           body=s.TicketUpdate, response=s.TicketRead, errors=(403, 404, 409, 422))
def tickets_update(request: ApiRequest, ticket_id: str) -> Any:
    field_rules.check_request(request.tenant, TICKET, request.body, create=False)
    return _shown(request, service.update(request.tenant, ticket_id, request.body))


@api.route(ITEM + "/status", method="POST", summary="Move a ticket to another status (new, open, pending, resolved, "
                                                    "closed: only allowed transitions)",
           body=s.StatusChange, response=s.TicketRead, errors=(403, 404, 409, 422))
def tickets_status(request: ApiRequest, ticket_id: str) -> Any:
    return _shown(request, statuses.set_status(request.tenant, ticket_id, request.body))


@api.route(ITEM + "/replies", method="POST", summary="Answer a ticket: a comment, or a message on its conversation "
                                                     "(the first answer stops the first-response clock)",
           body=s.ReplyIn, response=s.TicketRead, errors=(403, 404, 409, 422, 502))
def tickets_reply(request: ApiRequest, ticket_id: str) -> Any:
    return _shown(request, answers.reply(request.tenant, ticket_id, request.body))


@api.route(BASE + "/from-message", method="POST", summary="Make a ticket of a customer's message (one per message)",
           body=s.FromMessage, response=s.TicketRead, status=201, errors=(403, 404, 409, 422))
def tickets_from_message(request: ApiRequest) -> Response:
    ticket, made = sources.from_message(request.tenant, request.body)
    return json_response(_shown(request, ticket), status=201 if made else 200)


@api.route(BASE + "/from-call", method="POST", summary="Make a ticket of a call (one per call)",
           body=s.FromCall, response=s.TicketRead, status=201, errors=(403, 404, 409, 422))
def tickets_from_call(request: ApiRequest) -> Response:
    ticket, made = sources.from_call(request.tenant, request.body)
    return json_response(_shown(request, ticket), status=201 if made else 200)


@api.route("/api/v1/ticket-settings", summary="Business hours, time zone, holidays, SLA targets and CSAT",
           response=s.SettingsRead, errors=(403,))
def ticket_settings_get(request: ApiRequest) -> Any:
    from chalicelib.core import permissions

    permissions.require(request.tenant, "tickets", "read")
    return sla.view(request.tenant, sla.get_settings(request.tenant))


@api.route("/api/v1/ticket-settings", method="PUT", summary="Change the business hours, SLA targets or CSAT "
                                                           "(tickets made before keep their due times)",
           body=s.SettingsIn, response=s.SettingsRead, errors=(403, 409, 422))
def ticket_settings_put(request: ApiRequest) -> Any:
    return sla.view(request.tenant, sla.update_settings(request.tenant, request.body))


@api.route("/csat/{token}", summary="The public rating page of a closed ticket (no sign-in)", public=True,
           in_schema=False)
def csat_form(request: ApiRequest, token: str) -> Response:
    return csat_page.form(token, lang=(request.raw.query_params or {}).get("lang"))


@api.route("/csat/{token}", method="POST", summary="A customer's rating of a closed ticket (1 to 5, a comment)",
           public=True, in_schema=False, raw_body=True, content_types=(FORM,))
def csat_answer(request: ApiRequest, token: str) -> Response:
    return csat_page.submit(token, request.raw.raw_body or b"")
