"""Link items: another record shown in a record's item collection, written in the linking transaction.

A link lives at sk ``<KIND>#<ref id>`` (``DEAL#<id>``, ``TASK#<id>``, ``COMPANY#<id>``) in the linked
record's partition, so its card is one Query with no join. It holds a small projection of the other
record (title, stage, amount ...). Which kinds a type's collection takes is declared (``link_kinds``),
and so is its link item model (``link_model``; ``RecordLink`` by default). A type whose links need
more on removal declares an ``unlinking(ctx, change, record_id, sk)`` hook (a merged contact's copy).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.records import access, types
from chalicelib.records.catalog import RELINKERS
from chalicelib.records.models import RecordLink
from chalicelib.records.types import RecordType


def link_key(rtype: RecordType, kind: str, ref_id: str) -> str:
    """Sort key of a link item in a record's collection; 422 for a kind the type does not take."""
    prefix = rtype.link_kinds.get(kind)
    if prefix is None or not is_valid_id(ref_id):
        raise errors.ValidationError(details=[{"loc": ["link"], "msg": "Unknown link", "type": "unknown_link"}])
    return f"{prefix}#{ref_id}"


def _model(rtype: RecordType) -> type[Any]:
    return rtype.link_model or RecordLink


def entry(ctx: TenantContext, subject_type: str, *, subject_id: str, kind: str, ref_id: str,
          summary: dict[str, Any]) -> Any:
    """The link item of another record in a record's collection (unsaved)."""
    rtype = types.get(subject_type)
    model = _model(rtype)
    extra = {"linked_at": db.utcnow()} if "linked_at" in model.get_attributes() else {}
    return model(access.collection_pk(ctx, rtype, subject_id), link_key(rtype, kind, ref_id), link_kind=kind,
                 ref_id=ref_id, summary=summary, **extra)


def link_item(ctx: TenantContext, change: db.Change, subject_type: str, *, subject_id: str, kind: str,
              ref_id: str, summary: dict[str, Any]) -> Any:
    """Put the link of another record (or its new summary) into a record's collection, in change."""
    item = entry(ctx, subject_type, subject_id=subject_id, kind=kind, ref_id=ref_id, summary=summary)
    change.save(item)
    return item


def unlink_item(ctx: TenantContext, change: db.Change, subject_type: str, *, subject_id: str, kind: str,
                ref_id: str) -> None:
    """Add the removal of a link to the change (a missing link is not an error)."""
    rtype = types.get(subject_type)
    sk = link_key(rtype, kind, ref_id)
    change.delete(_model(rtype)(access.collection_pk(ctx, rtype, subject_id), sk))
    unlinking = rtype.hook("unlinking")
    if unlinking is not None:
        unlinking(ctx, change, subject_id, sk)


def refresh_summary(ctx: TenantContext, subject_type: str, *, subject_id: str, kind: str, ref_id: str,
                    summary: dict[str, Any]) -> None:
    """Update what a record's card shows of a link, if the link still exists (a rename elsewhere)."""
    rtype = types.get(subject_type)
    model = _model(rtype)
    link = model(access.collection_pk(ctx, rtype, subject_id), link_key(rtype, kind, ref_id), summary=summary)
    try:
        with db.translate_errors():
            link.update(actions=db.seal_actions(link), condition=model.pk.exists())
    except errors.VersionConflictError:
        return  # unlinked meanwhile: nothing to refresh


def linked(ctx: TenantContext, subject_type: str, *, subject_id: str, kind: str) -> list[Any]:
    """The link items of every record of a kind linked to a record (one Query over its ``<KIND>#`` items)."""
    rtype = types.get(subject_type)
    model = _model(rtype)
    with db.translate_errors():
        return list(model.query(access.collection_pk(ctx, rtype, subject_id),
                                model.sk.startswith(f"{rtype.link_kinds[kind]}#")))


def linked_ids(ctx: TenantContext, subject_type: str, *, subject_id: str, kind: str) -> list[str]:
    """Ids of every record of a kind linked to a record (one Query over its ``<KIND>#`` items)."""
    return [link.ref_id for link in linked(ctx, subject_type, subject_id=subject_id, kind=kind)]


def link_view(link: Any) -> dict[str, Any]:
    """The API view of a link item."""
    return {"kind": link.link_kind, "id": link.ref_id, "summary": link.summary or {}}


def relinker(kind: str) -> Callable[..., bool]:
    """The function that points a linked record of kind at another contact (``catalog.RELINKERS``):
    ``fn(ctx, change, ref_id, *, from_id, to_id, keep_from) -> bool`` (False: it was not linked)."""
    module, _, name = RELINKERS[kind].partition(":")
    found: Callable[..., bool] = getattr(importlib.import_module(module), name)
    return found
