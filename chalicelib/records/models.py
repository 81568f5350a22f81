"""Items the engine keeps in every record's collection: timeline entries, links, the trash's due date.

- ``TL#<inverted time>#<entry id>``: a timeline entry (:class:`TimelineEntry`).
- ``<KIND>#<ref id>``: a link to another record with what the card shows of it (:class:`RecordLink`, or
  the type's own ``link_model``).
- ``#TRASHDUE``: the day a trashed record may be purged (:class:`TrashDue`); its gsi1 key
  ``G#trashdue#<yyyy-mm-dd>`` / ``<tid>#<type>#<id>`` is the global day-bucketed feed the
  housekeeping job reads for every day up to today: one Query per day for every tenant, never a Scan.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.db import MainTable, VersionedItem


class Record(VersionedItem):
    """What every record type's item has: tags, an owner (and the owner's team), custom values, the trash."""

    personal = frozenset({"custom"})  # free-text custom values are the customer's data (select values are indexed)

    tags = ListAttribute[str](default=list)
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    custom = JSONAttribute(default=dict)
    custom_indexed = JSONAttribute(default=list)  # [[key, value]] the select values listed by
    custom_sensitive = JSONAttribute(default=list)  # keys of custom values that are encrypted
    deleted_at = UTCDateTimeAttribute(null=True)
    # The partitions of its phone and e-mail lookups: blind indexes, which only the tenant's key computes
    # from the values, kept so the tenant walk finds them without the key (a purge after the shred).
    lookup_keys = ListAttribute[str](null=True)


class TimelineEntry(VersionedItem, discriminator="timeline_entry"):
    """One thing that happened to a record.

    pk is the subject's partition (``T#<tid>#C#<contact id>`` ...), sk ``TL#<inverted time>#<entry id>``
    so that a forward Query over the partition reads the record, its links, then its timeline
    newest first: the contact card is one Query.
    """

    personal = frozenset({"summary", "data"})

    entry_id = UnicodeAttribute()
    subject_type = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    entry_kind = UnicodeAttribute()  # note, call, message, email, form, stage_change, task, merge ...
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    summary = UnicodeAttribute(default="")
    data = JSONAttribute(default=dict)


class LinkItem(MainTable):
    """Another record in a record's collection, with what the card shows of it: what every link model holds (a
    type keeps its own discriminator for the items it has stored, ``company_link``, ``contact_link``)."""

    personal = frozenset({"summary"})

    link_kind = UnicodeAttribute()
    ref_id = UnicodeAttribute()
    summary = JSONAttribute(default=dict)
    linked_at = UTCDateTimeAttribute(null=True)


class RecordLink(LinkItem, discriminator="record_link"):
    """Another record (a task, a deal ...) in a record's collection, with what the card shows of it."""


class TrashDue(MainTable, discriminator="trash_due"):
    """A record in the trash and the day it may be purged (its deletion + the type's retention)."""

    entity = UnicodeAttribute()  # the record type's name
    record_id = UnicodeAttribute()
    due_on = UnicodeAttribute()  # yyyy-mm-dd (UTC)


class RecordLookup(MainTable, discriminator="record_lookup"):
    """A value (phone, e-mail, SKU) pointing at the record that has it, with the record's list row
    (its attributes but its keys), so a search by the value answers from this item alone."""

    record_type = UnicodeAttribute()
    record_id = UnicodeAttribute()
    row = JSONAttribute(default=dict)  # the row's attribute values, DynamoDB-typed, keys left out


class ListRow(MainTable):
    """What a list shows of a record, under each partition it is listed in (``records.listing``); a
    type's row model adds what its lists show of it. Its personal attributes are sealed bound to the
    record, not to the row's key: a lookup carries the row under its own key (``records.lookups``)."""

    personal = frozenset({"tokens"})
    seal_identity = "record_id"

    record_id = UnicodeAttribute()
    tags = UnicodeSetAttribute(null=True)
    cf = UnicodeSetAttribute(null=True)  # "key=value" of the indexed custom values
    tokens = UnicodeAttribute(null=True)  # space-separated search tokens
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    deleted_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute()
