"""Routes of the notes domain."""

from __future__ import annotations

import chalicelib.notes.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.core.http import Api, ApiRequest
from chalicelib.notes import schemas as s
from chalicelib.notes import service

api = Api(__name__, tag="notes")


@api.route("/api/v1/notes", method="POST", summary="Write a note on a contact, company or deal",
           body=s.NoteCreate, response=s.NoteRead, status=201, errors=(403, 404, 422))
def notes_create(request: ApiRequest) -> s.NoteRead:
    body = request.body
    return service.note_read(service.create(request.tenant, subject_type=body.subject.type,
                                            subject_id=body.subject.id, text=body.text))


@api.route("/api/v1/notes/{note_id}", summary="One note", response=s.NoteRead, errors=(404,))
def notes_get(request: ApiRequest, note_id: str) -> s.NoteRead:
    return service.note_read(service.get_or_raise(request.tenant, note_id))


@api.route("/api/v1/notes/{note_id}", method="PATCH", summary="Change a note's text (author or administrators)",
           body=s.NoteEdit, response=s.NoteRead, errors=(403, 404, 409))
def notes_update(request: ApiRequest, note_id: str) -> s.NoteRead:
    body = request.body
    return service.note_read(service.update(request.tenant, note_id, text=body.text, version=body.version))


@api.route("/api/v1/notes/{note_id}", method="DELETE", summary="Delete a note (author or administrators)",
           status=204, errors=(403, 404))
def notes_delete(request: ApiRequest, note_id: str) -> None:
    service.delete(request.tenant, note_id)
