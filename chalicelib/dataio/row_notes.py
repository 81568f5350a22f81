"""A row's notes ("Примечание", "Примечание 1" ... in amoCRM's exports): each non-empty cell a note on the timeline
of the record the row creates, written by the importer in the transaction that creates the record, so a retried row
never writes them twice and a failed one writes none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext

# A row's notes are written in its record's transaction, three writes each (its timeline entry, pointer and audit
# record), beside the record's own; DynamoDB takes 100 writes in one.
MAX_NOTES = 10


@dataclass
class RowNotes:
    """The texts of a row's notes, and why they are not imported when they are not."""

    texts: list[str] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)


def read(ctx: TenantContext, values: dict[str, Any]) -> RowNotes:
    """A row's notes; a text longer than a note takes is written as several notes, in order, and more than
    ``MAX_NOTES`` are joined (a blank line between) into as few as hold them. A role that may not write notes imports
    the record without them, and the row's problems say so."""
    from chalicelib.notes.schemas import MAX_TEXT

    cells = [str(text) for text in values.get("notes") or [] if str(text).strip()]
    if cells and permissions.scope_of(ctx, "notes", "create") is None:
        return RowNotes(problems=[{"field": "notes", "message": "Your role may not write notes: the row's notes are "
                                   "not imported", "type": "notes_not_allowed"}])
    texts = [text[start:start + MAX_TEXT] for text in cells for start in range(0, len(text), MAX_TEXT)]
    if len(texts) <= MAX_NOTES:
        return RowNotes(texts=texts)
    packed = _packed(texts, MAX_TEXT)  # more notes than a transaction takes: as few as hold them, in order
    problems = [{"field": "notes", "message": f"A row's notes are at most {MAX_NOTES} of {MAX_TEXT} characters: the "
                 "rest are not imported", "type": "notes_too_long"}] if len(packed) > MAX_NOTES else []
    return RowNotes(texts=packed[:MAX_NOTES], problems=problems)


def _packed(texts: list[str], size: int) -> list[str]:
    """Consecutive texts joined by a blank line, each joined text at most size characters."""
    packed: list[str] = []
    for text in texts:
        if packed and len(packed[-1]) + 2 + len(text) <= size:
            packed[-1] = f"{packed[-1]}\n\n{text}"
        else:
            packed.append(text)
    return packed


def change(ctx: TenantContext, notes: RowNotes, *, subject_type: str, subject_id: str) -> db.Change | None:
    """The writes of the row's notes on the record it creates, for that record's transaction (None: no notes)."""
    if not notes.texts:
        return None
    from chalicelib.notes import service as notes_service

    writes = db.Change()
    for text in notes.texts:
        notes_service.add_to(ctx, writes, subject_type=subject_type, subject_id=subject_id, text=text)
    return writes
