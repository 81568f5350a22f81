"""The card of a record of any type: the record, its links by kind and its newest timeline entries, one Query.

A forward Query over the record's collection reads the record (``#PROFILE``), then its links, then its
timeline newest first; the card keeps ``ENTRIES`` entries and says whether there are more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.records import access
from chalicelib.records import timeline as timeline_service
from chalicelib.records.models import RecordLink, TimelineEntry
from chalicelib.records.schemas import LinkOut
from chalicelib.records.types import RecordType

ENTRIES = 20
READ_AHEAD = 80  # links read beyond the entries shown


@dataclass
class Card:
    """What a card shows besides the record's own fields."""

    record: Any
    links: dict[str, list[LinkOut]] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    more_timeline: bool = False
    more_links: bool = False

    def parts(self) -> dict[str, Any]:
        """The card's fields as a response schema takes them."""
        return {"links": self.links, "timeline": self.timeline, "more_timeline": self.more_timeline,
                "more_links": self.more_links}


def card(ctx: TenantContext, rtype: RecordType, record_id: str, *, hidden: frozenset[str] = frozenset()) -> Card:
    """The card of a live record the caller may read (404 otherwise); sort keys in hidden are left out."""
    permissions.require(ctx, rtype.plural, "read")
    items, complete = _items(ctx, rtype, record_id)
    record = next((item for item in items if isinstance(item, rtype.model)), None)
    if record is None or record.deleted_at is not None:
        raise errors.NotFoundError(f"No such {rtype.label}.")
    access.check_access(ctx, rtype, record)
    hook = rtype.hook("hidden")  # a contact's merge in flight keeps what it copied out of sight
    hidden = hidden | (hook(items) if hook is not None else frozenset())
    link_model = rtype.link_model or RecordLink
    found = Card(record, links={kind: [] for kind in rtype.link_kinds})
    entries = []
    for item in items:
        if item.sk in hidden:
            continue
        if isinstance(item, link_model):
            found.links.setdefault(item.link_kind, []).append(LinkOut(
                id=item.ref_id, linked_at=getattr(item, "linked_at", None), summary=item.summary or {}))
        elif isinstance(item, TimelineEntry):
            entries.append(timeline_service.entry_view(item))
    found.timeline = entries[:ENTRIES]
    found.more_timeline = len(entries) > ENTRIES or not complete
    found.more_links = not complete and not any(isinstance(item, TimelineEntry) for item in items)
    return found


def _items(ctx: TenantContext, rtype: RecordType, record_id: str) -> tuple[list[Any], bool]:
    if not is_valid_id(record_id):
        return [], True
    with db.translate_errors():
        results = db.MainTable.query(access.collection_pk(ctx, rtype, record_id), limit=ENTRIES + READ_AHEAD,
                                     page_size=ENTRIES + READ_AHEAD)
        items = [item for item in results if db.owned(ctx, item) is not None]
        return items, results.last_evaluated_key is None
