"""SES's delivery events of campaign e-mails: SES → SNS → the campaign mail events queue → ``app.campaign_mail_events``.

Campaign e-mails go out with the stage's configuration set (``settings.campaign_configuration_set``) and three
message tags (``crm-tenant``, ``crm-campaign``, ``crm-contact``: ids only). Its event destination publishes the
Delivery, Bounce, Complaint, Reject and Rendering Failure events to an SNS topic, which delivers them to an SQS
queue (infra/resources.json). The contract is SES's "Contents of event data that Amazon SES publishes to Amazon
SNS": ``eventType``; ``mail`` (``messageId``: the id SendEmail answered; ``tags``: name → list of values);
``bounce`` (``bounceType`` Permanent | Transient | Undetermined, ``bounceSubType``, ``bouncedRecipients[]`` with
``status`` and ``diagnosticCode``, ``feedbackId``, ``timestamp``); ``complaint`` (``complaintFeedbackType``,
``feedbackId``, ``timestamp``); ``delivery`` (``timestamp``); ``reject`` (``reason``); ``failure``
(``errorMessage``, ``templateName``).

Why a queue and not ``@app.on_sns_message``: the queue retries a message whose storing failed (batch item failures,
then a dead-letter queue with an alarm), batches ten events a call, and is what the local runner already drives
(it polls every ``@app.on_sqs_message`` queue; ``chalice local`` runs no SNS handler). Only the topic may send to
the queue, and only SES (for the stage's account) may publish to the topic, so the queue's messages are SES's own;
the tags name the company.

Each event is stored first in the company's inbox (integration ``MAIL_EVENTS``: SES has no integration of its own),
sealed and deduplicated by SES's message id, event type and feedback id, then processed
(``process_mail_event``): the status goes to its campaign message (``campaigns.statuses``). An event whose message
no campaign sent is stored and ignored; one naming no company of ours is dropped with a log line (there is nowhere
to store it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.campaigns import statuses
from chalicelib.core import crypto, db, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import is_valid_id
from chalicelib.inbox import Outcome, Run, register_processor

MAIL_EVENTS_TYPE = "ses_events"
STATUS_OF = {"Delivery": "delivered", "Bounce": "bounced", "Complaint": "complained", "Reject": "undelivered",
             "Rendering Failure": "undelivered"}


@dataclass(frozen=True)
class MailEvents:
    """The inbox's integration of SES's events in every company (the same id everywhere; nothing stored)."""

    integration_id: str = "0000000000000000000000SES0"
    integration_type: str = MAIL_EVENTS_TYPE
    status: str = "active"
    name: str = "Amazon SES events"


MAIL_EVENTS = MailEvents()


# -- reading an event ----------------------------------------------------------------------------------------


def event_of(body: str) -> dict[str, Any] | None:
    """The SES event in a queue message: as SNS delivers it raw, or inside SNS's envelope; None when not one."""
    try:
        found = json.loads(body)
        if isinstance(found, dict) and found.get("Type") == "Notification" and isinstance(found.get("Message"), str):
            found = json.loads(found["Message"])
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("mail"), dict):
        return None
    if not isinstance(found.get("eventType") or found.get("notificationType"), str):
        return None
    return found


def tag(event: dict[str, Any], name: str) -> str | None:
    """One of the message's tags (``mail.tags``: each a list of values), or None."""
    values = (event["mail"].get("tags") or {}).get(name)
    value = values[0] if isinstance(values, list) and values else None
    return value if isinstance(value, str) and is_valid_id(value) else None


