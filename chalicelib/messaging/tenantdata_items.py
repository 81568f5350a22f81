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


# (tenant, message id) -> the blind indexes of the provider ids a message is known by, under the importing
# tenant's key, until its references come (``message_ref.jsonl`` is read after ``conversation_message.jsonl``).
_imported_refs: dict[tuple[str, str], list[str]] = {}


def _importing() -> TenantContext:
    from chalicelib.core.tenancy import bound_tenant
    from chalicelib.identity.service import system_context

    tenant_id = bound_tenant()
    if tenant_id is None:
        raise RuntimeError("an import runs with the new tenant bound")
    return system_context(tenant_id, source="import")


def _reindexed_message(item: RawItem, now: str) -> RawItem:
    """An imported message with its provider id's blind index computed under the new tenant's key (the id is
    sealed anew by then); an e-mail we sent is also known by our own Message-ID."""
    from chalicelib.core import crypto
    from chalicelib.core.config import settings

    token, message_id = text(item, "provider_message_id"), str(text(item, "message_id"))
    if not token or not text(item, "ref_key"):
        return item
    ctx = _importing()
    provider_id = crypto.decrypt_field(ctx, entity=threads.MESSAGE_ENTITY, record_id=message_id,
                                       field="provider_message_id", token=token)
    keys = [threads.message_key(ctx, provider_id)]
    if text(item, "message_kind") == "email" and text(item, "direction") == "out":
        keys.append(threads.message_key(ctx, f"<{message_id}@{settings.inbound_mail_domain}>"))
    _imported_refs[(ctx.tenant_id, message_id)] = list(keys)
    return {**item, "ref_key": {"S": keys[0]}}


def _reindexed_ref(item: RawItem, now: str) -> RawItem:
    """A message's reference moved to the blind index the new tenant's key gives (one per id it is known by)."""
    ctx = _importing()
    waiting = _imported_refs.get((ctx.tenant_id, str(text(item, "message_id"))))
    if not waiting:
        return item  # its message was not imported before it: left as it was (it finds nothing)
    return {**item, "sk": {"S": waiting.pop(0)}}


def register() -> None:
    """Declare the sealed words, message references, counters, deep-link codes and early statuses."""
    registry.register_partitions("messaging", _partitions)
    registry.register_links("conversation_message", _message_links)
    registry.register_sealed(SealedValues(kind="conversation_message", entity=threads.MESSAGE_ENTITY,
                                          record_id_attribute="message_id",
                                          fields=("text", "provider_message_id", *threads.MAIL_FIELDS)))
    for kind, id_attribute in (("conversation", "conversation_id"), ("conversation_row", "record_id")):
        registry.register_sealed(SealedValues(kind=kind, entity="conversation", record_id_attribute=id_attribute,
                                              fields=("last_preview", "customer_name")
                                              + (("provider_chat_id", "mail_thread") if kind == "conversation"
                                                 else ())))
    registry.register_on_import("conversation_message", _reindexed_message)
    registry.register_on_import("message_ref", _reindexed_ref)
    registry.register_unreachable("conversation_newcomer", reason="the contact a new chat made, claimed against a "
                                  "second delivery processed at once; expires within a day, holds a contact id")
    registry.exclude_from_export("mailbox_lookup", reason="a line's forwarding address; made anew when the "
                                 "imported line is enabled")
    registry.register_unreachable("message_early_status", reason="a delivery status reported before its message "
                                  "was recorded; applied when it is, expires within days; holds a provider id")


register()
