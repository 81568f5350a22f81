"""Integrations' and the inbox's items declared to the tenant export and purge (``tenantdata.registry``).

The integrations partition is fixed per tenant; each integration leads to its events, its dedupe
marks and its global key lookup, and each event (of an integration or of any other source that stores
through the inbox) to the item holding its fields. The webhook key, the signing secret and every
event's fields are sealed. The key's lookup is not exported: the key of an imported integration still leads to the
source tenant, so the copy arrives disabled and gets a key (a URL) of its own when it is enabled;
rotating or deleting it in the copy never touches the source's lookup (``service._own_lookup``).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.inbox import models as inbox_models
from chalicelib.inbox import service as inbox_service
from chalicelib.integrations import service
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import Link, RawItem, SealedValues, text


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [service.integrations_pk(ctx)]


def _integration_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    integration_id = text(item, "integration_id")
    if not integration_id or not str(item["pk"]["S"]).startswith(ctx.prefix):
        return []
    links: list[Link] = [(inbox_service.events_pk(ctx, integration_id), None),
                         (inbox_service.dedupe_pk(ctx, integration_id), None)]
    digest = text(item, "key_digest")
    if digest and text(item, "status") != "deleted":
        links.append((service.lookup_key(digest), service.HOOK_SK))
    return links


def _event_fields(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    integration_id, event_id = text(item, "integration_id"), text(item, "event_id")
    if not integration_id or not event_id or not str(item["pk"]["S"]).startswith(ctx.prefix):
        return []
    return [(inbox_models.payloads_pk(ctx, integration_id), event_id)]


def _disable_imported(item: RawItem, now: str) -> RawItem:
    if text(item, "status") != "active":
        return item
    return {**item, "status": {"S": "disabled"}}


def register() -> None:
    """Declare integrations, inbox events and their fields, dedupe marks, key lookups and rate counters."""
    registry.register_partitions("integrations", _partitions)
    registry.register_links("integration", _integration_links)
    registry.register_links("inbox_event", _event_fields)
    registry.register_on_import("integration", _disable_imported)
    registry.register_sealed(SealedValues(kind="integration", entity="integration",
                                          record_id_attribute="integration_id",
                                          fields=("key", "secret", "credentials")))
    for kind in ("inbox_payload", "inbox_event"):  # an event stored before its fields moved keeps them itself
        registry.register_sealed(SealedValues(kind=kind, entity="inbox_event", record_id_attribute="event_id",
                                              fields=("payload",)))
    for kind, reason in (("hook_lookup", "names the source tenant's webhook key"),
                         ("inbox_rate", "per-minute counters"), ("inbox_dedupe", "dedupe marks of the source")):
        registry.exclude_from_export(kind, reason=reason)
    registry.register_unreachable("inbox_rate", reason="per-minute counters that expire after two minutes; "
                                  "they hold a count only")


register()
