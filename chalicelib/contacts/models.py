"""Contact items: the contact, its list rows, its unique lookups, its links, its merges.

- ``T#<tid>#C#<id>`` / ``#PROFILE``: the contact (the card's item collection: then links
  ``COMPANY#``/``DEAL#``/``TASK#<id>``, then timeline entries ``TL#...``).
- ``T#<tid>#C#<id>`` / ``#MERGING#<merge id>``: present only while a merge or its undo is being
  written; it names the copied items the card must not show yet.
- ``T#<tid>#CX#...``: list rows (see ``listing``).
- ``T#<tid>#PHONE#<blind index of the E.164 number>``, ``T#<tid>#EMAIL#<blind index>`` / ``LOOKUP``: one per
  phone and e-mail of a live contact, created conditionally, so two live contacts never share one. Each also carries the
  contact's list row (rewritten with the contact), so a search by phone or e-mail is one GetItem.
- ``T#<tid>#CBI#<field>#<blind index>`` / ``<contact id>``: exact-match lookup of an encrypted id.
- ``T#<tid>#MERGE`` / ``<merge id>``: a merge record (what moved, the absorbed contact's snapshot).
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
from chalicelib.records.models import LinkItem, ListRow, Record


class Contact(Record, discriminator="contact"):
    """A person the business deals with."""

    personal = Record.personal | frozenset({"first_name", "last_name", "phones", "emails", "messengers",
                                            "billing_address", "shipping_address", "birthday", "job_title",
                                            "masks"})

    contact_id = UnicodeAttribute()
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    phones = JSONAttribute(default=list)  # [{"number": E.164, "kind": ...}]
    emails = JSONAttribute(default=list)  # [{"address": lower-case, "kind": ...}]
    company_ids = ListAttribute[str](default=list)
    messengers = JSONAttribute(null=True)
    billing_address = JSONAttribute(null=True)
    shipping_address = JSONAttribute(null=True)
    birthday = UnicodeAttribute(null=True)  # ISO date
    job_title = UnicodeAttribute(null=True)  # "Office manager", "Главный бухгалтер"
    source = UnicodeAttribute(null=True)
    utm = JSONAttribute(null=True)
    consent = JSONAttribute(null=True)
    passport_number = UnicodeAttribute(null=True)  # core.crypto token
    tax_id = UnicodeAttribute(null=True)  # core.crypto token
    iban = UnicodeAttribute(null=True)  # core.crypto token
    masks = JSONAttribute(default=dict)  # field -> crypto.mask(clear text), so reads need no KMS
    blind = JSONAttribute(default=dict)  # field -> crypto.blind_index, to find and release lookups
    merged_into = UnicodeAttribute(null=True)
    merge_id = UnicodeAttribute(null=True)

class ContactRow(ListRow, discriminator="contact_row"):
    """What a list shows of a contact, under each partition it is listed in."""

    personal = ListRow.personal | frozenset({"first_name", "last_name", "phone", "email"})

    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    company_ids = ListAttribute[str](default=list)


class ContactLookup(MainTable, discriminator="contact_lookup"):
    """A phone, e-mail or blind-indexed id pointing at the contact that has it.

    A phone or e-mail lookup also carries what the contact's list row shows (``LOOKUP_SUMMARY`` in
    ``derived``: the row's attributes but its search tokens, nothing more, so it is exactly as
    sensitive as the row), rewritten in every transaction that changes the contact: a search by
    phone or e-mail answers from this one item. A lookup written before it carried them has only
    ``contact_id`` (``version`` is None) and is answered from the contact instead. Blind-index
    lookups carry only ``contact_id``.
    """

    personal = frozenset({"first_name", "last_name", "phone", "email"})

    contact_id = UnicodeAttribute()
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    tags = UnicodeSetAttribute(null=True)
    cf = UnicodeSetAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    company_ids = ListAttribute[str](null=True)
    created_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    deleted_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(null=True)  # the contact's version the summary shows (None: no summary)


class ContactLink(LinkItem, discriminator="contact_link"):
    """A deal, task or company in the contact's collection (``link_kind``), with what the card shows of it."""

    merged_from = UnicodeAttribute(null=True)  # set on a copy a merge brought in from another contact


class MergeMarker(MainTable, discriminator="contact_merge_marker"):
    """Marks a merge (or undo) in flight on the surviving contact: its copied items stay hidden."""

    merge_id = UnicodeAttribute()
    hidden = ListAttribute[str](default=list)  # sort keys not to show yet


class MergeRecord(VersionedItem, discriminator="contact_merge"):
    """One merge of contact B into contact A: what moved, and B as it was (undo restores it)."""

    merge_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()  # A, the survivor
    other_id = UnicodeAttribute()  # B, the absorbed one
    status = UnicodeAttribute()  # in_progress | done | undoing | undone | abandoned
    contact_version = NumberAttribute()  # A's version the merge was planned on
    other_version = NumberAttribute()
    other_snapshot = JSONAttribute()  # B's profile, raw attribute values
    contact_snapshot = JSONAttribute(null=True)  # A's profile before the merge
    copied = ListAttribute[str](default=list)  # sort keys copied into A's collection
    added_companies = ListAttribute[str](default=list)  # companies A was newly linked to
    merge_entry_sk = UnicodeAttribute(null=True)
    contact_version_after = NumberAttribute(null=True)
    other_version_after = NumberAttribute(null=True)
    actor_id = UnicodeAttribute()
