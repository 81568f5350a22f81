"""The items of #19 declared to the tenant export and purge (``tenantdata.registry``): timers, notifications and
their settings, report counters, automation rules and their runs, each in partitions every tenant may have.

Exported: automation rules (their webhook secret sealed, opened for the archive and sealed again on import,
where a rule arrives switched off: it would call its webhook from a second company, and the usage item counts
no enabled rule), notification settings,
report counters and what they remember of deals. Purged but not exported: timers and the claims of counted
events (jobs of the source tenant), notifications (the source's users', kept 90 days) and automation runs
(the source's run log).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.automations import service as automations
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.due import service as due
from chalicelib.notifications import service as notifications
from chalicelib.reports import counters
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import RawItem, SealedValues


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [due.timers_pk(ctx), notifications.notifications_pk(ctx), notifications.settings_pk(ctx),
            *(counters.report_pk(ctx, report) for report in counters.DIMENSIONS),
            counters.claims_pk(ctx), counters.facts_pk(ctx), automations.rules_pk(ctx), automations.runs_pk(ctx),
            tenant_key(ctx, "AUTORR")]


def _switched_off(item: RawItem, now: str) -> RawItem:
    return {**item, "enabled": {"BOOL": False}}


def _no_rules_on(item: RawItem, now: str) -> RawItem:
    """The usage counter of an imported company: its rules arrive switched off, so none counts as enabled."""
    return {**item, "automation_rules": {"N": "0"}} if "automation_rules" in item else item


def register() -> None:
    """Declare the partitions, the sealed webhook secrets, and what stays out of an export."""
    registry.register_partitions("events", _partitions)
    registry.register_sealed(SealedValues(kind="automation", entity="automation", record_id_attribute="rule_id",
                                          fields=(automations.SECRET_FIELD,)))
    registry.register_on_import("automation", _switched_off)
    registry.register_on_import("billing_usage", _no_rules_on)
    for kind, reason in (
        ("due_timer", "timers of the source tenant's work"), ("report_claim", "marks of events already counted"),
        ("notification", "the source tenant's users' notifications, kept 90 days"),
        ("automation_run", "the source tenant's run log"), ("automation_round_robin", "turns of the source's users"),
    ):
        registry.exclude_from_export(kind, reason=reason)


register()
