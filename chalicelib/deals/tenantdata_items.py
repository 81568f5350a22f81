"""Deals' sealed values declared to the tenant export (``tenantdata.registry``).

Deals, pipelines, stage summaries and stage history are reached through the audit feed (a deal's
records name its partition, a pipeline's its board); only sensitive custom values need declaring.
"""

from __future__ import annotations

from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import SealedValues


def register() -> None:
    """Declare deals' sealed custom values."""
    registry.register_sealed(SealedValues(kind="deal", entity="deal", record_id_attribute="deal_id",
                                          nested=("custom", "custom.")))


register()