def _moment(text: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return db.utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def status_of(event: dict[str, Any]) -> statuses.Status | None:
    """What an SES event says of its message (None: an event type campaigns do not read: Send, Open, Click ...)."""
    kind = str(event.get("eventType") or event.get("notificationType"))
    message_id = event["mail"].get("messageId")
    if kind not in STATUS_OF:
        return None
    if not isinstance(message_id, str) or not message_id:
        raise ValueError("mail.messageId")
    if kind == "Bounce":
        bounce = event["bounce"]
        recipients = bounce.get("bouncedRecipients") or [{}]
        first = recipients[0] if isinstance(recipients[0], dict) else {}
        # The provider's codes only: a diagnostic code may quote the address.
        reason = " ".join(str(part) for part in (bounce.get("bounceType"), bounce.get("bounceSubType"),
                                                  first.get("status")) if part)
        return statuses.Status(provider_message_id=message_id, status="bounced", at=_moment(bounce.get("timestamp")),
                               reason=reason, suppress=bounce.get("bounceType") == "Permanent")
    if kind == "Complaint":
        complaint = event["complaint"]
        return statuses.Status(provider_message_id=message_id, status="complained",
                               at=_moment(complaint.get("timestamp")), suppress=True,
                               reason=f"Complaint {complaint.get('complaintFeedbackType') or ''}".strip())
    if kind == "Delivery":
        return statuses.Status(provider_message_id=message_id, status="delivered",
                               at=_moment(event["delivery"].get("timestamp")))
    detail = event.get("reject", {}).get("reason") if kind == "Reject" else "Rendering Failure"
    return statuses.Status(provider_message_id=message_id, status="undelivered",
                           at=_moment(event["mail"].get("timestamp")), reason=f"{kind}: {detail}"[:200])


def event_id_of(event: dict[str, Any]) -> str:
    """What a repeated publication of the same event shares (SES publishes at least once)."""
    kind = str(event.get("eventType") or event.get("notificationType"))
    feedback = (event.get(kind.lower()) or {}).get("feedbackId") if isinstance(event.get(kind.lower()), dict) else None
    return f"ses:{event['mail'].get('messageId')}:{kind}:{feedback or ''}"


# -- the queue -----------------------------------------------------------------------------------------------


def store(event: dict[str, Any]) -> str:
    """Store one SES event in its company's inbox and process it; answers what became of it."""
    from chalicelib.inbox import pipeline
    from chalicelib.inbox import service as inbox_service
    from chalicelib.integrations import service as integrations_service

    tenant_id = tag(event, "crm-tenant")
    if tenant_id is None:
        return "not_ours"
    ctx = integrations_service.hook_context(tenant_id, MAIL_EVENTS.integration_id)
    with tenancy.bind(ctx):
        kind = str(event.get("eventType") or event.get("notificationType"))
        delivery = inbox_service.Delivery(fields=event, summary=f"ses {kind}"[:60],
                                          provider_event_id=event_id_of(event), source={"provider": "ses"})
        try:
            receipt = inbox_service.store(ctx, MAIL_EVENTS, delivery)
        except crypto.KeyUnavailableError:
            return "company_gone"  # shredded or never ours: nothing to store it under
        if receipt.duplicate:
            return "duplicate"
        return str(pipeline.process(ctx, receipt.event, MAIL_EVENTS).status)


def queued_events(event: Any) -> dict[str, Any]:
    """The campaign mail events queue's handler (app.campaign_mail_events): each SES event stored in its company's
    inbox, then processed; a message that could not even be stored comes again (``batchItemFailures``)."""
    failures: list[dict[str, str]] = []
    for record in event:
        message_id = str(record.to_dict().get("messageId", ""))
        found = event_of(record.body)
        if found is None:
            logger.warning("campaign mail events: not an SES event; dropped", extra={"message_id": message_id})
            continue
        try:
            outcome = store(found)
        except Exception:  # noqa: BLE001 - it comes again from the queue (then its dead-letter queue)
            logger.exception("campaign mail events: an event could not be stored", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
            continue
        if outcome in ("not_ours", "company_gone"):
            logger.warning("campaign mail events: an event of no company; dropped", extra={"outcome": outcome})
    return {"batchItemFailures": failures}


# -- the inbox's processor -----------------------------------------------------------------------------------


def process_mail_event(run: Run) -> Outcome:
    """A stored SES event to its campaign message (ignored: an event type or a message no campaign sent)."""
    try:
        found = status_of(run.fields) if isinstance(run.fields.get("mail"), dict) else None
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise errors.ValidationError("The stored event is not one SES publishes.", code="invalid_event") from exc
    if found is None:
        return Outcome("ignored", {"reason": "not_a_status"})
    campaign_id = statuses.apply(run.ctx, found)
    if campaign_id is None:
        return Outcome("ignored", {"reason": "unknown_message"})
    return Outcome("processed", {"campaign_id": campaign_id, "status": found.status})


register_processor(MAIL_EVENTS_TYPE, process_mail_event)
