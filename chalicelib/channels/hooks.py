"""A provider's delivery: routed by the URL's key, answered if it is a URL check, verified, parsed,
stored first, then processed.

The order is the one every provider gets (``/work/shared`` "Channels"): nothing is read from a body
whose signature has not been checked, and nothing is processed that was not stored first. A key
that leads nowhere answers 404; a forged, stale or missing signature 401; a signed body that cannot
be read 422; none of them stores anything. A delivery to an integration that is disabled, or whose
company is suspended, is stored as ignored with the reason (nothing a provider sent is lost) and
answered as the provider expects, so it does not retry forever.
"""

from __future__ import annotations

from chalicelib.channels.adapters import Inbound, Reply, find
from chalicelib.core import errors, observability
from chalicelib.core.tenancy import bind
from chalicelib.identity.models import Tenant
from chalicelib.inbox import service as inbox_service
from chalicelib.integrations import service as integrations_service


def _not_found() -> errors.CRMError:
    return errors.NotFoundError("No such integration.")


def receive(inbound: Inbound, key: str) -> Reply:
    """Take one provider request to the integration whose webhook key is ``key``."""
    adapter = find(inbound.provider)
    if adapter is None:
        raise _not_found()
    if inbound.method not in adapter.methods:
        raise errors.MethodNotAllowedError()
    resolved = integrations_service.resolve_hook(key, adapter.type, source_ip=inbound.ip)
    if resolved is None:
        raise _not_found()
    tenant_id, integration_id, digest = resolved
    ctx = integrations_service.hook_context(tenant_id, integration_id, request_id=inbound.request_id,
                                            source_ip=inbound.ip)
    observability.bind_tenant(ctx.tenant_id, actor_id=ctx.actor_id)
    with bind(ctx):
        integration, tenant = integrations_service.hook_items(ctx, integration_id)
        if integration is None or integration.status == "deleted" or integration.key_digest != digest:
            raise _not_found()
        handshake = adapter.handshake(inbound)
        if handshake is not None:
            return handshake
        credentials = integrations_service.adapter_credentials(ctx, integration)
        handshake = adapter.verified_handshake(inbound, credentials)
        if handshake is not None:
            return handshake
        adapter.verify(inbound, credentials)
        parsed = adapter.parse(inbound)
        open_for_business = isinstance(tenant, Tenant) and tenant.status == "active"
        reason = None if integration.status == "active" and open_for_business else (
            "integration_disabled" if integration.status != "active" else "company_suspended")
        event_ids = []
        for one in parsed:
            delivery = inbox_service.Delivery(
                fields=one.fields, summary=one.summary, provider_event_id=one.provider_event_id,
                source={"ip": inbound.ip, "user_agent": (inbound.header("user-agent") or "")[:300] or None,
                        "content_type": inbound.content_type[:100] or None})
            if reason is not None:
                event_ids.append(inbox_service.store_ignored(ctx, integration, delivery, reason=reason).event_id)
            else:
                event_ids.append(inbox_service.receive(ctx, integration, delivery).event.event_id)
        return adapter.answer(inbound, event_ids)
