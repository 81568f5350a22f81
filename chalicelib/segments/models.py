"""Segments, what they hold, and what they know of each contact.

- Segment: ``T#<tid>#SEGMENT`` / ``<segment id>``: a saved filter (name and conditions sealed; audited: ``segment``);
  a tenant's segments are one Query (the feed reads them, remembered 5 s per warm Lambda).
- SegmentCount: ``T#<tid>#SEGCOUNT`` / ``<segment id>``: how many contacts it holds, added to in the transaction
  that adds or removes a member, so the count never drifts from the members.
- SegmentMember: ``T#<tid>#SEGMEMBER`` / ``<segment id>#<contact id>``: one contact in one segment; the member
  list is one Query of the segment's prefix (ids only: the names are read from the contacts, in one BatchGetItem).
- ContactFacts: ``T#<tid>#SEGFACTS`` / ``<contact id>``: what segment conditions read of a contact (owner, tags,
  source, select values, creation, last activity, purchases, birthday) and the segments it is in, kept from the
  domain-event feed. Its birthday and custom values are personal: sealed under the tenant's key (#21).
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.db import MainTable, VersionedItem


class Segment(VersionedItem, discriminator="segment"):
    """A saved filter over contacts, maintained as events happen."""

    personal = frozenset({"name", "conditions"})  # a condition may name a customer's custom value (#21)

    segment_id = UnicodeAttribute()
    name = UnicodeAttribute()
    match = UnicodeAttribute(default="all")  # all | any
    conditions = JSONAttribute(default=list)
    status = UnicodeAttribute(default="building")  # building | ready
    built_at = UTCDateTimeAttribute(null=True)
    build_cursor = UnicodeAttribute(null=True)  # the contacts' list row key where a build goes on
    build_id = UnicodeAttribute(null=True)  # the build under way (a change of conditions starts another)
    created_by = UnicodeAttribute()


class SegmentCount(MainTable, discriminator="segment_count"):
    """The number of contacts in a segment."""

    members = NumberAttribute(default=0)


class SegmentMember(MainTable, discriminator="segment_member"):
    """One contact in one segment."""

    segment_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    joined_at = UTCDateTimeAttribute()


class ContactFacts(VersionedItem, discriminator="segment_contact_facts"):
    """What the segment conditions read of one contact, and the segments it is in."""

    personal = frozenset({"birthday", "custom"})

    contact_id = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    tags = ListAttribute[str](default=list)
    source = UnicodeAttribute(null=True)
    custom = JSONAttribute(default=dict)  # select and text values by key
    birthday = UnicodeAttribute(null=True)  # ISO date (or --MM-DD)
    contact_created_at = UTCDateTimeAttribute(null=True)
    last_activity_at = UTCDateTimeAttribute(null=True)
    last_purchase_at = UTCDateTimeAttribute(null=True)
    purchases = JSONAttribute(default=dict)  # product id ("*" for any) -> newest purchase time (ISO)
    segments = ListAttribute[str](default=list)  # the segments it is in
    deleted = BooleanAttribute(default=False)
    seen_seq = NumberAttribute(default=0)  # the newest contact audit seq applied (older events change nothing)
