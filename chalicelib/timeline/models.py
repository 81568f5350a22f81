"""Timeline entries: written into the item collection of the record they belong to."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import VersionedItem


class TimelineEntry(VersionedItem, discriminator="timeline_entry"):
    """One thing that happened to a contact, company or deal.

    pk is the subject's partition (``T#<tid>#C#<contact id>`` ...), sk ``TL#<inverted time>#<entry id>``
    so that a forward Query over the partition reads the record, its links, then its timeline
    newest first: the contact card is one Query.
    """

    entry_id = UnicodeAttribute()
    subject_type = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    entry_kind = UnicodeAttribute()  # note, call, message, email, form, stage_change, task, merge ...
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    summary = UnicodeAttribute(default="")
    data = JSONAttribute(default=dict)
