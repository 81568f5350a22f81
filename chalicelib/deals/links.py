"""Link items: a deal or task shown in the item collection of the contact, company or deal it concerns.

A link lives at sk ``<KIND>#<ref id>`` (``DEAL#<id>``, ``TASK#<id>``) in the linked record's
partition (``timeline.service.subject_pk``), written in the same transaction as the deal or task,
so a card is one Query with no join. It holds a small projection (title, stage, amount ...).
Contacts and companies own the link items of their collections (``<domain>.service.link_item`` /
``unlink_item``); the links in a deal's collection (its tasks) are ours.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from chalicelib.companies import service as companies_service
from chalicelib.contacts import service as contacts_service
from chalicelib.core import db, errors
from chalicelib.core.db import MainTable
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.timeline import service as timeline_service

SUBJECT_TYPES = ("contact", "company", "deal")


class RecordLink(MainTable, discriminator="record_link"):
    """A task in a deal's collection (and, for now, in a company's: see ``_company_takes``)."""

    link_kind = UnicodeAttribute()  # task
    ref_id = UnicodeAttribute()
    summary = JSONAttribute(default=dict)


def link_sk(kind: str, ref_id: str) -> str:
    """Sort key of a link item: ``DEAL#<id>``, ``TASK#<id>``."""
    return f"{kind.upper()}#{ref_id}"


def _company_takes(kind: str) -> bool:
    # Interim: the companies domain links contacts and deals only; until it takes tasks too
    # (LINK_PREFIX "task": "TASK"), a task's link in a company's collection is written here.
    return kind in companies_service.LINK_PREFIX


def link_item(ctx: TenantContext, change: db.Change, *, subject_type: str, subject_id: str, kind: str,
              ref_id: str, summary: dict[str, Any]) -> None:
    """Add (or refresh) the link of a deal or task in a record's collection to the change."""
    if subject_type == "contact":
        contacts_service.link_item(ctx, change, contact_id=subject_id, kind=kind, ref_id=ref_id, summary=summary)
    elif subject_type == "company" and _company_takes(kind):
        companies_service.link_item(ctx, change, company_id=subject_id, kind=kind, ref_id=ref_id, summary=summary)
    else:
        pk = timeline_service.subject_pk(ctx, subject_type, subject_id)
        change.save(RecordLink(pk, link_sk(kind, ref_id), link_kind=kind, ref_id=ref_id, summary=summary))


def unlink_item(ctx: TenantContext, change: db.Change, *, subject_type: str, subject_id: str, kind: str,
                ref_id: str) -> None:
    """Add the removal of a link to the change (a missing link is not an error)."""
    if subject_type == "contact":
        contacts_service.unlink_item(ctx, change, contact_id=subject_id, kind=kind, ref_id=ref_id)
    elif subject_type == "company" and _company_takes(kind):
        companies_service.unlink_item(ctx, change, company_id=subject_id, kind=kind, ref_id=ref_id)
    else:
        pk = timeline_service.subject_pk(ctx, subject_type, subject_id)
        change.delete(RecordLink(pk, link_sk(kind, ref_id), link_kind=kind, ref_id=ref_id))


def link_view(link: RecordLink) -> dict[str, Any]:
    """The API view of a link item."""
    return {"kind": link.link_kind, "id": link.ref_id, "summary": link.summary or {}}


def require_visible(ctx: TenantContext, subject_type: str, subject_id: str, *, loc: list[str | int]) -> None:
    """404 unless the contact, company or deal exists and lies within the caller's read scope."""
    if subject_type not in SUBJECT_TYPES:
        raise errors.ValidationError(details=[{"loc": loc, "msg": "Unknown record type", "type": "unknown_subject"}])
    if not is_valid_id(subject_id):
        raise _not_found(subject_type, loc)
    try:
        if subject_type == "contact":
            contacts_service.get_or_raise(ctx, subject_id)
        elif subject_type == "company":
            companies_service.get_or_raise(ctx, subject_id)
        else:
            from chalicelib.deals import service as deals_service  # the deals service imports this module

            deals_service.get_or_raise(ctx, subject_id)
    except errors.NotFoundError:
        raise _not_found(subject_type, loc) from None


def _not_found(subject_type: str, loc: list[str | int]) -> errors.NotFoundError:
    return errors.NotFoundError(f"No such {subject_type}.", details=[{"loc": loc, "msg": f"No such {subject_type}",
                                                                      "type": "not_found"}])
