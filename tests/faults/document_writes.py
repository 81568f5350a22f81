"""Requests that succeed on the document routes (#23), for the fault walk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.faults.fresh import Call, Fresh


def _document(fresh: Fresh) -> dict[str, Any]:
    return fresh.post(f"/api/v1/deals/{fresh.deal()['id']}/documents", {"type": "invoice"})


def _template(fresh: Fresh) -> dict[str, Any]:
    return fresh.post("/api/v1/document-templates", {"type": "quote", "name": "Faulty template",
                                                     "body": "<p>{{ document.number }}</p>"})


def _requisites(fresh: Fresh) -> Call:
    current = fresh.get("/api/v1/document-settings/requisites")  # sealed: the write meets KMS
    return Call("PUT", "/api/v1/document-settings/requisites", fresh.owner,
                {"version": current["version"], "legal_name": "Faulty Trading Ltd", "tax_id": "FT-1"})


def _send(fresh: Fresh) -> Call:
    return Call("POST", f"/api/v1/documents/{_document(fresh)['id']}/send", fresh.owner,
                {"channel": "email", "to": "faulty.customer@example.com"})


def _update(fresh: Fresh) -> Call:
    template = _template(fresh)
    return Call("PATCH", f"/api/v1/document-templates/{template['id']}", fresh.owner,
                {"version": template["version"], "name": "Renamed template", "is_default": True})


DOCUMENT_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/deals/{deal_id}/documents": lambda fresh: Call(
        "POST", f"/api/v1/deals/{fresh.deal()['id']}/documents", fresh.owner, {"type": "quote"}),
    "POST /api/v1/documents/{document_id}/send": _send,
    "PUT /api/v1/document-settings/requisites": _requisites,
    "PATCH /api/v1/document-templates/{template_id}": _update,
    "DELETE /api/v1/document-templates/{template_id}": lambda fresh: Call(
        "DELETE", f"/api/v1/document-templates/{_template(fresh)['id']}", fresh.owner),
}
