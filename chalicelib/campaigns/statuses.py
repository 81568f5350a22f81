"""Delivery statuses of campaign messages: what each provider later says of a message it took (#24).

A status names the provider's message id; the send recorded it as a keyed digest (``CampaignMessage``, written in
the transaction that marked the recipient sent), so one GetItem finds the recipient, one more reads its marker,
and one transaction moves the marker and the campaign's counters:

- each state a status implies is set once with its counter (``read`` implies ``delivered``; a complaint too: the
  message reached the mailbox), so the same status twice, or a late ``delivered`` after ``read``, counts nothing
  again;
- the marker's ``delivery`` only moves forward (``models.DELIVERY_RANK``), with the provider's reason (its codes,
  no personal data) when it failed;
- a permanent bounce or a complaint withdraws the contact's e-mail consent (source ``bounce`` / ``complaint``), so
  later campaigns skip the address, as every mail service suppresses it; a transient bounce does not.

Statuses come from SES's event publishing (``campaigns.mail_events``) and from the lines' webhooks, whose messaging
processor hands over those of messages no conversation holds (``from_line``). A line's status may come before the
send is recorded (Twilio calls back within seconds; a batch of 20 SMS is recorded after the last): the messaging
processor keeps it (``EarlyStatus``) and the batch picks it up once recorded (``pick_up_early``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.campaigns import consent, sending, tracking
from chalicelib.campaigns.models import DELIVERY_RANK, CampaignMessage
from chalicelib.core import crypto, db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext

IMPLIES = {"delivered": ("delivered",), "read": ("delivered", "read"), "bounced": ("bounced",),
           "undelivered": ("undelivered",), "complained": ("delivered", "complained")}
SUPPRESSION_SOURCE = {"bounced": "bounce", "complained": "complaint"}
LINE_STATUSES = {"delivered": "delivered", "read": "read", "failed": "undelivered"}  # messaging's -> ours
REASON_MAX = 200


@dataclass(frozen=True)
class Status:
    """What a provider said of one message it took."""

    provider_message_id: str
    status: str  # delivered | read | bounced | undelivered | complained | sent (nothing to record)
    at: datetime
    reason: str | None = None
    suppress: bool = False  # a permanent bounce or a complaint: the address is written to no more


def message_of(ctx: TenantContext, provider_message_id: str) -> CampaignMessage | None:
    """The campaign message a provider's id names, or None (one GetItem)."""
    if not provider_message_id:
        return None
    digest = crypto.keyed_digest(ctx, purpose="campaign-message", value=provider_message_id)
    return db.get(ctx, CampaignMessage, sending.messages_pk(ctx), digest)


def record(ctx: TenantContext, found: CampaignMessage, update: Status) -> bool:
    """Move the recipient's marker and the campaign's counters by a status, once; True when it wrote."""
    implied = IMPLIES.get(update.status, ())
    for _ in range(3):
        marker = tracking.marker(ctx, found.campaign_id, found.contact_id)
        if marker is None or marker.status != "sent":
            return False
        counters = {}
        for name in implied:
            if getattr(marker, tracking.FIRSTS[name]) is None:
                setattr(marker, tracking.FIRSTS[name], update.at)
                counters[name] = 1
        moved = DELIVERY_RANK.get(update.status, 0) > DELIVERY_RANK.get(marker.delivery or "sent", 0)
        if moved:
            marker.delivery = update.status
            if update.reason:
                marker.reason = update.reason[:REASON_MAX]
        if not counters and not moved:
            return False
        change = db.Change().save(marker)
        if counters:
            change.add(sending.stats(ctx, found.campaign_id), **counters)
        try:
            db.commit(ctx, change)
            return True
        except errors.VersionConflictError:
            continue  # another status of the same message won: read it again
    raise errors.ConflictError("The message's status changed meanwhile; try again.", code="status_in_flight")


def apply(ctx: TenantContext, update: Status) -> str | None:
    """Apply a status to the campaign message it names; the campaign's id, or None when no campaign sent it."""
    found = message_of(ctx, update.provider_message_id)
    if found is None:
        return None
    record(ctx, found, update)
    source = SUPPRESSION_SOURCE.get(update.status)
    if update.suppress and source and found.channel == "email":
        # Done whether or not the marker moved: a retry after a crash between the two still withdraws it.
        consent.change(ctx, found.contact_id, {"email": "withdrawn"}, source=source, by=None,
                       campaign_id=found.campaign_id, at=update.at)
    return found.campaign_id


def reason_of_line(error: Mapping[str, Any] | None) -> str | None:
    """A line's error as a marker's reason: the provider's code and title (Twilio 30003, WhatsApp 131026 ...)."""
    if not error:
        return None
    return " ".join(str(part) for part in (error.get("code"), error.get("title")) if part).strip()[:REASON_MAX] or None


def from_line(ctx: TenantContext, *, provider_message_id: str, status: str, at: datetime,
              error: Mapping[str, Any] | None) -> str | None:
    """A status an SMS or WhatsApp line reported of a message no conversation holds: the campaign's id when a
    campaign sent it (a ``sent`` changes nothing), else None."""
    return apply(ctx, Status(provider_message_id=provider_message_id, status=LINE_STATUSES.get(status, "sent"),
                             at=at, reason=reason_of_line(error)))


def pick_up_early(ctx: TenantContext, integration_id: str, provider_ids: list[str]) -> int:
    """Apply the statuses a line reported before these sends were recorded (the messaging processor kept them):
    one BatchGetItem of their possible keys per 33 messages; answers how many were applied."""
    from chalicelib.conversations.models import EarlyStatus
    from chalicelib.messaging import threads

    applied = 0
    for batch in db.each_in_batches(provider_ids, 33):
        keys = {(threads.early_pk(ctx, integration_id), f"{threads.message_key(ctx, provider_id)}#{status}"):
                provider_id for provider_id in batch for status in LINE_STATUSES}
        found = db.get_many(ctx, list(keys))
        for key, item in sorted(found.items(), key=lambda pair: DELIVERY_RANK.get(
                LINE_STATUSES.get(getattr(pair[1], "status", ""), "sent"), 0)):
            if isinstance(item, EarlyStatus):
                applied += from_line(ctx, provider_message_id=keys[key], status=item.status, at=item.at,
                                     error=item.error) is not None
    if applied:
        logger.info("early delivery statuses of campaign messages applied", extra={"count": applied})
    return applied
