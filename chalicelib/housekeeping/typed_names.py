# ruff: noqa: RUF002
"""Search tokens of names in Kazakh letters as a Russian keyboard types them, for records written before: once.

A word with Kazakh letters (ә ғ қ ң ө ұ ү һ і) is also found as a Russian keyboard types it ("гулнур" for Гүлнұр,
``records.matching.search_tokens``), for contacts, companies, deals, products and tickets; a record written before
has only the Kazakh spelling's token and search rows, so an Almaty shop's manager typing "гулнур" found none of the
customers already in the CRM until each was changed. The pass walks the tenants (``tenants.one_off``), each such
type's ``ALL`` rows 100 a Query, and for a row holding a Kazakh word whose typed spelling it lacks reads the record
and puts its rows as its state gives them, only while the record is at the version read (``store.refresh_rows``: a
record changed meanwhile has them from its own write, and the version stays). Where it stands is
``models.TenantPass`` at ``STATE_PK``; once through, a tick reads it and nothing more. Nothing personal is logged.

A second walk (``SORTED_PK``) puts the names a list sorts (products') with such letters in their alphabet's place
(``matching.sort_form``: "Әсел" after "Ася", where it came after "Яна"), the same way.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import tenancy
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.records import matching

STATE_PK = tenancy.global_key("housekeeping", "typed-names")
SORTED_PK = tenancy.global_key("housekeeping", "alphabet-sort")
KAZAKH = frozenset("әғқңөұүһі")


def _untyped(row: Any) -> bool:
    """True for a row with a Kazakh word whose spelling on a Russian keyboard is not among its tokens."""
    tokens = (row.tokens or "").split()
    return any(not any(other.startswith(wanted) for other in tokens)
               for token in tokens if KAZAKH & set(token) for wanted in matching.search_tokens(token))


def run(*, deadline: float) -> int:
    """Give every tenant's records written before their Kazakh words' typed spelling its search rows, tenant by
    tenant until the deadline; how many records were refreshed (an outage: the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, [rtype.name for rtype in tenant_walk.listed_types()], deadline=deadline,
                               paused="typed names pass paused", page=tenant_walk.record_rows,
                               work=lambda ctx, name, rows: tenant_walk.refresh_records(
                                   ctx, name, rows, lambda rtype, row: _untyped(row)))


def _unsorted(row: Any) -> bool:
    """True for a row sorted by a name with a letter out of its alphabet's place (written before sort_form)."""
    return bool(matching.OUT_OF_PLACE & set(str(row.gsi1sk or "").rpartition("#")[0]))


def run_sorted(*, deadline: float) -> int:
    """Give every tenant's records listed by name written before ``matching.sort_form`` their place in name order;
    how many records were refreshed."""
    return tenant_walk.one_off(SORTED_PK, [rtype.name for rtype in tenant_walk.listed_types() if "name" in rtype.sorts],
                               deadline=deadline, paused="alphabet sort pass paused", page=tenant_walk.record_rows,
                               work=lambda ctx, name, rows: tenant_walk.refresh_records(
                                   ctx, name, rows, lambda rtype, row: _unsorted(row)))
