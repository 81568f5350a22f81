"""Routes of documents: a record's documents (issue, list), one document (read, its PDF's link, send), the
company's templates (with the built-in ones and a preview) and its requisites."""

from __future__ import annotations

import base64
from typing import Any

from chalicelib.core.http import Api, ApiRequest
from chalicelib.documents import defaults, requisites, sending, service, templates
from chalicelib.documents import schemas as s
from chalicelib.documents.sources import SOURCES

api = Api(__name__, tag="documents")
TEMPLATES = "/api/v1/document-templates"
PLURALS = {"deal": "deals", "order": "orders"}


def _declare_source(kind: str) -> None:
    """A record kind's documents under its own path (``/api/v1/deals/{deal_id}/documents``)."""
    path = f"/api/v1/{PLURALS[kind]}/{{{kind}_id}}/documents"

    def documents_list(request: ApiRequest, **ids: str) -> s.DocumentPage:
        page = service.list_documents(request.tenant, kind, ids[f"{kind}_id"], limit=request.query.limit,
                                      cursor=request.query.cursor)
        found = requisites.get(request.tenant)
        return s.DocumentPage(items=[service.document_read(d) for d in page.items], next_cursor=page.next_cursor,
                              document_locale=requisites.in_use_locale(request.tenant, found),
                              requisites_missing=requisites.missing(found))

    def documents_create(request: ApiRequest, **ids: str) -> s.DocumentRead:
        return service.document_read(service.issue(request.tenant, kind, ids[f"{kind}_id"], data=request.body))

    documents_list.__name__ = f"{kind}_documents_list"  # operation ids (and Chalice's view names) are unique
    documents_create.__name__ = f"{kind}_documents_create"
    api.route(path, summary=f"The documents of a {kind}, oldest first", query=s.ListQuery,
              response=s.DocumentPage, errors=(403, 404))(documents_list)
    api.route(path, method="POST", summary=f"Issue a quote, invoice or delivery note of a {kind} (numbered, as PDF)",
              body=s.DocumentCreate, response=s.DocumentRead, status=201,
              errors=(402, 403, 404, 409, 422))(documents_create)


for _kind in SOURCES:
    _declare_source(_kind)


@api.route("/api/v1/documents/{document_id}", summary="One document", response=s.DocumentRead, errors=(403, 404))
def documents_get(request: ApiRequest, document_id: str) -> s.DocumentRead:
    return service.document_read(service.get_or_raise(request.tenant, document_id))


@api.route("/api/v1/documents/{document_id}/link", summary="A five-minute link to a document's PDF (an audited read)",
           query=s.DocumentLinkQuery, response=s.DocumentLinkOut, errors=(403, 404))
def documents_link(request: ApiRequest, document_id: str) -> dict[str, Any]:
    return service.link(request.tenant, document_id, download=request.query.download)


@api.route("/api/v1/documents/{document_id}/send", method="POST",
           summary="Send a document by e-mail (the PDF attached) or in the customer's messenger conversation",
           body=s.DocumentSendIn, response=s.DocumentRead, errors=(403, 404, 409, 422, 502))
def documents_send(request: ApiRequest, document_id: str) -> s.DocumentRead:
    return service.document_read(sending.send(request.tenant, document_id, data=request.body))


@api.route(TEMPLATES, summary="The company's document templates", query=s.ListQuery, response=s.DocumentTemplatePage,
           errors=(403,))
def document_templates_list(request: ApiRequest) -> s.DocumentTemplatePage:
    page = templates.list_templates(request.tenant, limit=request.query.limit, cursor=request.query.cursor)
    return s.DocumentTemplatePage(items=[templates.template_read(t) for t in page.items], next_cursor=page.next_cursor)


@api.route(TEMPLATES + "/built-in", summary="The built-in templates (English, Russian) and what a template may print",
           response=s.DocumentBuiltInList, errors=(403,))
def document_templates_built_in(request: ApiRequest) -> s.DocumentBuiltInList:
    templates.require_read(request.tenant)
    country = service.company_country(request.tenant)  # a British company starts from "VAT No.", "Company No."
    return s.DocumentBuiltInList(items=[s.DocumentBuiltInTemplate(type=doc_type, locale=locale,
                                                                  body=defaults.body(doc_type, locale, country))
                                        for (doc_type, locale) in defaults.BUILT_IN],
                                 variables=service.VARIABLES)


@api.route(TEMPLATES, method="POST", summary="Make a document template (checked in the sandbox)",
           body=s.DocumentTemplateCreate, response=s.DocumentTemplateRead, status=201, errors=(403, 422))
def document_templates_create(request: ApiRequest) -> s.DocumentTemplateRead:
    return templates.template_read(templates.create(request.tenant, data=request.body))


@api.route(TEMPLATES + "/preview", method="POST", summary="A template's PDF with sample values or a deal's (not kept)",
           body=s.DocumentPreviewIn, response=s.DocumentPreviewOut, errors=(403, 404, 422))
def document_templates_preview(request: ApiRequest) -> s.DocumentPreviewOut:
    pdf_bytes = sending.preview(request.tenant, data=request.body)
    return s.DocumentPreviewOut(pdf_base64=base64.b64encode(pdf_bytes).decode(), size=len(pdf_bytes))


@api.route(TEMPLATES + "/{template_id}", summary="One document template", response=s.DocumentTemplateRead,
           errors=(403, 404))
def document_templates_get(request: ApiRequest, template_id: str) -> s.DocumentTemplateRead:
    return templates.template_read(templates.get_or_raise(request.tenant, template_id))


@api.route(TEMPLATES + "/{template_id}", method="PATCH", summary="Change a document template",
           body=s.DocumentTemplateUpdate, response=s.DocumentTemplateRead, errors=(403, 404, 409, 422))
def document_templates_update(request: ApiRequest, template_id: str) -> s.DocumentTemplateRead:
    return templates.template_read(templates.update(request.tenant, template_id, data=request.body))


@api.route(TEMPLATES + "/{template_id}", method="DELETE", summary="Delete a document template", status=204,
           errors=(403, 404))
def document_templates_delete(request: ApiRequest, template_id: str) -> None:
    templates.delete(request.tenant, template_id)


@api.route("/api/v1/document-settings/requisites", summary="The company's requisites that documents print",
           response=s.RequisitesRead, errors=(403,))
def document_requisites_get(request: ApiRequest) -> s.RequisitesRead:
    return requisites.show(request.tenant)


@api.route("/api/v1/document-settings/requisites", method="PUT",
           summary="Set the company's requisites (legal name, tax ids, bank details, address)",
           body=s.RequisitesIn, response=s.RequisitesRead, errors=(403, 409, 422))
def document_requisites_put(request: ApiRequest) -> s.RequisitesRead:
    return requisites.replace(request.tenant, data=request.body)
