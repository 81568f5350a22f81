"""Routes of the contacts domain: CRUD, search, timeline, trash, merge and undo, bulk actions (the card has its
own module, ``contacts.card.routes``: a cold Lambda's first card loads none of these)."""

from __future__ import annotations

from typing import Any

from chalice import Response

import chalicelib.contacts.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.contacts import links, merge, service, views
from chalicelib.contacts import schemas as s
from chalicelib.contacts.models import Contact, ContactRow
from chalicelib.contacts.record import CONTACT
from chalicelib.core import db
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import routes
from chalicelib.records import timeline as timeline_service
from chalicelib.records.fieldaccess import service as field_rules
from chalicelib.records.fieldaccess import views as shown

api = Api(__name__, tag="contacts")


def _read(ctx: TenantContext, contact: Contact) -> Any:
    """A contact as the caller's role may see it (the fields it may not read left out)."""
    return shown.record(ctx, CONTACT, views.contact_read(ctx, contact))


def _page(page: db.Page[ContactRow]) -> s.ContactPage:
    return s.ContactPage(items=[views.summary(row) for row in page.items], next_cursor=page.next_cursor)


@api.route("/api/v1/contacts", method="POST", summary="Create a contact (409 duplicate_contact on a match)",
           body=s.ContactCreate, response=s.ContactRead, status=201, errors=(403, 409))
def contacts_create(request: ApiRequest) -> Response:
    field_rules.check_request(request.tenant, CONTACT, request.body, create=True)
    contact, created = service.create_or_absorb(request.tenant, data=request.body)
    read = shown.record(request.tenant, CONTACT, views.contact_read(request.tenant, contact).model_dump(mode="json"))
    return json_response(read, status=201 if created else 200)


@api.route("/api/v1/contacts/{contact_id}", method="PATCH", summary="Change a contact (with its version)",
           body=s.ContactUpdate, response=s.ContactRead, errors=(403, 404, 409))
def contacts_update(request: ApiRequest, contact_id: str) -> Any:
    field_rules.check_request(request.tenant, CONTACT, request.body, create=False)
    return _read(request.tenant, service.update(request.tenant, contact_id, data=request.body))


@api.route("/api/v1/contacts/{contact_id}/timeline", summary="A contact's timeline, newest first",
           query=s.PageQuery, response=s.TimelinePage, errors=(400, 404))
def contacts_timeline(request: ApiRequest, contact_id: str) -> s.TimelinePage:
    ctx = request.tenant
    hidden = service.hidden_in_flight(ctx, service.get_or_raise(ctx, contact_id).contact_id)
    page = timeline_service.list_entries(ctx, subject_type="contact", subject_id=contact_id,
                                         limit=request.query.limit, cursor=request.query.cursor)
    entries = shown.entries(ctx, [timeline_service.entry_view(e) for e in page.items if e.sk not in hidden])
    return s.TimelinePage(items=entries, next_cursor=page.next_cursor)


@api.route("/api/v1/contacts/{contact_id}/merge", method="POST", summary="Merge another contact into this one",
           body=s.MergeIn, response=s.MergeOut, errors=(403, 404, 409))
def contacts_merge(request: ApiRequest, contact_id: str) -> dict[str, Any]:
    body = request.body
    record, contact = merge.merge(request.tenant, contact_id, other_id=body.other_id, version=body.version,
                                  other_version=body.other_version)
    return {"merge_id": record.merge_id, "status": record.status, "contact": _read(request.tenant, contact)}


@api.route("/api/v1/merges/{merge_id}/undo", method="POST", summary="Undo a merge of two contacts",
           response=s.MergeUndoOut, errors=(403, 404, 409))
def merges_undo(request: ApiRequest, merge_id: str) -> dict[str, Any]:
    ctx = request.tenant
    record, contact, other = merge.undo(ctx, merge_id)
    return {"merge_id": record.merge_id, "status": record.status, "contact": _read(ctx, contact),
            "other": _read(ctx, other)}


@api.route("/api/v1/companies/{company_id}/contacts", method="POST", summary="Link a contact to a company",
           body=s.ContactLinkIn, response=s.ContactRead, errors=(403, 404))
def companies_link_contact(request: ApiRequest, company_id: str) -> Any:
    ctx = request.tenant
    contact = links.link_contact(ctx, company_id=company_id, contact_id=request.body.contact_id)
    return _read(ctx, contact)


@api.route("/api/v1/companies/{company_id}/contacts/{contact_id}", method="DELETE",
           summary="Unlink a contact from a company", response=s.ContactRead, errors=(403, 404))
def companies_unlink_contact(request: ApiRequest, company_id: str, contact_id: str) -> Any:
    ctx = request.tenant
    return _read(ctx, links.unlink_contact(ctx, company_id=company_id, contact_id=contact_id))


routes.declare(api, CONTACT, routes.Views(
    read=views.contact_read, read_schema=s.ContactRead, page=_page, page_schema=s.ContactPage,
    list_query=s.ContactListQuery, bulk=True), skip=("get", "timeline"))
