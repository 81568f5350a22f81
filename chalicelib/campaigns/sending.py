"""Sending a campaign: fan-out over the segment's members, then batches of recipients from a queue, each message
sent exactly once however often a batch is delivered.

- ``start`` (the send-now route, or the scheduled time's timer) queues the first fan-out message.
- A fan-out message reads one page of the segment's members (``FANOUT_PAGE``) and queues their ids in send
  batches, then the next page's fan-out; the last page marks the campaign fanned out. A fan-out delivered twice
  queues its batches twice, which the markers make harmless.
- A send batch reads its recipients' markers, contacts and consents (three BatchGetItems), claims the ones not
  yet claimed in one transaction (a ``SendMarker`` created only if absent, with the counters and the month's
  allowance), sends each (paced to the channel's rate), then records what each provider said in one transaction
  (sent, or failed for good). A provider that could not take a message now has its claim deleted in that same
  transaction, and the batch is answered as failed, so the queue brings it again: only the released recipients
  are sent then. A marker still ``sending`` (a Lambda that died between the provider's answer and our write) is
  never sent again: at most once, never twice.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.campaigns import consent, content, delivery, usage
from chalicelib.campaigns.models import Campaign, CampaignMessage, CampaignStats, Consent, SendMarker
from chalicelib.core import aws, crypto, db, errors, http, tenancy
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id, tenant_key

FANOUT_PAGE = 500
BATCH = {"email": 50, "sms": 20, "whatsapp": 50, "telegram": 50}
# Sends per second, per channel (docs/ARCHITECTURE.md "Segments and campaigns"): SES's production accounts start at
# 14 a second (1 in the sandbox); Twilio sends 1 SMS a second from a long code (more needs a short code or a
# Messaging Service); WhatsApp Cloud API takes 80 messages a second per business number at its default tier; a
# Telegram bot is asked to keep a broadcast under about 30 messages a second (its Bot FAQ), so 25.
RATES = {"email": 14.0, "sms": 1.0, "whatsapp": 80.0, "telegram": 25.0}
SLEEP: Callable[[float], None] = time.sleep  # the tests pace without waiting
KIND_FANOUT, KIND_SEND = "campaign_fanout", "campaign_send"
MESSAGE_KEPT = timedelta(days=90)  # a message's provider id is kept this long for its statuses (SES complaints: weeks)
SENT_STATES = frozenset({"sent", "failed", "skipped_consent", "skipped_address", "skipped_limit"})


class Retry(Exception):
    """Some recipients of a batch wait for another delivery of it."""


def campaigns_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's campaigns."""
    return tenant_key(ctx, "CAMPAIGN")


def stats_pk(ctx: TenantContext) -> str:
    """Partition of the campaigns' counters."""
    return tenant_key(ctx, "CAMPSTATS")


def markers_pk(ctx: TenantContext) -> str:
    """Partition of every campaign's recipients (``<campaign id>#<contact id>``)."""
    return tenant_key(ctx, "CAMPSENT")


def messages_pk(ctx: TenantContext) -> str:
    """Partition of the sent messages' provider ids (``CampaignMessage``, by keyed digest)."""
    return tenant_key(ctx, "CAMPMSG")


def recipient_key(ctx: TenantContext, contact_id: str) -> str:
    """gsi1 partition of what one contact was sent."""
    return tenant_key(ctx, "CAMPCONTACT", contact_id)


def marker_sk(campaign_id: str, contact_id: str) -> str:
    """Sort key of one recipient of one campaign."""
    return f"{campaign_id}#{contact_id}"


def stats(ctx: TenantContext, campaign_id: str) -> CampaignStats:
    """A campaign's counter item (keys only: to add to)."""
    return CampaignStats(stats_pk(ctx), campaign_id)


# -- the queue ------------------------------------------------------------------------------------------------

_queue_url: dict[str, str] = {}


def queue_name() -> str:
    """The stage's campaign queue (infra/: its function runs one batch at a time, so pacing is per stage)."""
    return f"crm-{settings.stage}-campaigns"


def queue_url() -> str:
    """The queue's URL, asked of SQS once per warm Lambda."""
    if "url" not in _queue_url:
        _queue_url["url"] = str(aws.client("sqs").get_queue_url(QueueName=queue_name())["QueueUrl"])
    return _queue_url["url"]


