"""The campaigns' items declared to the tenant export and purge (``tenantdata.registry``).

Exported: campaigns, their counters and the contacts' consent (a record of what each customer agreed to, which a
company must keep). Purged but not exported: the recipients' send markers, their messages' provider ids, the
claims of counted causes and the month's usage (the source company's sending log and allowance). SES's delivery
events are inbox events of no integration (``mail_events.MAIL_EVENTS``): their partitions are declared here, their
fields reached through the inbox's own link.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.campaigns import consent, mail_events, sending
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.inbox import models as inbox_models
from chalicelib.tenantdata import registry


def _partitions(ctx: TenantContext) -> Iterable[str]:
    ses = mail_events.MAIL_EVENTS.integration_id  # SES's events, stored in the inbox under no integration of ours
    return [sending.campaigns_pk(ctx), sending.stats_pk(ctx), sending.markers_pk(ctx), sending.messages_pk(ctx),
            consent.consent_pk(ctx), tenant_key(ctx, "CAMPCLAIM"), tenant_key(ctx, "CAMPUSAGE"),
            inbox_models.events_pk(ctx, ses), inbox_models.dedupe_pk(ctx, ses)]


def register() -> None:
    """Declare the partitions and what stays out of an export."""
    registry.register_partitions("campaigns", _partitions)
    for kind, reason in (("campaign_send", "the source company's sending log (its index names the source)"),
                         ("campaign_message", "the source company's provider message ids (for delivery statuses)"),
                         ("campaign_claim", "marks of replies and conversions already counted"),
                         ("campaign_usage", "the source company's monthly allowance")):
        registry.exclude_from_export(kind, reason=reason)


register()
