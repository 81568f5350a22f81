"""The timeline of every record, written as things happen (never joined at read time).

Every domain that records an event calls :func:`add_entry` with the Change it is committing, so the
entry lands in the same transaction as the change it describes.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ulid import ULID

from chalicelib.core import crypto, db
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, tenant_key
from chalicelib.records import types
from chalicelib.records.models import TimelineEntry

MAX_MS = 10**13  # inverted timestamps stay 13 digits until the year 2286
PROFILE_SK = "#PROFILE"  # the record itself sorts before its links and timeline


def subject_pk(ctx: TenantContext, subject_type: str, subject_id: str) -> str:
    """Partition (item collection) of a record of any declared type; 422 for an unknown type."""
    return tenant_key(ctx, types.get(subject_type).prefix, subject_id)


def entry_sk(entry_id: str) -> str:
    """Sort key of an entry, derived from its id alone (ULIDs carry their creation time)."""
    millis = int(ULID.from_str(entry_id).milliseconds)
    return f"TL#{MAX_MS - millis:013d}#{entry_id}"


def new_entry(ctx: TenantContext, *, subject_type: str, subject_id: str, kind: str, summary: str = "",
              data: dict[str, Any] | None = None, entry_id: str | None = None,
              at: datetime | None = None) -> TimelineEntry:
    """An unsaved timeline entry for a record."""
    entry_id = entry_id or new_id()
    return TimelineEntry(
        subject_pk(ctx, subject_type, subject_id), entry_sk(entry_id), entry_id=entry_id,
        subject_type=subject_type, subject_id=subject_id, entry_kind=kind, at=at or db.utcnow(),
        actor_id=ctx.actor_id, summary=summary[:500], data=data or {},
    )


def add_entry(ctx: TenantContext, change: db.Change, *, subject_type: str, subject_id: str, kind: str,
              summary: str = "", data: dict[str, Any] | None = None, entry_id: str | None = None,
              at: datetime | None = None) -> TimelineEntry:
    """Add a timeline entry to the change being committed (same transaction)."""
    entry = new_entry(ctx, subject_type=subject_type, subject_id=subject_id, kind=kind, summary=summary,
                      data=data, entry_id=entry_id, at=at)
    change.create(entry)
    return entry


def get_entry(ctx: TenantContext, *, subject_type: str, subject_id: str, entry_id: str) -> TimelineEntry | None:
    """One entry of a record's timeline, or None."""
    if not is_valid_id(entry_id) or not is_valid_id(subject_id):
        return None
    return db.get(ctx, TimelineEntry, subject_pk(ctx, subject_type, subject_id), entry_sk(entry_id))


def list_entries(ctx: TenantContext, *, subject_type: str, subject_id: str, limit: int,
                 cursor: str | None, kinds: set[str] | None = None) -> db.Page[TimelineEntry]:
    """A record's timeline, newest first, one Query per page (callers check the record's visibility)."""
    return db.query_page(
        ctx, TimelineEntry, subject_pk(ctx, subject_type, subject_id), scope=f"timeline:{subject_type}:{subject_id}",
        limit=limit, cursor=cursor, range_key_condition=TimelineEntry.sk.startswith("TL#"), newest_first=False,
        filter_condition=TimelineEntry.entry_kind.is_in(*kinds) if kinds else None,
    )


def entry_view(entry: TimelineEntry) -> dict[str, Any]:
    """The API view of an entry."""
    return {"id": entry.entry_id, "kind": entry.entry_kind, "at": entry.at.isoformat(), "actor_id": entry.actor_id,
            "summary": entry.summary, "data": _masked_if_older(entry), "subject": {"type": entry.subject_type,
                                                                                     "id": entry.subject_id}}


# A website form's entries name what they masked (``masked``) since #21; one written before kept every posted
# value in clear, and which custom fields were sensitive is not on it. Such an entry shows its custom values and
# anything named like an identity document or bank account masked (the contact's card still shows them, with
# its rules). Shown as on the card: fixed-width, nothing of the value.
_OLDER_FORM_ENTRY = "form_submission"
_SENSITIVE_WORDS = frozenset({"passport", "паспорт", "паспорта", "паспортные", "tax", "taxid", "inn", "инн", "iban",
                              "vat", "tin", "snils", "снилс"})


def _masked_if_older(entry: TimelineEntry) -> dict[str, Any]:
    data: dict[str, Any] = dict(entry.data or {})
    if entry.entry_kind != _OLDER_FORM_ENTRY or "masked" in data:
        return data
    data["custom"] = dict.fromkeys(data.get("custom") or {}, crypto.MASK_PREFIX)
    data["other"] = {name: crypto.MASK_PREFIX if _SENSITIVE_WORDS & set(re.split(r"[\W_]+", name.casefold()))
                     else value for name, value in (data.get("other") or {}).items()}
    return data
