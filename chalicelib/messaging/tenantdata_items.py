"""Messaging's items declared to the tenant export and purge (``tenantdata.registry``).

A conversation is a record type (its rows and its sealed custom values follow from its declaration, its chat's
reference from its ``tenant_links`` hook); its messages live in its collection. What messaging adds: the sealed
words (a message's text; a conversation's and its rows' preview and customer name), each provider message id's
reference (reached from its message), the day's counters and the Telegram deep-link codes (fixed partitions),
and statuses waiting for their message (they expire within days and hold a provider id and a status).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.messaging import processor, threads
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import Link, RawItem, SealedValues, text


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [threads.stats_pk(ctx), processor.bind_pk(ctx)]


def _message_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    integration_id, ref_key = text(item, "integration_id"), text(item, "ref_key")
    if not integration_id or not ref_key or not str(item["pk"]["S"]).startswith(ctx.prefix):
        return []
    return [(threads.message_ref_pk(ctx, integration_id), ref_key)]


def register() -> None:
    """Declare the sealed words, message references, counters, deep-link codes and early statuses."""
    registry.register_partitions("messaging", _partitions)
    registry.register_links("conversation_message", _message_links)
    registry.register_sealed(SealedValues(kind="conversation_message", entity=threads.MESSAGE_ENTITY,
                                          record_id_attribute="message_id", fields=("text", "provider_message_id")))
    for kind, id_attribute in (("conversation", "conversation_id"), ("conversation_row", "record_id")):
        registry.register_sealed(SealedValues(kind=kind, entity="conversation", record_id_attribute=id_attribute,
                                              fields=("last_preview", "customer_name")
                                              + (("provider_chat_id",) if kind == "conversation" else ())))
    registry.register_unreachable("message_early_status", reason="a delivery status reported before its message "
                                  "was recorded; applied when it is, expires within days; holds a provider id")


register()
