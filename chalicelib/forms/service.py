"""A website form's submission: verify the sender, read the body, count it, store it, process it.

The URL key identifies the integration (and so the tenant); a server-side sender may also be made
to sign: ``X-CRM-Timestamp: <unix seconds>`` and ``X-CRM-Signature: v1=<hex HMAC-SHA256 of
"<timestamp>.<raw body>" under the integration's secret>``, within five minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.core import db, errors, observability
from chalicelib.core.tenancy import TenantContext, bind, tenant_key
from chalicelib.forms import parsing
from chalicelib.forms.mapping import read_lead, sensitive_names
from chalicelib.inbox import service as inbox_service
from chalicelib.integrations import service as integrations_service
from chalicelib.integrations.models import Integration

SIGNATURE_TOLERANCE_SECONDS = 300
RATE_LIMITED_KEPT = 2  # over the limit, up to twice the limit a minute is still stored (as ignored)
TILDA_TEST = {"test": "test"}


@dataclass
class Post:
    """A form post as the hook received it."""

    key: str
    content_type: str | None
    body: bytes
    ip: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    timestamp: str | None = None
    signature: str | None = None
    event_id: str | None = None
    request_id: str | None = None


@dataclass
class Submitted:
    """What the hook answers: the event (None for Tilda's test), a repeat, where to send the browser."""

    event_id: str | None
    duplicate: bool = False
    redirect_url: str | None = None


def _not_found() -> errors.CRMError:
    return errors.NotFoundError("No such form.")


def verify_signature(secret: str, post: Post, *, now: float | None = None) -> None:
    """401 unless the post carries a fresh HMAC-SHA256 of "<timestamp>.<body>" under secret."""
    invalid = errors.UnauthenticatedError("The signature is missing or wrong.", code="invalid_signature",
                                          headers={})
    if not post.timestamp or not post.signature or not post.timestamp.isdigit() or len(post.timestamp) > 12:
        raise invalid
    if abs((now or time.time()) - int(post.timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise invalid
    expected = hmac.new(secret.encode(), post.timestamp.encode() + b"." + post.body, hashlib.sha256).hexdigest()
    offered = [part.strip()[3:] for part in post.signature.split(",") if part.strip().startswith("v1=")]
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):  # constant time
        raise invalid


def summary(fields: dict[str, str], integration: Integration) -> str:
    """A short line for the events list: the name and the start of the phone or e-mail."""
    form = integrations_service.form_settings(integration)
    lead = read_lead(fields, field_map=form.field_map, honeypot_field=form.honeypot_field)
    contact = lead.phone or lead.email or ""
    shown = contact[:6] + "…" if len(contact) > 6 else contact  # enough to recognise, not the whole number
    name = " ".join(p for p in (lead.first_name or lead.name, lead.last_name) if p)
    return ", ".join(part for part in (name[:60], shown) if part)


def masked_payload(ctx: TenantContext, integration: Integration, fields: dict[str, Any]) -> dict[str, Any]:
    """A submission's fields as a role without ``sensitive:read`` may see them: values the form sends to a
    sensitive built-in or custom field are masked (the timeline shows them so to everyone)."""
    from chalicelib.core.crypto import MASK_PREFIX
    from chalicelib.forms.processor import sensitive_custom

    form = integrations_service.form_settings(integration)
    hidden = sensitive_names({str(name): "" for name in fields}, field_map=form.field_map,
                             sensitive_custom=sensitive_custom(ctx))
    return {name: MASK_PREFIX if name in hidden else value for name, value in fields.items()}


def _delivery(post: Post, fields: dict[str, str], integration: Integration) -> inbox_service.Delivery:
    source = {"ip": post.ip, "user_agent": (post.user_agent or "")[:300] or None,
              "referrer": (post.referrer or "")[:500] or None, "content_type": (post.content_type or "")[:100]}
    return inbox_service.Delivery(fields=fields, source=source, summary=summary(fields, integration),
                                  provider_event_id=(post.event_id or "")[:200] or None)


def _count(ctx: TenantContext, integration: Integration, post: Post, delivery: inbox_service.Delivery, *,
           signed: bool) -> None:
    """Count a post in its minute, the form's deliveries and (a browser's post) its sender's, in ONE conditional
    UpdateItem of the form's minute counter (#22: a hook answers after at most two requests). A sender past its
    own share is refused before the form's quota is touched, so one sender's flood never spends it and real
    leads keep coming (#21); over the form's limit, up to twice it a minute is stored as ignored, beyond that a
    flood, not stored. A refusal (429) stores nothing and counts nothing; only then is the counter read, to say
    which limit it was. Each sender is an attribute of the minute's item, so the item holds at most twice the
    form's limit of them (the condition refuses the rest)."""
    from botocore.exceptions import ClientError

    from chalicelib.core import aws
    from chalicelib.core.config import settings as app_settings
    from chalicelib.integrations import guard

    form = integrations_service.form_settings(integration)
    now = db.utcnow()
    key = {"pk": {"S": tenant_key(ctx, "INBOXRATE", integration.integration_id)},
           "sk": {"S": now.strftime("%Y%m%d%H%M")}}
    names = {"#n": "deliveries", "#k": "kind", "#x": "expires_at"}
    values = {":one": {"N": "1"}, ":kind": {"S": "inbox_rate"},
              ":cap": {"N": str(form.rate_limit_per_minute * RATE_LIMITED_KEPT)},
              ":x": {"N": str(int((now + inbox_service.RATE_WINDOW_TTL).timestamp()))}}
    update, condition = "SET #k = :kind, #x = :x ADD #n :one", "(attribute_not_exists(#n) OR #n < :cap)"
    sender = None if signed else guard.sender(post.ip)
    if sender is not None:
        names["#s"] = "s" + sender
        values[":share"], values[":zero"] = {"N": str(form.sender_limit_per_minute)}, {"N": "0"}
        update = "SET #k = :kind, #x = :x, #s = if_not_exists(#s, :zero) + :one ADD #n :one"
        condition += " AND (attribute_not_exists(#s) OR #s < :share)"
    table = aws.client("dynamodb")
    try:
        answer = table.update_item(TableName=app_settings.table_name, Key=key, UpdateExpression=update,
                                   ConditionExpression=condition, ExpressionAttributeNames=names,
                                   ExpressionAttributeValues=values, ReturnValues="UPDATED_NEW")
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in db.THROTTLE_CODES:
            raise errors.ServiceUnavailableError() from exc
        if code != "ConditionalCheckFailedException":
            raise
        found = table.get_item(TableName=app_settings.table_name, Key=key, ConsistentRead=True).get("Item", {})
        retry_after = max(60 - now.second, 1)
        if sender is not None and int(found.get("s" + sender, {}).get("N", "0")) >= form.sender_limit_per_minute:
            raise errors.RateLimitedError("Too many submissions from your address; try again in a minute.",
                                          code="sender_rate_limited", retry_after=retry_after) from None
        raise errors.RateLimitedError("Too many submissions to this form; try again in a minute.",
                                      retry_after=retry_after) from None
    if int(answer["Attributes"]["deliveries"]["N"]) > form.rate_limit_per_minute:  # visible to the business
        inbox_service.store_ignored(ctx, integration, delivery, reason="rate_limited")
        raise errors.RateLimitedError("Too many submissions to this form; try again in a minute.",
                                      retry_after=max(60 - now.second, 1))


def _integration(post: Post) -> tuple[TenantContext, Integration]:
    resolved = integrations_service.resolve_hook(post.key, "form", source_ip=post.ip)
    if resolved is None:
        raise _not_found()
    ctx = integrations_service.hook_context(resolved[0], resolved[1], request_id=post.request_id,
                                            source_ip=post.ip)
    observability.bind_tenant(ctx.tenant_id, actor_id=ctx.actor_id)  # the hook's log lines name the tenant
    integration = integrations_service.active_integration(ctx, resolved[1], digest=resolved[2])
    if integration is None:  # disabled, deleted, or its company suspended: like an unknown key
        raise _not_found()
    return ctx, integration


def submit(post: Post) -> Submitted:
    """Take one form post: verified, read, counted, stored before anything else, then processed."""
    ctx, integration = _integration(post)
    with bind(ctx):
        form = integrations_service.form_settings(integration)
        if form.require_signature:  # a signed sender is a server of the business's own: no share to keep
            verify_signature(integrations_service.signing_secret(ctx, integration), post)
        fields = parsing.parse(post.content_type, post.body)
        if fields == TILDA_TEST:  # Tilda checks a new webhook with test=test and wants "ok"
            return Submitted(event_id=None)
        delivery = _delivery(post, fields, integration)
        _count(ctx, integration, post, delivery, signed=form.require_signature)
        receipt = inbox_service.receive(ctx, integration, delivery)
    return Submitted(event_id=receipt.event.event_id, duplicate=receipt.duplicate, redirect_url=form.redirect_url)

