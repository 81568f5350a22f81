"""Notes on contacts, companies and deals: written as timeline entries of their subject.

Whoever may read the subject may read its notes; the author may edit and delete a note, and so
may roles whose notes scope is "all" (owners, admins). Every change is audited in its transaction
(the pointer carries the audit chain), so a deleted note's text stays in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.notes import schemas as s
from chalicelib.notes.models import POINTER_SK, NotePointer, pointer_pk
from chalicelib.records import access, types
from chalicelib.records import timeline as timeline_service
from chalicelib.records.models import TimelineEntry

KIND = "note"


@dataclass
class Note:
    """A note: where it lives and the timeline entry that holds it."""

    pointer: NotePointer
    entry: TimelineEntry
    subject_id: str  # where it lives now: the pointer's subject, or the contact that absorbed it


def note_read(note: Note) -> s.NoteRead:
    """The API view of a note."""
    entry, data = note.entry, note.entry.data or {}
    edited = data.get("edited_at")
    return s.NoteRead(
        id=entry.entry_id, subject=s.SubjectRead(type=note.pointer.subject_type,  # type: ignore[arg-type]
                                                 id=note.subject_id),
        text=str(data.get("text", "")), author_id=note.pointer.author_id, created_at=entry.at,
        updated_at=entry.updated_at, edited_at=datetime.fromisoformat(edited) if edited else None,
        version=int(entry.version or 0),
    )


def _audit_view(note_id: str, entry: TimelineEntry) -> dict[str, Any]:
    return {"text": (entry.data or {}).get("text"), "subject_type": entry.subject_type,
            "subject_id": entry.subject_id, "note_id": note_id}


# -- reads ----------------------------------------------------------------------------------


def get(ctx: TenantContext, note_id: str) -> Note | None:
    """A note whose subject the caller may read, or None (missing, another tenant's, out of scope)."""
    permissions.require(ctx, "notes", "read")
    if not is_valid_id(note_id):
        return None
    pointer = db.get(ctx, NotePointer, pointer_pk(ctx, note_id), POINTER_SK)
    if pointer is None:
        return None
    subject_id = pointer.subject_id
    rtype = types.find(pointer.subject_type)
    if rtype is not None:  # a merged contact's entries live on in the one it was merged into
        subject_id = access.resolve(ctx, rtype, subject_id)
    try:
        access.require_visible(ctx, pointer.subject_type, subject_id, loc=["subject"])
    except errors.NotFoundError:
        return None
    entry = timeline_service.get_entry(ctx, subject_type=pointer.subject_type, subject_id=subject_id,
                                       entry_id=note_id)
    return Note(pointer=pointer, entry=entry, subject_id=subject_id) if entry is not None else None


def get_or_raise(ctx: TenantContext, note_id: str) -> Note:
    """A note the caller may read, or 404."""
    note = get(ctx, note_id)
    if note is None:
        raise errors.NotFoundError("No such note.")
    return note


def _editable(ctx: TenantContext, note_id: str, action: str) -> Note:
    """A note the caller may change: its author, or a role that may change every note."""
    note = get_or_raise(ctx, note_id)
    scope = permissions.require(ctx, "notes", action)
    if note.pointer.author_id != ctx.actor_id and scope != "all":
        raise errors.ForbiddenError("Only the author or an administrator may change this note.",
                                    code="note_author_only")
    return note


# -- writes ---------------------------------------------------------------------------------


def create(ctx: TenantContext, *, subject_type: str, subject_id: str, text: str, note_id: str | None = None) -> Note:
    """Write a note on a contact, company or deal the caller may read.

    A reverted deletion passes the note's id: its timeline entry's sort key derives from the id, so
    the note returns to its place (the items are written only where none exist).
    """
    if note_id is not None and not is_valid_id(note_id):
        raise ValueError("a note id must be a ULID")
    permissions.require(ctx, "notes", "create")
    access.require_visible(ctx, subject_type, subject_id, loc=["subject", "id"])
    change = db.Change()
    note = add_to(ctx, change, subject_type=subject_type, subject_id=subject_id, text=text, note_id=note_id)
    db.commit(ctx, change)
    return note


def add_to(ctx: TenantContext, change: db.Change, *, subject_type: str, subject_id: str, text: str,
           note_id: str | None = None) -> Note:
    """Add a note, its pointer and audit record to a change the caller commits: an import's row writes its notes in
    the transaction that creates their record, so a retried row never writes them twice (the caller checked the
    subject; the role must be allowed to write notes)."""
    permissions.require(ctx, "notes", "create")
    note_id = note_id or new_id()
    entry = timeline_service.add_entry(ctx, change, subject_type=subject_type, subject_id=subject_id, kind=KIND,
                                       summary=text, data={"text": text, "team_id": ctx.team_id},
                                       entry_id=note_id)
    pointer = NotePointer(pointer_pk(ctx, note_id), POINTER_SK, note_id=note_id, subject_type=subject_type,
                          subject_id=subject_id, author_id=ctx.actor_id)
    change.save(pointer)
    audit.attach(ctx, change, pointer, entity="note", entity_id=note_id, action="create", before=None,
                 after=_audit_view(note_id, entry))
    return Note(pointer=pointer, entry=entry, subject_id=subject_id)


def update(ctx: TenantContext, note_id: str, *, text: str, version: int) -> Note:
    """Change a note's text (author or administrators)."""
    note = _editable(ctx, note_id, "update")
    entry = note.entry
    if int(entry.version or 0) != version:
        raise errors.VersionConflictError()
    before, now = _audit_view(note_id, entry), db.utcnow()
    entry.data = {**(entry.data or {}), "text": text, "edited_at": now.isoformat()}
    entry.summary, entry.updated_at = text[:500], now
    change = db.Change().save(entry).save(note.pointer)
    audit.attach(ctx, change, note.pointer, entity="note", entity_id=note_id, action="update", before=before,
                 after=_audit_view(note_id, entry))
    db.commit(ctx, change)
    return note


def delete(ctx: TenantContext, note_id: str) -> None:
    """Delete a note (author or administrators); the audit record keeps its text."""
    note = _editable(ctx, note_id, "delete")
    change = db.Change().delete(note.entry).delete(note.pointer)
    audit.attach(ctx, change, note.pointer, entity="note", entity_id=note_id, action="delete",
                 before=_audit_view(note_id, note.entry), after=None)
    db.commit(ctx, change)
