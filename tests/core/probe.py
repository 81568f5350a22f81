"""A probe app for the foundation tests: the real middleware and route wrapper, test-only routes.

The probe takes its tenant from a header, which the real app never does (the tenant comes only
from the verified principal); it exists to exercise parsing, errors, cursors and versions through
HTTP before any domain is built on them.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice
from pydantic import Field
from pynamodb.attributes import UnicodeAttribute

from chalicelib.core import audit, db
from chalicelib.core.http import Api, ApiRequest, install_middleware
from chalicelib.core.schema import Schema
from chalicelib.core.tenancy import TenantContext, bind, new_id, tenant_key


class ProbeNote(db.VersionedItem, discriminator="probe_note"):
    text = UnicodeAttribute()


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=200)


class NoteUpdate(Schema):
    text: str = Field(min_length=1, max_length=200)
    version: int


class NotesQuery(Schema):
    limit: int = Field(default=10, ge=1, le=100)
    cursor: str | None = None


api = Api(__name__, tag="probe")


def new_tenant() -> str:
    """A tenant id with its data key (the probe's audit records are sealed under it)."""
    from chalicelib.core import crypto

    ctx = TenantContext(tenant_id=new_id(), actor_id="probe")
    with bind(ctx):
        crypto.provision_key(ctx)
    return ctx.tenant_id


def _ctx(request: ApiRequest) -> TenantContext:
    tenant_id = request.header("x-probe-tenant") or ""
    return TenantContext(tenant_id=tenant_id, actor_id="probe", request_id=request.request_id)


def note_view(note: ProbeNote) -> dict[str, Any]:
    return {"id": note.sk.split("#")[-1], "text": note.text, "version": note.version}


@api.route("/api/v1/_probe/notes", method="POST", summary="probe create", body=NoteIn, status=201, public=True)
def create_note(request: ApiRequest) -> dict[str, Any]:
    ctx = _ctx(request)
    with bind(ctx):
        note_id = new_id()
        note = ProbeNote(tenant_key(ctx, "PROBE"), f"NOTE#{note_id}", text=request.body.text)
        change = db.Change().save(note)
        audit.attach(ctx, change, note, entity="probe_note", entity_id=note_id, action="create",
                     before=None, after={"text": note.text})
        db.commit(ctx, change)
        return note_view(note)


@api.route("/api/v1/_probe/notes/{note_id}", method="PATCH", summary="probe update", body=NoteUpdate, public=True)
def update_note(request: ApiRequest, note_id: str) -> dict[str, Any]:
    ctx = _ctx(request)
    with bind(ctx):
        note = db.get(ctx, ProbeNote, tenant_key(ctx, "PROBE"), f"NOTE#{note_id}")
        if note is None:
            from chalicelib.core.errors import NotFoundError

            raise NotFoundError()
        before = {"text": note.text}
        note.version = request.body.version  # the client's view of the record: stale answers 409
        note.text = request.body.text
        change = db.Change().save(note)
        audit.attach(ctx, change, note, entity="probe_note", entity_id=note_id, action="update",
                     before=before, after={"text": note.text})
        db.commit(ctx, change)
        return note_view(note)


@api.route("/api/v1/_probe/notes", summary="probe list", query=NotesQuery, public=True)
def list_notes(request: ApiRequest) -> dict[str, Any]:
    ctx = _ctx(request)
    with bind(ctx):
        page = db.query_page(ctx, ProbeNote, tenant_key(ctx, "PROBE"), scope="probe_notes",
                             limit=request.query.limit, cursor=request.query.cursor,
                             range_key_condition=ProbeNote.sk.startswith("NOTE#"))
        return {"items": [note_view(n) for n in page.items], "next_cursor": page.next_cursor}


_app: list[Chalice] = []


def build() -> Chalice:
    """The probe app (built once: its routes register into one app)."""
    if _app:
        return _app[0]
    app = Chalice(app_name="probe")
    install_middleware(app)
    api.attach(app)
    _app.append(app)
    return app
