"""The data of the domains built so far, declared for the export and the purge (see ``registry``).

Identity's partitions are fixed per tenant; the audit feed names the partition of every audited
item (records, their timelines, custom field definitions ...), so a domain whose items are all
audited needs to declare only its unaudited lookups and its sealed values. Every record type's rows,
lookups and sealed values follow from its declaration (``records.types``); what is a domain's own
(a contact's merges and blind indexes: ``tenantdata.contacts``; an integration's global lookups: its
``tenantdata_items`` module) is loaded here so that the walk never runs without it (a job or the
operator's tool imports no routes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chalicelib.core import audit, audit_anchors, crypto
from chalicelib.core.tenancy import TenantContext, global_key, tenant_key
from chalicelib.records import listing, lookups, store, types
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import Link, RawItem, SealedValues, text

IDENTITY_PARTITIONS = ("TENANT", "USER", "ROLE", "TEAM", "APIKEY", "SESSION", "SIGNIN")
CREDENTIALS = ("password_hash", "totp_secret", "totp_enabled", "failed_logins", "locked_until",
               "calendar_feed_digest", "calendar_feed_at")  # a feed's address stays with its holder too


def _fixed(ctx: TenantContext) -> Iterable[str]:
    return [tenant_key(ctx, name) for name in (*IDENTITY_PARTITIONS, "EXPORT", "IMPORT_TALLY")]


def _user_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    email = text(item, "email")
    return [(global_key("email", email), ctx.tenant_id)] if email else []


def _api_key_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    key_id = text(item, "key_id")
    return [(global_key("apikey", key_id), "KEY")] if key_id else []


def _audit_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    item_pk = text(item, "item_pk")  # audited items live in the tenant's space; global ones are not walked
    return [(item_pk, None)] if item_pk and item_pk.startswith(ctx.prefix) else []


def _deletion_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    digest = text(item, "cancel_digest")
    return [(global_key("deletion-cancel", digest), "TOKEN")] if digest else []


def _revoke_imported_key(item: RawItem, now: str) -> RawItem:
    # The key's global lookup (keyed by its id) is the source tenant's: its secret never leaves, and
    # revoking it from the copy would delete the source's lookup. A revoked key is never touched again.
    return item if "revoked_at" in item else {**item, "revoked_at": {"S": now}}


def _record_links(rtype: types.RecordType) -> Callable[[TenantContext, RawItem], Iterable[Link]]:
    """What follows from a record of a type alone: its list-row partitions, its lookups, and what its
    ``tenant_links`` hook names (a contact's encrypted-id lookups and entries in its companies)."""

    def record_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
        # Read without its personal values: the walk needs no KMS (a purge runs after the key is shredded).
        record = rtype.model.from_raw_data({name: value for name, value in item.items()
                                            if name != crypto.PERSONAL_FIELD})
        if not record.pk.startswith(ctx.prefix):
            return []
        found: list[Link] = []
        if rtype.space is not None:
            rows = listing.row_keys(ctx, rtype.space, store.facets(rtype, record), rtype.lists)
            tokens = [tenant_key(ctx, rtype.space, "TOKEN")] if rtype.lists is None or "TOKEN" in rtype.lists else []
            found += [(pk, None) for pk in sorted({key.pk for key in rows} | set(tokens))]
        if getattr(record, "lookup_keys", None) is not None:
            found += [(pk, None) for pk in record.lookup_keys]
        elif any(field.lookup for field in rtype.fields):  # written before it kept them: from its values
            found += [key for _, key in lookups.keys(ctx, rtype, rtype.model.from_raw_data(item))]
        own = rtype.hook("tenant_links")
        return found + (list(own(ctx, record)) if own is not None else [])

    return record_links


def _register_record_types() -> None:
    """Every record type's derived items and sealed values (``records.types``): none is declared by hand."""
    for rtype in types.all_types():
        registry.register_links(rtype.name, _record_links(rtype))
        registry.register_sealed(SealedValues(
            kind=rtype.name, entity=rtype.name, record_id_attribute=rtype.id_attribute, nested=("custom", "custom."),
            fields=tuple(field.name for field in rtype.fields if field.sensitive)))


def _load_domains() -> None:
    # Imported here, not at the top: the domains' modules import the registry, which must exist first.
    import chalicelib.campaigns.tenantdata_items
    import chalicelib.documents.tenantdata_items
    import chalicelib.events.tenantdata_items
    import chalicelib.integrations.tenantdata_items
    import chalicelib.kb.tenantdata_items
    import chalicelib.messaging.tenantdata_items
    import chalicelib.segments.tenantdata_items
    import chalicelib.subscriptions.tenantdata_items
    import chalicelib.telephony.tenantdata_items
    import chalicelib.tenantdata.contacts
    import chalicelib.tenantdata.orders
    import chalicelib.tickets.tenantdata_items  # noqa: F401

    _register_record_types()


def register() -> None:
    """Declare identity's, the audit trail's and tenant data's own items, then load the domains' declarations."""
    _load_domains()
    registry.register_partitions("identity", _fixed)
    registry.register_feed("audit", audit.tenant_feed_key)
    registry.register_feed("audit_anchors", audit_anchors.feed_key)  # chains whose oldest records expired
    registry.register_feed("sensitive_reads", audit.reads_feed_key)
    # Answers kept for Idempotency-Key replays hold personal data: purged with the tenant, never exported.
    registry.register_feed("idempotency", lambda ctx: tenant_key(ctx, "IDEM"))
    registry.exclude_from_export("idempotency", reason="answers kept 24 h for Idempotency-Key replays")
    registry.register_links("user", _user_links)
    registry.register_links("api_key", _api_key_links)
    registry.register_links("audit", _audit_links)
    registry.register_links("audit_anchor", _audit_links)  # its item, once every record naming it expired
    registry.register_links("tenant_deletion", _deletion_links)
    registry.register_on_import("api_key", _revoke_imported_key)
    registry.exclude_from_export("user", reason="credentials stay with their holder", attributes=CREDENTIALS)
    for kind, reason in (
        ("session", "sign-ins of the source tenant"), ("tenant_key", "the import makes a new data key"),
        ("email_login", "rebuilt from the users on import"), ("api_key_lookup", "holds the key's secret digest"),
        ("token_lookup", "one-time links"), ("tenant_export", "jobs of the source tenant"),
        ("tenant_deletion", "jobs of the source tenant"), ("deletion_cancel", "one-time links"),
        ("signin_throttle", "failed sign-ins of the source tenant, forgotten within a day"),
    ):
        registry.exclude_from_export(kind, reason=reason)
    registry.register_unreachable("token_lookup", reason="invitation and reset links are keyed by a digest of "
                                  "their token and expire by themselves (7 days at most); they hold ids only")
    for kind in ("live_ticket", "live_connection", "live_connection_lookup"):  # chalicelib.live.models
        registry.register_unreachable(kind, reason="live-updates tickets and open sockets hold ids only and expire "
                                      "(60 s, 2 h); a tenant being deleted is not active, so nothing is pushed to them")