def enqueue(messages: list[dict[str, Any]]) -> None:
    """Queue messages (ids only: nothing personal leaves the table), ten a request; 503 when SQS fails."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for batch in db.each_in_batches(messages, 10):
            answer = aws.client("sqs").send_message_batch(QueueUrl=queue_url(), Entries=[
                {"Id": str(index), "MessageBody": json.dumps(body, separators=(",", ":"))}
                for index, body in enumerate(batch)])
            if answer.get("Failed"):
                raise errors.ServiceUnavailableError("The campaign queue refused a message; try again shortly.")
    except (BotoCoreError, ClientError) as exc:
        logger.warning("campaign messages not queued", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError("The campaign queue is unavailable; try again shortly.") from exc


def fanout_message(ctx: TenantContext, campaign: Campaign) -> dict[str, Any]:
    """The queue message of the next page of a campaign's fan-out (its step: a repeated message is dropped)."""
    return {"kind": KIND_FANOUT, "tenant_id": ctx.tenant_id, "campaign_id": campaign.campaign_id,
            "step": int(campaign.fanout_step or 0)}


def read(body: str) -> dict[str, Any] | None:
    """A queued message of ours, checked (None: not one, dropped)."""
    try:
        found = json.loads(body)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("kind") not in (KIND_FANOUT, KIND_SEND):
        return None
    if not is_valid_id(str(found.get("tenant_id"))) or not is_valid_id(str(found.get("campaign_id"))):
        return None
    contacts = found.get("contact_ids", [])
    if not isinstance(contacts, list) or not all(isinstance(c, str) and is_valid_id(c) for c in contacts):
        return None
    return found


