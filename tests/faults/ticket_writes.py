"""Requests that succeed on the ticket and knowledge base routes (#24), for the fault walk: a fresh ticket, message,
call or article for each case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.faults.fresh import Call, Fresh, unique_key


def _ticket(fresh: Fresh) -> dict[str, Any]:
    return fresh.post("/api/v1/tickets", {"subject": "Faulty ticket"})


def _status(fresh: Fresh) -> Call:
    ticket = _ticket(fresh)
    return Call("POST", f"/api/v1/tickets/{ticket['id']}/status", fresh.owner,
                {"version": ticket["version"], "status": "pending"})


def _reply(fresh: Fresh) -> Call:
    ticket = _ticket(fresh)
    return Call("POST", f"/api/v1/tickets/{ticket['id']}/replies", fresh.owner, {"text": "Faulty answer"})


def _from_message(fresh: Fresh) -> Call:
    conversation = fresh.record("conversation_id")
    [message] = fresh.get(f"/api/v1/conversations/{conversation['id']}/messages")["items"]
    return Call("POST", "/api/v1/tickets/from-message", fresh.owner,
                {"conversation_id": conversation["id"], "message_id": message["id"]})


def _from_call(fresh: Fresh) -> Call:
    return Call("POST", "/api/v1/tickets/from-call", fresh.owner, {"call_id": fresh.record("call_id")["id"]})


def _settings(fresh: Fresh) -> Call:
    version = fresh.get("/api/v1/ticket-settings")["version"]
    return Call("PUT", "/api/v1/ticket-settings", fresh.owner, {"version": version, "opens": "08:00"})


def _article(fresh: Fresh) -> dict[str, Any]:
    return fresh.post("/api/v1/kb/articles", {"title": f"Faulty article {unique_key('a')}", "body": "Some *words*"})


def _article_change(fresh: Fresh) -> Call:
    made = _article(fresh)
    return Call("PATCH", f"/api/v1/kb/articles/{made['id']}", fresh.owner,
                {"version": made["version"], "body": "Changed words", "visibility": "public"})


def _article_delete(fresh: Fresh) -> Call:
    return Call("DELETE", f"/api/v1/kb/articles/{_article(fresh)['id']}", fresh.owner)


def _site(fresh: Fresh) -> Call:
    version = fresh.get("/api/v1/kb/site")["version"]
    return Call("PUT", "/api/v1/kb/site", fresh.owner, {"version": version, "slug": unique_key("site").lower()})


TICKET_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/tickets/{ticket_id}/status": _status,
    "POST /api/v1/tickets/{ticket_id}/replies": _reply,
    "POST /api/v1/tickets/from-message": _from_message,
    "POST /api/v1/tickets/from-call": _from_call,
    "PUT /api/v1/ticket-settings": _settings,
    "POST /api/v1/kb/articles": lambda fresh: Call("POST", "/api/v1/kb/articles", fresh.owner,
                                                   {"title": f"Faulty article {unique_key('n')}"}),
    "PATCH /api/v1/kb/articles/{article_id}": _article_change,
    "DELETE /api/v1/kb/articles/{article_id}": _article_delete,
    "PUT /api/v1/kb/site": _site,
}
