"""Companies' items declared to the tenant export and purge (``tenantdata.registry``).

A company is reached through the audit feed; its list rows (space ``COX``) follow from the company
alone, and sensitive custom values are sealed as ``custom.<key>`` under the company's id.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.companies.models import Company
from chalicelib.companies.record import COMPANY
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import listing, lookups, store
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import Link, RawItem, SealedValues


def _company_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    """The partitions of the company's list rows, and its phone lookups."""
    company = Company.from_raw_data(item)
    if not company.pk.startswith(ctx.prefix):
        return []
    keys = listing.row_keys(ctx, COMPANY.space or "", store.facets(COMPANY, company))
    found: list[Link] = [(pk, None) for pk in {key.pk for key in keys}]
    return found + [key for _, key in lookups.keys(ctx, COMPANY, company)]


def register() -> None:
    """Declare companies' list rows and sealed custom values."""
    registry.register_links("company", _company_links)
    registry.register_sealed(SealedValues(kind="company", entity="company", record_id_attribute="company_id",
                                          nested=("custom", "custom.")))


register()
