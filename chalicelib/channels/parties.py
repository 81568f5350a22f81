"""The customer behind a provider's number, chat or address: found by the phone or e-mail lookup, or made.

Every channel that brings a customer in (a call, a WhatsApp or Telegram message) asks the same thing: is this
a contact we know (its company and open deal with it), else a company with that switchboard number, else a
newcomer to make as a contact named as the channel names them and, when the integration says so, a lead deal.
What it makes is checkpointed on the inbox event in the transaction that makes it (``contact_id``,
``deal_id``), so a retried or replayed event finds it instead of making a second one. Whatever brings the
customer in is an :class:`Intake`: an inbox run, or a call's timer closing a call whose end never came
(``telephony.unended``), which checkpoints on the timer the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from chalicelib.contacts import schemas as contact_schemas
from chalicelib.contacts import service as contacts_service
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.deals import schemas as deal_schemas
from chalicelib.deals import service as deals_service
from chalicelib.records import links, lookups, types


class Intake(Protocol):
    """What brings a customer in (an inbox ``Run``): its tenant, its integration, and what earlier attempts made,
    with a change that records what this one makes in the transaction that makes it."""

    ctx: TenantContext
    integration: Any
    progress: dict[str, Any]

    def checkpoint_with(self, **made: Any) -> AbstractContextManager[db.Change]:
        """A change holding the checkpoint of what the block makes (committed with it)."""


@dataclass
class Party:
    """Who a delivery is from: a contact (with its company and open deal) or a company, and who owns them."""

    contact_id: str | None = None
    company_id: str | None = None
    deal_id: str | None = None
    owner_id: str | None = None  # the contact's owner (None for a company: nobody in particular)
    team_id: str | None = None
    made: bool = False  # made just now from this delivery


@dataclass(frozen=True)
class Newcomer:
    """How to make a customer nobody knows yet."""

    first_name: str
    owner_id: str
    source: str
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    messengers: dict[str, Any] = field(default_factory=dict)
    deal_title: str | None = None  # None: no lead deal
    pipeline_id: str | None = None
    stage_id: str | None = None


def open_deal(ctx: TenantContext, subject_type: str, subject_id: str) -> str | None:
    """The newest open deal of a contact or company (from its card's links: one Query)."""
    found = [link for link in links.linked(ctx, subject_type, subject_id=subject_id, kind="deal")
             if (link.summary or {}).get("status", "open") == "open"]
    return max((link.ref_id for link in found), default=None)


def company_with(ctx: TenantContext, e164: str) -> str | None:
    """The company whose switchboard has this number (the shared phone lookup), or None."""
    company = types.find("company")
    rows = lookups.search(ctx, company, e164) if company is not None else None
    return str(rows[0].record_id) if rows else None


def of_contact(ctx: TenantContext, contact: Any, *, made: bool = False) -> Party:
    """A contact as a party: its first company, its open deal, its owner."""
    contact_id = str(contact.contact_id)
    return Party(contact_id=contact_id, company_id=next(iter(contact.company_ids or []), None),
                 deal_id=open_deal(ctx, "contact", contact_id), owner_id=contact.owner_id, team_id=contact.team_id,
                 made=made)


def find(run: Intake, *, e164: str | None, email: str | None = None) -> Party | None:
    """The known customer with this phone (E.164) or e-mail: the contact an earlier attempt made, a contact
    with it, else a company with the number; None for a newcomer."""
    ctx = run.ctx
    contact = contacts_service.get(ctx, str(run.progress["contact_id"])) if "contact_id" in run.progress else None
    if contact is None and (e164 or email):
        contact, _ = contacts_service.find_by_phone_or_email(ctx, e164, email)
    if contact is not None:
        return of_contact(ctx, contact)
    company_id = company_with(ctx, e164) if e164 else None
    if company_id is not None:
        return Party(company_id=company_id, deal_id=open_deal(ctx, "company", company_id))
    return None


def make(run: Intake, newcomer: Newcomer, *, claim: Callable[[str], Any] | None = None) -> Party:
    """Make a newcomer's contact (and lead deal), each checkpointed on the event with what makes it; ``claim``
    gives an item to create with the contact (a chat's claim: two racers for one newcomer make one contact, the
    loser's transaction failing with a 409)."""
    ctx = run.ctx
    data = contact_schemas.ContactCreate.model_validate({
        "first_name": newcomer.first_name[:100], "last_name": (newcomer.last_name or "")[:100] or None,
        "phones": [{"number": newcomer.phone}] if newcomer.phone else [],
        "emails": [{"address": newcomer.email}] if newcomer.email else [],
        "messengers": newcomer.messengers or None, "owner_id": newcomer.owner_id, "source": newcomer.source[:40]})
    contact_id = new_id()
    with run.checkpoint_with(contact_id=contact_id) as change:
        if claim is not None:
            change.create(claim(contact_id))
        contact = contacts_service.create(ctx, data=data, contact_id=contact_id, matches=[], change=change)
    party = Party(contact_id=contact_id, owner_id=contact.owner_id, team_id=contact.team_id, made=True)
    if newcomer.deal_title is not None:
        party.deal_id = lead_deal(run, newcomer, contact_id)
    return party


def lead_deal(run: Intake, newcomer: Newcomer, contact_id: str) -> str:
    """The newcomer's lead deal (the one an earlier attempt made, if any)."""
    if "deal_id" in run.progress:
        return str(run.progress["deal_id"])
    data = deal_schemas.DealCreate(title=(newcomer.deal_title or newcomer.first_name)[:200],
                                   pipeline_id=newcomer.pipeline_id, stage_id=newcomer.stage_id,
                                   contact_ids=[contact_id], owner_id=newcomer.owner_id,
                                   source=newcomer.source[:40])
    deal_id = new_id()
    with run.checkpoint_with(deal_id=deal_id) as change:
        deals_service.create(run.ctx, data=data, deal_id=deal_id, change=change)
    return deal_id
