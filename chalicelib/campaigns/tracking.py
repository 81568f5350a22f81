"""What happened to a campaign's messages: opens, clicks, unsubscribes (the public links), replies and conversions
(the domain-event feed), deliveries (a provider's status, by its message id).

Each is recorded once per recipient: the marker is read, and a first open (click, reply ...) sets its time and adds
to the campaign's counter in one version-checked transaction; a second, or a racing one that lost, changes
nothing. A click also counts an open (a client that blocks images still clicked).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.campaigns import sending
from chalicelib.campaigns.models import CampaignClaim, SendMarker
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key

ATTRIBUTION = timedelta(days=7)  # a deal won or order paid this long after a message is the campaign's
REPLY_WINDOW = timedelta(days=3)
FIRSTS = {"opened": "opened_at", "clicked": "clicked_at", "replied": "replied_at", "unsubscribed": "unsubscribed_at",
          "delivered": "delivered_at", "conversions": "converted_at", "read": "read_at", "bounced": "bounced_at",
          "complained": "complained_at", "undelivered": "undelivered_at"}


def marker(ctx: TenantContext, campaign_id: str, contact_id: str) -> SendMarker | None:
    """One recipient's marker, or None."""
    return db.get(ctx, SendMarker, sending.markers_pk(ctx), sending.marker_sk(campaign_id, contact_id))


def first(ctx: TenantContext, campaign_id: str, contact_id: str, *events: str, at: datetime | None = None,
          change: db.Change | None = None, extra: dict[str, int] | None = None) -> bool:
    """Record the first of each event for a recipient (and its counter); False when all were recorded before or the
    message was never sent."""
    for _ in range(3):
        found = marker(ctx, campaign_id, contact_id)
        if found is None or found.status != "sent":
            return False
        moment, counters = at or db.utcnow(), dict(extra or {})
        for name in events:
            if getattr(found, FIRSTS[name]) is None:
                setattr(found, FIRSTS[name], moment)
                counters[name] = 1
        if not counters:
            return False
        work = db.Change().save(found).add(sending.stats(ctx, campaign_id), **counters).extend(change)
        try:
            db.commit(ctx, work)
            return True
        except errors.VersionConflictError:
            if change is not None and change.creates:  # a claim of the cause was taken: counted already
                return False
    return False


def sent_to(ctx: TenantContext, contact_id: str, since: datetime) -> list[SendMarker]:
    """What a contact was sent since a time, newest first (one Query of its gsi1 partition)."""
    with db.translate_errors():
        found = SendMarker.gsi1.query(sending.recipient_key(ctx, contact_id), SendMarker.gsi1sk >= since.isoformat(),
                                      scan_index_forward=False, limit=20)
        return [item for item in found if isinstance(item, SendMarker) and item.status == "sent"]


def claim(ctx: TenantContext, cause: str, campaign_id: str, at: datetime) -> db.Change:
    """A change that counts a cause once: its claim is created only if absent."""
    return db.Change().create(CampaignClaim(tenant_key(ctx, "CAMPCLAIM"), cause, campaign_id=campaign_id,
                                            expires_at=at + timedelta(days=90)))


def converted(ctx: TenantContext, *, contact_ids: tuple[str, ...], ref: str, at: datetime, amount_minor: int) -> bool:
    """Attribute a won deal or paid order to the newest campaign its contacts were sent within the window (last
    touch), once per cause."""
    for contact_id in contact_ids[:10]:
        for found in sent_to(ctx, contact_id, at - ATTRIBUTION):
            if found.sent_at is not None and found.sent_at <= at:
                return first(ctx, found.campaign_id, contact_id, "conversions", at=at,
                             change=claim(ctx, f"conv#{ref}", found.campaign_id, at),
                             extra={"revenue_minor": max(amount_minor, 0)})
    return False


def replied(ctx: TenantContext, *, contact_id: str, at: datetime) -> bool:
    """A message from a contact after a campaign reached them (within the reply window) is its reply."""
    for found in sent_to(ctx, contact_id, at - REPLY_WINDOW):
        if found.sent_at is not None and found.sent_at <= at:
            return first(ctx, found.campaign_id, contact_id, "replied", at=at)
    return False


def campaign_ids_of(items: list[Any]) -> list[str]:
    """The campaigns of markers, newest first, once each."""
    return list(dict.fromkeys(item.campaign_id for item in items))
