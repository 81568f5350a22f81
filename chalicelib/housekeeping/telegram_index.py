"""The Telegram usernames of the contacts saved before they were indexed: once, from the hourly tick.

A contact's write gives its Telegram username a blind index (its ``blind`` map's ``telegram`` key) and a ``CBI``
lookup (``T#<tid>#CBI#telegram#<digest>`` / contact id), so a first message to the company's bot from that username
joins the contact (``contacts.service.find_by_telegram``); a contact saved before has the username in its sealed
messengers and neither, so the same message made a second contact and a lead deal. The pass walks the tenants
(``tenants.walk``), each tenant's contact rows (``ALL``, then ``TRASH``: a restored contact takes its lookups from
its blind map) 100 a Query of their keys, reads the page's contacts in one BatchGetItem, and gives each holding a
username without its index the index and, while live, the lookup, in one transaction conditional on the version
read (a contact changed meanwhile got them from its own write). The version stays: nothing a person sees changed.
Two contacts holding one username are both indexed, as their own writes would have, and a chat joins the oldest.
Where it stands is ``models.TenantPass`` at ``STATE_PK``; once through, a tick reads it and nothing more. Nothing
personal is logged: counts only.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import derived, profile
from chalicelib.contacts.models import Contact, ContactLookup, ContactRow
from chalicelib.core import db, errors, tenancy
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.housekeeping import tenants as tenant_walk

STATE_PK = tenancy.global_key("housekeeping", "telegram-index")
LISTS = ("ALL", "TRASH")  # the live contacts' rows, then the trash's
ROW_PAGE = 100  # also the BatchGetItem's most keys


def _index(ctx: TenantContext, contact: Contact, digest: str) -> bool:
    """Give a contact its username's index (and lookup, while live) unless it changed since it was read; True when
    written."""
    connection = Contact._get_connection()
    blind = {**(contact.blind or {}), profile.TELEGRAM: digest}
    # The connection's request: the model's would count a version, and what the contact holds has not changed.
    update = connection.get_operation_kwargs(contact.pk, contact.sk, actions=[Contact.blind.set(blind)],
                                             condition=Contact.version == contact.version)
    puts: list[dict[str, Any]] = [] if contact.deleted_at is not None else [ContactLookup(
        derived.blind_key(ctx, profile.TELEGRAM, digest), contact.contact_id,
        contact_id=contact.contact_id).get_save_kwargs_from_instance()]
    try:
        with db.translate_errors():
            connection.connection.transact_write_items(condition_check_items=[], delete_items=[], put_items=puts,
                                                       update_items=[update])
    except errors.VersionConflictError:  # changed or purged meanwhile: its own write decided
        return False
    return True


def _unindexed(contact: Any) -> str | None:
    """The username of a contact that holds one without its index, else None."""
    if not isinstance(contact, Contact) or profile.TELEGRAM in (contact.blind or {}):
        return None
    username = (contact.messengers or {}).get("telegram_username")
    return str(username) if username else None


def _work(ctx: TenantContext, name: str, rows: list[Any]) -> int:
    keys = [(derived.contact_pk(ctx, str(row.sk)), derived.PROFILE_SK) for row in rows]
    contacts = db.get_many(ctx, keys).values() if keys else []
    held = [(found, username) for found in sorted(contacts, key=lambda found: str(found.pk))
            if isinstance(found, Contact) and (username := _unindexed(found))]
    return sum(_index(ctx, contact, profile.telegram_digest(ctx, username)) for contact, username in held)


def _page(ctx: TenantContext, name: str, after: str | None) -> tenant_walk.Page:
    return tenant_walk.partition_page(ContactRow, tenant_key(ctx, derived.SPACE, name), after, limit=ROW_PAGE,
                                      attributes_to_get=["pk", "sk"])  # the ids: nothing to open


def run(*, deadline: float) -> int:
    """Index the Telegram usernames of every tenant's contacts saved before, tenant by tenant until the deadline;
    how many contacts were indexed (an outage: what was written stays, the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, LISTS, deadline=deadline, paused="telegram index pass paused", page=_page,
                               work=_work)
