"""One message to one recipient through the campaign's channel: SES for e-mail, the Twilio line's Messaging API
for SMS, the WhatsApp line's template send and the Telegram bot's sendMessage, each through the seam the CRM already
has (``core.mail``, the messaging adapters over ``channels.transport``, whose sandbox records every request under
``make run`` and the tests).

A provider's answer is one of three: accepted (its message id), ``Refused`` (this recipient will never take it: a
rejected address, an invalid number: the send is failed for good) or ``Unavailable`` (an outage, a 5xx, throttling
even where the provider answers it with a 4xx, ``transport.ProviderBusy``: the claim is released and the queue brings
the recipient again).
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.campaigns import content
from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext

REFUSING_SES = frozenset({"MessageRejected", "InvalidParameterValue", "MailFromDomainNotVerifiedException",
                          "BadRequestException"})
PROVIDER_4XX = re.compile(r"\((4\d\d)\)")


class Refused(Exception):
    """The provider refused this recipient for good."""


class Unavailable(Exception):
    """The provider could not take the message now; try again later."""


def address_of(contact: Any, channel: str) -> str | None:
    """Where a contact is written to on a channel: the first e-mail, the first phone (WhatsApp: its number too),
    Telegram's chat id."""
    if channel == "email":
        found = next((e.get("address") for e in contact.emails or [] if isinstance(e, dict) and e.get("address")),
                     None)
        return str(found) if found else None
    messengers = getattr(contact, "messengers", None) or {}
    if channel == "telegram":  # the chat a bot may write to: the customer's own, known once they wrote to the bot
        found = messengers.get("telegram_id") if isinstance(messengers, dict) else None
        return str(found) if found else None
    numbers = [messengers.get("whatsapp")] if channel == "whatsapp" and isinstance(messengers, dict) else []
    numbers += [p.get("number") for p in contact.phones or [] if isinstance(p, dict)]
    found = next((n for n in numbers if n), None)
    if not found:
        return None
    return str(found).lstrip("+") if channel == "whatsapp" else str(found)


def line_of(ctx: TenantContext, integration_id: str | None) -> tuple[Any, Any, Any] | None:
    """The messaging line of an SMS, WhatsApp or Telegram campaign: (integration, adapter, credentials), or None."""
    from chalicelib.integrations import service as integrations_service
    from chalicelib.messaging import processor

    integration = integrations_service.get(ctx, integration_id or "")
    if integration is None or integration.integration_type not in processor.LINE_TYPES or \
            integration.status != "active":
        return None
    return integration, processor.adapter_of(integration), integrations_service.adapter_credentials(ctx, integration)


def send(campaign: Any, address: str, rendered: content.Rendered, line: tuple[Any, Any, Any] | None, *,
         tags: dict[str, str] | None = None) -> str:
    """Send one recipient's message; answers the provider's message id. An e-mail with ``tags`` (a recipient's,
    not a test send) goes out with the campaigns' configuration set, whose events name it by them (#24)."""
    if campaign.channel == "email":
        return _email(address, rendered, tags)
    if line is None:
        raise Refused("The campaign's line is gone or disabled.")
    from chalicelib.channels import transport

    _, adapter, credentials = line
    try:
        if campaign.channel in ("sms", "telegram"):
            sent = adapter.send_text(credentials, chat_id=address, text=rendered.text)
        else:
            from chalicelib.messaging.events import Template

            template = campaign.template or {}
            sent = adapter.send_template(credentials, chat_id=address, template=Template(
                name=str(template.get("name")), language=str(template.get("language") or "en"),
                parameters=rendered.parameters))
    except transport.ProviderBusy as exc:  # throttled: the queue brings the recipient again
        raise Unavailable(str(exc)[:200]) from exc
    except transport.ProviderError as exc:
        if PROVIDER_4XX.search(str(exc)):
            raise Refused(str(exc)[:200]) from exc
        raise Unavailable(str(exc)[:200]) from exc
    except errors.ValidationError as exc:  # the line lacks what sending needs (Twilio's caller id)
        raise Refused(exc.message[:200]) from exc
    return str(sent.provider_message_id or "")


def _email(address: str, rendered: content.Rendered, tags: dict[str, str] | None) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.core import mail
    from chalicelib.core.config import settings

    try:
        return mail.send_mime(data=content.mime(rendered, to=address), tags=tags,
                              configuration_set=settings.campaign_configuration_set if tags else None)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in REFUSING_SES:
            raise Refused(code) from exc
        raise Unavailable(code) from exc
    except BotoCoreError as exc:
        raise Unavailable(type(exc).__name__) from exc
