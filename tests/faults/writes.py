"""Requests that succeed on every write route, each on records made fresh for it (so the order of cases is free).

``build(spec, fresh)`` gives the request for a route: the generic one (a fresh record per path parameter,
the schema's sample body with the record's version) unless OVERRIDES names the route.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from chalicelib.core.http import REGISTRY, RouteSpec
from chalicelib.records import types
from tests.factories import unique_email
from tests.faults.account_writes import ACCOUNT_OVERRIDES
from tests.faults.automation_writes import AUTOMATION_OVERRIDES
from tests.faults.campaign_writes import CAMPAIGN_OVERRIDES
from tests.faults.document_writes import DOCUMENT_OVERRIDES
from tests.faults.fresh import Call, Fresh, unique_key
from tests.faults.messaging_writes import MESSAGING_OVERRIDES
from tests.faults.notification_writes import NOTIFICATION_OVERRIDES
from tests.faults.order_writes import ORDER_OVERRIDES
from tests.faults.telephony_writes import TELEPHONY_OVERRIDES
from tests.faults.ticket_writes import TICKET_OVERRIDES
from tests.records.samples import SAMPLES
from tests.registry_walk import fill_path
from tests.security.test_cross_tenant import sample_body


def generic(spec: RouteSpec, fresh: Fresh) -> Call:
    """A fresh record per path parameter; the sample body, with the version of the last record."""
    ids: dict[str, str] = {}
    version = 1
    for param in spec.path_params:
        made = fresh.record(param)
        ids[param] = made["id"]
        version = made.get("version", version)
    payload = sample_body(spec.body) if spec.body is not None else None
    if payload is not None and "version" in payload:
        payload["version"] = version
    return Call(spec.method, fill_path(spec, ids), fresh.owner, payload)


def _on(fresh: Fresh, param: str, method: str, path: str, **changes: Any) -> Call:
    made = fresh.record(param)
    return Call(method, path.replace("{" + param + "}", made["id"]), fresh.owner,
                {"version": made["version"], **changes})


def _restore(collection: str) -> Callable[[Fresh], Call]:
    def build(fresh: Fresh) -> Call:
        made = fresh.deleted(collection)
        return Call("POST", f"/api/v1/{collection}/{made['id']}/restore", fresh.owner)
    return build


def _purge(collection: str) -> Callable[[Fresh], Call]:
    def build(fresh: Fresh) -> Call:
        made = fresh.deleted(collection)
        return Call("DELETE", f"/api/v1/trash/{collection}/{made['id']}", fresh.owner)
    return build


def _task_state(action: str) -> Callable[[Fresh], Call]:
    def build(fresh: Fresh) -> Call:
        task = fresh.post("/api/v1/tasks", {"title": "Faulty task"})
        if action == "reopen":
            task = fresh.post(f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]})
        return Call("POST", f"/api/v1/tasks/{task['id']}/{action}", fresh.owner, {"version": task["version"]})
    return build


def _calendar_feed(method: str) -> Callable[[Fresh], Call]:
    """A new feed address, or the end of one just made: tenant A allows feeds first (Settings, Company)."""
    def build(fresh: Fresh) -> Call:
        tenant = fresh.get("/api/v1/tenant")
        if not tenant["calendar_feeds"]:
            allowed = fresh.client.patch("/api/v1/tenant", {"version": tenant["version"], "calendar_feeds": True},
                                         token=fresh.owner)
            assert allowed.status_code == 200, allowed.body
        if method == "DELETE":
            fresh.post("/api/v1/tasks/calendar-feed")
        return Call(method, "/api/v1/tasks/calendar-feed", fresh.owner, {} if method == "POST" else None)
    return build


def _link_contact(fresh: Fresh) -> Call:
    company, contact = fresh.record("company_id"), fresh.contact()
    return Call("POST", f"/api/v1/companies/{company['id']}/contacts", fresh.owner, {"contact_id": contact["id"]})


def _unlink_contact(fresh: Fresh) -> Call:
    linked = _link_contact(fresh)
    fresh.post(linked.path, linked.json_body)
    return Call("DELETE", f"{linked.path}/{linked.json_body['contact_id']}", fresh.owner)


def _merge(fresh: Fresh) -> Call:
    kept, other = fresh.contact(), fresh.contact()
    return Call("POST", f"/api/v1/contacts/{kept['id']}/merge", fresh.owner,
                {"other_id": other["id"], "version": kept["version"], "other_version": other["version"]})


def _bulk(plural: str, param: str) -> Callable[[Fresh], Call]:
    """Two fresh records of a type tagged at once (each its own transaction: a fault may fall between them)."""
    return lambda fresh: Call("POST", f"/api/v1/{plural}/bulk", fresh.owner, {
        "ids": [fresh.record(param)["id"], fresh.record(param)["id"]], "action": "tag", "tags": ["faulty"]})


def _move(fresh: Fresh) -> Call:
    deal = fresh.deal()
    stage = fresh.world.a.extra["pipeline"]["stages"][1]["id"]
    return Call("POST", f"/api/v1/deals/{deal['id']}/move", fresh.owner, {"version": deal["version"],
                                                                         "stage_id": stage})


def _import_start(fresh: Fresh) -> Call:
    preview = fresh.import_preview()
    return Call("POST", f"/api/v1/imports/{preview['id']}/start", fresh.owner, {"version": preview["version"]})


def _import_undo(fresh: Fresh) -> Call:
    """A finished import (started and run by the scheduler's job), to undo as a whole (#20 item 17)."""
    from chalicelib.dataio import jobs

    preview = fresh.import_preview()
    fresh.post(f"/api/v1/imports/{preview['id']}/start", {"version": preview["version"]})
    assert jobs.run_job("import", fresh.world.a.tenant_id, preview["id"], seconds=60) == "done"
    return Call("POST", f"/api/v1/imports/{preview['id']}/undo", fresh.owner)


def _replay(fresh: Fresh) -> Call:
    integration = fresh.integration()
    event = fresh.form_event(integration)
    return Call("POST", f"/api/v1/integrations/{integration['id']}/events/{event['id']}/replay", fresh.owner)


def _form_post(fresh: Fresh) -> Call:
    key = fresh.integration()["webhook_url"].rsplit("/", 1)[1]
    fields = json.dumps({"name": "Faulty lead", "email": unique_email("lead")})
    return Call("POST", f"/hooks/forms/{key}", None, raw=fields, headers={"Content-Type": "application/json"})


def _stripe_event(fresh: Fresh) -> Call:
    """A signed Stripe event of tenant A's customer (an invoice of no subscription: stored, then ignored)."""
    from local.stripe_sandbox import sign
    from tests import stripe_kit

    customer = fresh.get("/api/v1/billing")["stripe_customer_id"]
    event = stripe_kit.sandbox().event("invoice.paid", {"id": "in_faulty", "object": "invoice", "customer": customer})
    payload = json.dumps(event)
    return Call("POST", "/hooks/stripe", None, raw=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": sign(payload.encode(), stripe_kit.webhook_secret())})


def _plan_change(fresh: Fresh) -> Call:
    """A change of plan of a company of its own, subscribed to Start through the sandbox's Checkout (tenant A stays
    on its trial, for the Checkout's own case)."""
    from urllib.parse import urlsplit

    from tests import stripe_kit
    from tests.factories import signup

    company = signup(fresh.client, company="Faulty Plans Ltd")
    url = fresh.post("/api/v1/billing/checkout", {"plan": "start"}, token=company.owner.token)["url"]
    stripe_kit.sandbox().pay(urlsplit(url).path.rsplit("/", 1)[1])
    return Call("POST", "/api/v1/billing/plan", company.owner.token, {"plan": "pro"})


def _sent(method: str, path: str, payload: Any) -> Callable[[Fresh], Call]:
    return lambda fresh: Call(method, path, fresh.owner, payload() if callable(payload) else payload)


def _record_overrides() -> dict[str, Callable[[Fresh], Call]]:
    """Create, change, restore and purge for every record type the engine lists (from its sample), where
    the type answers them through the engine's routes (a deal answers its own); bulk tagging for every type
    that offers it."""
    found: dict[str, Callable[[Fresh], Call]] = {}
    served = {f"{method} {path}" for path, method in REGISTRY}
    for rtype in types.all_types():
        found[f"POST /api/v1/{rtype.plural}/bulk"] = _bulk(rtype.plural, f"{rtype.name}_id")
        if rtype.space is None or rtype.lists is not None or rtype.name not in SAMPLES:
            continue
        item, param = f"/api/v1/{rtype.plural}/{{{rtype.name}_id}}", f"{rtype.name}_id"
        found[f"PATCH {item}"] = (lambda p, i, c: lambda f: _on(f, p, "PATCH", i, **c))(
            param, item, SAMPLES[rtype.name].change)
        found[f"POST /api/v1/{rtype.plural}"] = (lambda plural, make: lambda f: Call(
            "POST", f"/api/v1/{plural}", f.owner, make()))(rtype.plural, SAMPLES[rtype.name].create)
        found[f"POST {item}/restore"] = _restore(rtype.plural)
        found[f"DELETE /api/v1/trash/{rtype.plural}/{{{param}}}"] = _purge(rtype.plural)
    return {route: build for route, build in found.items() if route in served}


OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/billing/plan": _plan_change,
    **ACCOUNT_OVERRIDES,
    **TELEPHONY_OVERRIDES,
    **NOTIFICATION_OVERRIDES,
    **AUTOMATION_OVERRIDES,
    **CAMPAIGN_OVERRIDES,
    **DOCUMENT_OVERRIDES,
    **MESSAGING_OVERRIDES,
    **TICKET_OVERRIDES,
    **ORDER_OVERRIDES,
    **_record_overrides(),
    "POST /api/v1/api-keys": _sent("POST", "/api/v1/api-keys", {"name": "Faulty key",
                                                               "permissions": ["users:read:all"]}),
    "POST /api/v1/tasks/calendar-feed": _calendar_feed("POST"),
    "DELETE /api/v1/tasks/calendar-feed": _calendar_feed("DELETE"),
    "POST /api/v1/companies/{company_id}/contacts": _link_contact,
    "DELETE /api/v1/companies/{company_id}/contacts/{contact_id}": _unlink_contact,
    "POST /api/v1/contacts": _sent("POST", "/api/v1/contacts", {"first_name": "Faulty new",  # sealed: meets KMS
                                                               "iban": "DE89 3704 0044 0532 0130 00"}),
    "PATCH /api/v1/contacts/{contact_id}": lambda f: _on(f, "contact_id", "PATCH", "/api/v1/contacts/{contact_id}",
                                                         first_name="Renamed", passport_number="XY7654321"),
    "POST /api/v1/contacts/{contact_id}/merge": _merge,
    "POST /api/v1/custom-fields": lambda f: Call("POST", "/api/v1/custom-fields", f.owner, {
        "entity": "deal", "key": unique_key("k"), "label": "Faulty", "type": "text"}),
    "PATCH /api/v1/custom-fields/{field_id}": lambda f: _on(f, "field_id", "PATCH", "/api/v1/custom-fields/{field_id}",
                                                            label="Relabelled"),
    "PATCH /api/v1/deals/{deal_id}": lambda f: _on(f, "deal_id", "PATCH", "/api/v1/deals/{deal_id}",
                                                   title="Retitled"),
    "POST /api/v1/deals/{deal_id}/move": _move,
    "POST /api/v1/deals/{deal_id}/restore": _restore("deals"),
    "DELETE /api/v1/trash/deals/{deal_id}": _purge("deals"),
    "POST /api/v1/exports": _sent("POST", "/api/v1/exports", {"entity": "contact", "format": "csv"}),
    "POST /api/v1/imports": lambda f: Call("POST", "/api/v1/imports", f.owner, {
        "entity": "contact", "filename": "f.csv", "content_base64": base64.b64encode(b"Name\nImportee\n").decode()}),
    "POST /api/v1/imports/uploads": _sent("POST", "/api/v1/imports/uploads", {"entity": "contact",
                                                                              "filename": "f.csv"}),
    "POST /api/v1/imports/{import_id}/start": _import_start,
    "POST /api/v1/imports/{import_id}/undo": _import_undo,
    "POST /api/v1/integrations": _sent("POST", "/api/v1/integrations", {"type": "form", "name": "Faulty form"}),
    "PATCH /api/v1/integrations/{integration_id}": lambda f: _on(
        f, "integration_id", "PATCH", "/api/v1/integrations/{integration_id}", name="Renamed form"),
    "POST /api/v1/integrations/{integration_id}/rotate": lambda f: _on(
        f, "integration_id", "POST", "/api/v1/integrations/{integration_id}/rotate", what="secret"),
    "POST /api/v1/integrations/{integration_id}/events/{event_id}/replay": _replay,
    "POST /api/v1/notes": lambda f: Call("POST", "/api/v1/notes", f.owner, {
        "subject": {"type": "deal", "id": f.deal()["id"]}, "text": "Faulty note"}),
    "PATCH /api/v1/notes/{note_id}": lambda f: _on(f, "note_id", "PATCH", "/api/v1/notes/{note_id}",
                                                   text="Edited"),
    "PATCH /api/v1/pipelines/{pipeline_id}": lambda f: _on(f, "pipeline_id", "PATCH",
                                                           "/api/v1/pipelines/{pipeline_id}", name="Renamed"),
    "POST /api/v1/roles": lambda f: Call("POST", "/api/v1/roles", f.owner, {
        "key": unique_key("r"), "name": "Faulty role", "permissions": ["users:read:all"]}),
    "PATCH /api/v1/roles/{role_key}": lambda f: _on(f, "role_key", "PATCH", "/api/v1/roles/{role_key}",
                                                    name="Renamed role"),
    "PATCH /api/v1/tasks/{task_id}": lambda f: _on(f, "task_id", "PATCH", "/api/v1/tasks/{task_id}",
                                                   title="Retitled"),
    "POST /api/v1/tasks/{task_id}/complete": _task_state("complete"),
    "POST /api/v1/tasks/{task_id}/reopen": _task_state("reopen"),
    "PATCH /api/v1/teams/{team_id}": lambda f: _on(f, "team_id", "PATCH", "/api/v1/teams/{team_id}",
                                                   name="Renamed team"),
    "PATCH /api/v1/users/{user_id}": lambda f: _on(f, "user_id", "PATCH", "/api/v1/users/{user_id}",
                                                   name="Renamed member"),
    "POST /hooks/forms/{key}": _form_post,
    "POST /hooks/stripe": _stripe_event,
}


def build(spec: RouteSpec, fresh: Fresh) -> Call:
    """The request for a route that succeeds when nothing fails."""
    name = f"{spec.method} {spec.path}"
    return OVERRIDES[name](fresh) if name in OVERRIDES else generic(spec, fresh)
