"""Note items. A note IS a timeline entry (kind ``note``) in its subject's collection, whose entry id
is the note id; a small pointer per note finds that collection from the id alone.

- Pointer: pk ``T#<tid>#NOTE#<note id>``, sk ``NOTE``: the subject's type and id, and the author. It is
  the note's audited item (the head of its audit chain): it never moves, even when a merge copies
  the entry into another contact, and the audit trail leads to it.
- The note: ``timeline.models.TimelineEntry`` at ``timeline.service.entry_sk(<note id>)`` in the
  subject's partition, ``data = {"text": ..., "team_id": ..., "edited_at": ...}``.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.core.db import VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key

POINTER_SK = "NOTE"


class NotePointer(VersionedItem, discriminator="note_pointer"):
    """Where a note lives: its subject (contact, company or deal) and who wrote it."""

    note_id = UnicodeAttribute()
    subject_type = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    author_id = UnicodeAttribute()


def pointer_pk(ctx: TenantContext, note_id: str) -> str:
    """Partition of a note's pointer."""
    return tenant_key(ctx, "NOTE", note_id)
