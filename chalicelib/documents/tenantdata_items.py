"""Documents' items declared to the tenant export and purge (``tenantdata.registry``).

Templates, the requisites and the number counters live in three fixed partitions of the tenant; each document is
audited, so the audit feed names its partition. The PDFs are S3 objects under ``tenants/<tid>/documents/`` in the
bucket of kept files, which the purge removes with the rest of the tenant's prefix.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.documents.models import counters_pk, settings_pk, templates_pk
from chalicelib.tenantdata import registry


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [templates_pk(ctx), settings_pk(ctx), counters_pk(ctx)]


def register() -> None:
    """Declare the templates', requisites' and counters' partitions."""
    registry.register_partitions("documents", _partitions)


register()
