"""A contact's consent to be written to, per channel (email, sms, whatsapp, telegram), with its source and time.

Kept as an item of this package per contact (``Consent``), not on the contact: the contact model is its record
type's, and a consent changes without the contact changing. A channel is ``granted`` or ``withdrawn``; a campaign
writes only to a contact whose channel is granted (opt-in, as GDPR and Russia's 38-FZ "On Advertising" ask of
marketing). A contact with no consent item of e-mail is taken as the card's older ``consent.marketing`` says. A
withdrawal, from the card or an unsubscribe link, is honoured by every later campaign. A contact merge combines the
absorbed contact's consent into the survivor's in its own transaction (``merge_contacts``): a withdrawal on either
wins, and an undo of the merge leaves it so (an opt-out is never taken back without the customer).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from chalicelib.campaigns.models import Consent
from chalicelib.core import audit, db, errors
from chalicelib.core.tenancy import TenantContext, is_valid_id, tenant_key

CHANNELS = ("email", "sms", "whatsapp", "telegram")
STATUSES = ("granted", "withdrawn")


def consent_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's consents (the contact id as sort key)."""
    return tenant_key(ctx, "CONSENT")


def get(ctx: TenantContext, contact_id: str) -> Consent | None:
    """A contact's consent item, or None."""
    return db.get(ctx, Consent, consent_pk(ctx), contact_id) if is_valid_id(contact_id) else None


def get_many(ctx: TenantContext, contact_ids: list[str]) -> dict[str, Consent]:
    """The consent items of contacts (BatchGetItem, 100 keys a request)."""
    found: dict[str, Consent] = {}
    for batch in db.each_in_batches(contact_ids, 100):
        for item in db.get_many(ctx, [(consent_pk(ctx), cid) for cid in batch]).values():
            if isinstance(item, Consent):
                found[item.contact_id] = item
    return found


def allowed(item: Consent | None, contact: Any, channel: str) -> bool:
    """True when the contact agreed to be written to on the channel."""
    state = ((item.channels or {}) if item is not None else {}).get(channel)
    if isinstance(state, dict) and state.get("status") in STATUSES:
        return bool(state["status"] == "granted")
    legacy = getattr(contact, "consent", None) or {}
    return channel == "email" and isinstance(legacy, dict) and legacy.get("marketing") is True


def view(item: Consent | None, contact: Any) -> dict[str, Any]:
    """Each channel's state as the card shows it (the e-mail of an older card from its ``consent.marketing``)."""
    channels = dict((item.channels or {}) if item is not None else {})
    shown: dict[str, Any] = {}
    for channel in CHANNELS:
        state = channels.get(channel)
        if isinstance(state, dict):
            shown[channel] = state
        elif channel == "email" and allowed(None, contact, "email"):  # the card's older consent, or an import's
            legacy = getattr(contact, "consent", None) or {}
            source = legacy.get("source") if legacy.get("source") in ("import", "web_form") else "contact_card"
            shown[channel] = {"status": "granted", "source": source, "at": legacy.get("at"), "by": None}
        else:
            shown[channel] = {"status": "unknown", "source": None, "at": None, "by": None}
    return shown


# A customer's whole message that asks to stop or to start hearing from the business on that channel (Twilio's
# standard opt-out and opt-in keywords, and their Russian; the message alone, case and punctuation aside: "stop the
# delivery at 5" is no opt-out). A CRM honours them on every channel it sends campaigns on, not only where the
# carrier does (US SMS).
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "opt out", "стоп",
                        "отписаться", "отписка", "отпишите", "отписать"})
START_WORDS = frozenset({"start", "unstop", "subscribe", "подписаться", "подписка", "подпишите"})


def keyword(text: str | None) -> str | None:
    """"withdrawn" for a message that is an opt-out keyword, "granted" for an opt-in one, else None."""
    said = " ".join("".join(ch for ch in str(text or "").casefold() if ch.isalnum() or ch.isspace()).split())
    return "withdrawn" if said in STOP_WORDS else "granted" if said in START_WORDS else None


def by_keyword(ctx: TenantContext, contact_id: str, channel: str, text: str | None, *, at: datetime) -> str | None:
    """A customer's keyword message sets the channel's consent on their contact (audited, source reply_keyword;
    written once however often the message is processed); answers the state it set, or None."""
    state = keyword(text)
    if state is None or channel not in CHANNELS or not is_valid_id(contact_id):
        return None
    change(ctx, contact_id, {channel: state}, source="reply_keyword", by=None, at=at)
    return state


def merge_contacts(ctx: TenantContext, work: db.Change, *, survivor_id: str, absorbed_id: str) -> None:
    """In a contact merge's transaction: per channel, the survivor keeps a withdrawal of either contact, else a
    grant of either (the absorbed contact's states named ``merged_from``); audited. Nothing when nothing changes."""
    absorbed = get(ctx, absorbed_id)
    if absorbed is None or not absorbed.channels:
        return
    before = get(ctx, survivor_id)
    channels = dict((before.channels or {}) if before is not None else {})
    for channel, theirs in (absorbed.channels or {}).items():
        ours = channels.get(channel)
        if not isinstance(theirs, dict) or theirs.get("status") not in STATUSES:
            continue
        if not isinstance(ours, dict) or ours.get("status") not in STATUSES \
                or (theirs["status"] == "withdrawn" and ours["status"] == "granted"):
            channels[channel] = {**theirs, "merged_from": absorbed_id}
    if before is not None and channels == (before.channels or {}):
        return
    after = copy.deepcopy(before) if before is not None else Consent(consent_pk(ctx), survivor_id,
                                                                      contact_id=survivor_id, channels={})
    after.channels = channels
    work.save(after)
    audit.attach(ctx, work, after, entity="consent", entity_id=survivor_id, action="contact_merge",
                 before={"channels": before.channels} if before is not None else None, after={"channels": channels})


def change(ctx: TenantContext, contact_id: str, states: dict[str, str], *, source: str, by: str | None,
           campaign_id: str | None = None, at: datetime | None = None) -> tuple[Consent, bool]:
    """Set channels' consent (audited); a channel already so is left as it was. Answers the item and whether it
    was written (an unsubscribe link followed twice writes once)."""
    for _ in range(3):
        before = get(ctx, contact_id)
        after = copy.deepcopy(before) if before is not None else Consent(consent_pk(ctx), contact_id,
                                                                          contact_id=contact_id, channels={})
        channels = dict(after.channels or {})
        moment = (at or db.utcnow()).isoformat()
        for channel, status in states.items():
            if (channels.get(channel) or {}).get("status") != status:
                channels[channel] = {"status": status, "source": source, "at": moment, "by": by,
                                     "campaign_id": campaign_id}
        if before is not None and channels == (before.channels or {}):
            return before, False
        after.channels = channels
        work = db.Change().save(after)
        audit.attach(ctx, work, after, entity="consent", entity_id=contact_id,
                     action="create" if before is None else "update",
                     before={"channels": before.channels} if before is not None else None,
                     after={"channels": channels})
        try:
            db.commit(ctx, work)
            return after, True
        except errors.VersionConflictError:
            continue
    raise errors.ConflictError("The consent changed meanwhile; try again.")