def handle(event: Any) -> dict[str, list[dict[str, str]]]:
    """The campaign queue's handler: each message in its tenant; those to come again named in batchItemFailures.
    Takes Lambda's event as Chalice hands it over (an ``SQSEvent``) or as its raw dict."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    failures = []
    for record in raw.get("Records") or []:
        found = read(str(record.get("body", "")))
        if found is None:
            logger.warning("campaign queue message not ours; dropped")
            continue
        ctx = TenantContext(tenant_id=found["tenant_id"], actor_id="campaigns", actor_kind="system", role="system",
                            source="job")
        try:
            with tenancy.bind(ctx), http.run_memo():  # the tenant's settings read once a message
                if found["kind"] == KIND_FANOUT:
                    fanout(ctx, found["campaign_id"], int(found.get("step") or 0))
                else:
                    send_batch(ctx, found["campaign_id"], list(found["contact_ids"]))
        except Exception:  # noqa: BLE001 - the message comes again (then its dead-letter queue)
            logger.warning("campaign batch comes again", extra={"kind": found["kind"]}, exc_info=True)
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    return {"batchItemFailures": failures}


# -- fan-out --------------------------------------------------------------------------------------------------


def get(ctx: TenantContext, campaign_id: str) -> Campaign | None:
    """A campaign of the tenant, no permission check."""
    return db.get(ctx, Campaign, campaigns_pk(ctx), campaign_id) if is_valid_id(campaign_id) else None


def fanout(ctx: TenantContext, campaign_id: str, step: int) -> int:
    """Queue one page of the segment's members in send batches, and the next page; answers the ids queued. Only the
    step the campaign is at runs: a repeated fan-out message (SQS delivers at least once) queues nothing, so the
    pages after it are not queued twice over."""
    from chalicelib.segments import service as segments

    campaign = get(ctx, campaign_id)
    if campaign is None or campaign.status != "sending" or not campaign.segment_id or \
            int(campaign.fanout_step or 0) != step or campaign.fanned_out_at is not None:
        return 0
    page = segments.member_ids(ctx, campaign.segment_id, limit=FANOUT_PAGE, cursor=campaign.fanout_cursor,
                               scope="campaign-fanout")
    ids = [member.contact_id for member in page.items]
    size = BATCH.get(campaign.channel, 50)
    messages: list[dict[str, Any]] = [{"kind": KIND_SEND, "tenant_id": ctx.tenant_id, "campaign_id": campaign_id,
                                       "contact_ids": list(chunk)} for chunk in db.each_in_batches(ids, size)]
    campaign.fanout_step, campaign.fanout_cursor = step + 1, page.next_cursor
    if page.next_cursor:
        messages.append(fanout_message(ctx, campaign))
    enqueue(messages)
    if not page.next_cursor:
        campaign.fanned_out_at, campaign.status = db.utcnow(), "sent"
    with contextlib.suppress(errors.VersionConflictError):  # changed meanwhile (canceled): its write stands
        db.put(ctx, campaign)
    return len(ids)


# -- a batch --------------------------------------------------------------------------------------------------

_next_at: dict[str, float] = {}


def pace(channel: str) -> None:
    """Wait for the channel's next slot (one consumer a stage, so this is the stage's rate)."""
    now = time.monotonic()
    slot = max(_next_at.get(channel, now), now)
    _next_at[channel] = slot + 1.0 / RATES.get(channel, 1.0)
    if slot > now:
        SLEEP(slot - now)


# What a send reads of its recipients, contacts and consents in the same BatchGetItems (one table: one projection).
RECIPIENT_READ = ["pk", "sk", "kind", "pd", "contact_id", "deleted_at", "merged_into", "consent", "channels",
                  "version"]


def _read(ctx: TenantContext, model: Any, keys: list[tuple[str, str]], attributes: list[str]) -> list[Any]:
    """Items by key in BatchGetItems of 100, only the attributes named (a batch reads its recipients' items)."""
    found: list[Any] = []
    for batch in db.each_in_batches(keys, 100):
        with db.translate_errors():
            found += [item for item in model.batch_get(list(batch), attributes_to_get=attributes)
                      if db.owned(ctx, item) is not None]
    return found


def _recipients(ctx: TenantContext, ids: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The contacts and their consents, 50 of each a BatchGetItem."""
    keys = [key for cid in ids for key in ((tenant_key(ctx, "C", cid), "#PROFILE"), (consent.consent_pk(ctx), cid))]
    contacts: dict[str, Any] = {}
    consents: dict[str, Any] = {}
    for item in _read(ctx, db.MainTable, keys, RECIPIENT_READ):
        if isinstance(item, Consent):
            consents[item.contact_id] = item
        elif getattr(item, "contact_id", None):
            contacts[str(item.contact_id)] = item
    return contacts, consents


def _marker(ctx: TenantContext, campaign: Campaign, contact_id: str, status: str, now: datetime) -> SendMarker:
    return SendMarker(markers_pk(ctx), marker_sk(campaign.campaign_id, contact_id), campaign_id=campaign.campaign_id,
                      contact_id=contact_id, channel=campaign.channel, status=status,
                      gsi1pk=recipient_key(ctx, contact_id), gsi1sk=f"{now.isoformat()}#{campaign.campaign_id}")


def _decide(ctx: TenantContext, campaign: Campaign, ids: list[str]) -> tuple[dict[str, str], dict[str, Any]]:
    """Each pending recipient's fate before sending (``send`` or a skip) and the contacts to send to."""
    contacts, consents = _recipients(ctx, ids)
    fates: dict[str, str] = {}
    for contact_id in ids:
        contact = contacts.get(contact_id)
        if contact is None or contact.deleted_at is not None:
            fates[contact_id] = "skipped_address"
        elif not consent.allowed(consents.get(contact_id), contact, campaign.channel):
            fates[contact_id] = "skipped_consent"
        elif delivery.address_of(contact, campaign.channel) is None:
            fates[contact_id] = "skipped_address"
        else:
            fates[contact_id] = "sending"
    return fates, contacts


def _claim(ctx: TenantContext, campaign: Campaign, fates: dict[str, str], now: datetime) -> dict[str, SendMarker]:
    """Create the markers of pending recipients with their counters in one transaction; on a race (another delivery
    claimed one), one transaction per recipient. Answers the markers this call claimed."""
    def change_of(part: dict[str, str]) -> tuple[db.Change, dict[str, SendMarker]]:
        change, made = db.Change(), {}
        counters: dict[str, int] = {"recipients": len(part)}
        for contact_id, fate in part.items():
            made[contact_id] = _marker(ctx, campaign, contact_id, fate, now)
            change.create(made[contact_id])
            if fate != "sending":
                counters[fate] = counters.get(fate, 0) + 1
        change.add(stats(ctx, campaign.campaign_id), **counters)
        usage.count(ctx, change, sum(1 for fate in part.values() if fate == "sending"), now)
        return change, made

    try:
        change, made = change_of(fates)
        db.commit(ctx, change)
        return made
    except errors.VersionConflictError:
        claimed: dict[str, SendMarker] = {}
        for contact_id, fate in fates.items():
            change, made = change_of({contact_id: fate})
            try:
                db.commit(ctx, change)
                claimed.update(made)
            except errors.VersionConflictError:
                continue  # claimed by the other delivery
        return claimed


def _refused_by_plan(ctx: TenantContext, campaign: Campaign, fates: dict[str, str], now: datetime) -> None:
    limited = {cid: ("skipped_limit" if fate == "sending" else fate) for cid, fate in fates.items()}
    change = db.Change()
    counters: dict[str, int] = {"recipients": len(limited)}
    for contact_id, fate in limited.items():
        change.create(_marker(ctx, campaign, contact_id, fate, now))
        counters[fate] = counters.get(fate, 0) + 1
    change.add(stats(ctx, campaign.campaign_id), **counters)
    with contextlib.suppress(errors.VersionConflictError):  # another delivery recorded them
        db.commit(ctx, change)


def _record(ctx: TenantContext, campaign: Campaign, outcomes: dict[str, tuple[str, str | None]],
            claimed: dict[str, SendMarker], now: datetime) -> None:
    """What each provider said, in one transaction a chunk: sent or failed for good; released to come again."""
    for chunk in db.each_in_batches(sorted(outcomes), 45):
        change, counters, released = db.Change(), {"sent": 0, "failed": 0, "recipients": 0, "delivered": 0}, 0
        for contact_id in chunk:
            status, detail = outcomes[contact_id]
            marker = claimed[contact_id]
            if status == "retry":
                change.delete(marker)
                counters["recipients"] -= 1
                released += 1
                continue
            marker.status = status
            if status == "sent" and campaign.channel == "telegram":
                # Telegram's sendMessage answers with the message already in the customer's chat, and no delivery
                # status ever follows: it is delivered as it is sent (a blocked bot is refused at once instead)
                marker.sent_at, marker.delivery, marker.delivered_at = now, "delivered", now
                counters["delivered"] += 1
            elif status == "sent":
                marker.sent_at, marker.delivery = now, "sent"
                marker.provider_ref = crypto.keyed_digest(ctx, purpose="campaign-message", value=detail or "") \
                    if detail else None
                if marker.provider_ref:  # where its delivery statuses find it
                    change.save(CampaignMessage(messages_pk(ctx), marker.provider_ref, campaign_id=campaign.campaign_id,
                                                contact_id=contact_id, channel=campaign.channel,
                                                expires_at=now + MESSAGE_KEPT))
            else:
                marker.reason = (detail or "")[:200]
            counters[status] += 1
            change.save(marker)
        change.add(stats(ctx, campaign.campaign_id), **counters)
        usage.count(ctx, change, -released, now)
        db.commit(ctx, change)


def mail_tags(ctx: TenantContext, campaign: Campaign, contact_id: str) -> dict[str, str]:
    """What an e-mail's SES events name it by (``mail.tags``): its company, campaign and recipient, ids only."""
    return {"crm-tenant": ctx.tenant_id, "crm-campaign": campaign.campaign_id, "crm-contact": contact_id}


def send_batch(ctx: TenantContext, campaign_id: str, contact_ids: list[str]) -> dict[str, int]:
    """Send one batch of a campaign: each recipient once. Raises ``Retry`` when some must come again."""
    from chalicelib.identity import service as identity_service

    campaign = get(ctx, campaign_id)
    if campaign is None or campaign.status not in {"sending", "sent"}:
        return {}
    ids = list(dict.fromkeys(contact_ids))
    found = _read(ctx, SendMarker, [(markers_pk(ctx), marker_sk(campaign_id, cid)) for cid in ids],
                  ["pk", "sk", "kind", "contact_id"])
    done = {item.contact_id for item in found if isinstance(item, SendMarker)}
    pending = [cid for cid in ids if cid not in done]
    if not pending:
        return {}
    now = db.utcnow()
    fates, contacts = _decide(ctx, campaign, pending)
    try:
        claimed = _claim(ctx, campaign, fates, now)
    except errors.PlanLimitError:
        _refused_by_plan(ctx, campaign, fates, now)
        return {"skipped_limit": len(fates)}
    to_send = [cid for cid, marker in claimed.items() if marker.status == "sending"]
    tenant = identity_service.tenant_settings(ctx)
    locale = str(getattr(tenant, "locale", None) or "en")
    line = delivery.line_of(ctx, campaign.integration_id) if campaign.channel != "email" else None
    outcomes: dict[str, tuple[str, str | None]] = {}
    for contact_id in to_send:
        contact = contacts[contact_id]
        rendered = content.render(ctx, campaign, contact_id, content.person_of(contact), locale=locale)
        pace(campaign.channel)
        try:
            outcomes[contact_id] = ("sent", delivery.send(campaign, str(delivery.address_of(contact, campaign.channel)),
                                                          rendered, line, tags=mail_tags(ctx, campaign, contact_id)))
        except delivery.Refused as exc:
            outcomes[contact_id] = ("failed", str(exc))
        except delivery.Unavailable as exc:
            outcomes[contact_id] = ("retry", str(exc))
    _record(ctx, campaign, outcomes, claimed, now)
    if line is not None:  # a line's statuses that came before the record (Twilio calls back within seconds)
        from chalicelib.campaigns import statuses

        statuses.pick_up_early(ctx, line[0].integration_id,
                               [str(detail) for status, detail in outcomes.values() if status == "sent" and detail])
    counts: dict[str, int] = {}
    for status, _ in outcomes.values():
        counts[status] = counts.get(status, 0) + 1
    if counts.get("retry"):
        raise Retry(f"{counts['retry']} recipients wait for the next delivery")
    return counts
