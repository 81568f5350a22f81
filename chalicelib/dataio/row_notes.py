"""A row's notes ("Примечание", "Примечание 1" ... in amoCRM's exports): each non-empty cell a note on the timeline
of the record the row creates, written by the importer in the transaction that creates the record, so a retried row
never writes them twice and a failed one writes none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext


@dataclass
class RowNotes:
    """The texts of a row's notes, and why they are not imported when they are not."""

    texts: list[str] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)


def read(ctx: TenantContext, values: dict[str, Any]) -> RowNotes:
    """A row's notes; a text longer than a note takes is written as several notes, in order. A role that may not
    write notes imports the record without them, and the row's problems say so."""
    from chalicelib.notes.schemas import MAX_TEXT

    cells = [str(text) for text in values.get("notes") or [] if str(text).strip()]
    if cells and permissions.scope_of(ctx, "notes", "create") is None:
        return RowNotes(problems=[{"field": "notes", "message": "Your role may not write notes: the row's notes are "
                                   "not imported", "type": "notes_not_allowed"}])
    return RowNotes(texts=[text[start:start + MAX_TEXT] for text in cells for start in range(0, len(text), MAX_TEXT)])


def change(ctx: TenantContext, notes: RowNotes, *, subject_type: str, subject_id: str) -> db.Change | None:
    """The writes of the row's notes on the record it creates, for that record's transaction (None: no notes)."""
    if not notes.texts:
        return None
    from chalicelib.notes import service as notes_service

    writes = db.Change()
    for text in notes.texts:
        notes_service.add_to(ctx, writes, subject_type=subject_type, subject_id=subject_id, text=text)
    return writes
