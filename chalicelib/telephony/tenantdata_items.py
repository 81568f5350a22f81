"""Telephony's items declared to the tenant export and purge (``tenantdata.registry``).

A call is a record type (its rows and sealed values follow from its declaration); what telephony
keeps beside calls: each call's provider reference (reached from the call), the missed calls waiting
to be called back and the call counters (two fixed partitions), and a click-to-call's wait for its
provider's first event (it expires within minutes, holds ids and a number's digits only).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.telephony import processor
from chalicelib.tenantdata import registry


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [processor.callback_pk(ctx), processor.stats_pk(ctx)]


def register() -> None:
    """Declare the call-back and counter partitions and the click-to-call waits."""
    registry.register_partitions("telephony", _partitions)
    registry.register_unreachable("call_dial", reason="a click-to-call waits three minutes for its provider's first "
                                  "event, then expires; it holds the call's id and the dialled number's blind index")
    # Keyed by a blind index of the number under this tenant's key, which another tenant's key cannot
    # compute again: a moved tenant's missed calls keep their tasks; a later call is not linked to them.
    registry.exclude_from_export("call_callback", reason="keyed by a blind index of the source tenant's key")


register()
