"""Reverting a note's audited change through the notes service (``audit.register_reverter``).

A creation is reverted by deleting the note, an edit by writing the previous text through
``service.update``, a deletion by writing the note again under its id on its subject's timeline
(its entry's sort key derives from the id, so it returns to its place in the timeline).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.notes import service
from chalicelib.notes.models import POINTER_SK, NotePointer, pointer_pk
from chalicelib.records.reverting import expect, not_revertable


def _recreate(ctx: TenantContext, note_id: str, before: dict[str, Any]) -> None:
    """Write a deleted note again under its id, as its author would (the subject must still be visible)."""
    permissions.require(ctx, "notes", "create")  # 403 before any check of the audited values
    subject_type, subject_id, text = before.get("subject_type"), before.get("subject_id"), before.get("text")
    if not (subject_type and subject_id and isinstance(text, str)):
        raise not_revertable("The audit trail does not hold enough of this note to write it again.")
    service.create(ctx, subject_type=subject_type, subject_id=subject_id, text=text, note_id=note_id)


def revert_note(ctx: TenantContext, note_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Delete a created note, put an edited note's text back, or write a deleted note again."""
    permissions.require(ctx, "notes", "read")
    pointer = db.get(ctx, NotePointer, pointer_pk(ctx, note_id), POINTER_SK)
    if pointer is None:
        if before is None:
            raise errors.NotFoundError("No such note.")
        _recreate(ctx, note_id, before)
        return
    note = service.get_or_raise(ctx, note_id)
    expect(int(note.pointer.version or 0), expected)
    if before is None:
        service.delete(ctx, note_id)
        return
    if set(before) - {"text"}:
        raise not_revertable("Only a note's text can be put back; notes do not move between records.")
    if not isinstance(before.get("text"), str):
        raise not_revertable("The audit trail does not hold this note's earlier text.")
    service.update(ctx, note_id, text=before["text"], version=int(note.entry.version or 0))


audit.register_reverter("note", revert_note)
