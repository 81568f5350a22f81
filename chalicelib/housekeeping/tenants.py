"""Walking every tenant a page at a time through the tenants' index, for the hourly passes that go tenant by tenant
(the audit trail's retention, the calls given their unended timers) and save where they stand after each page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from chalicelib.core import db, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.housekeeping.models import TenantPass
from chalicelib.identity.models import Tenant
from chalicelib.records import access, store, types
from chalicelib.records.types import RecordType

_State = TypeVar("_State", bound=db.MainTable)
Page = tuple[list[Any], str | None]  # a page's items, and the sort key to read on after (None: the partition's end)
STATE_SK = "STATE"
PAGE = 25  # tenants a page of the walk reads
RECORD_PAGE = 100  # a record type's rows a page of a pass reads

TENANTS_PK = tenancy.global_key("tenants", "all")
WORKING = ("active", "suspended")  # a tenant being deleted is purged whole: no pass works on it
_ONLY: ContextVar[str | None] = ContextVar("housekeeping_only_tenant", default=None)  # see ``only``


def context(tenant_id: str) -> TenantContext:
    """The housekeeping job acting on one tenant's data."""
    return TenantContext(tenant_id=tenant_id, actor_id="housekeeping", actor_kind="system", role="system",
                         source="job")


def page_after(after: str | None, *, limit: int) -> tuple[list[Tenant], bool]:
    """One page of tenants after ``after`` (a tenant's index sort key; None: from the first), and whether more
    follow."""
    with db.translate_errors():
        page = Tenant.gsi1.query(TENANTS_PK, Tenant.gsi1sk > after if after else None, limit=limit)
        tenants = [found for found in page if isinstance(found, Tenant)]
        return tenants, page.last_evaluated_key is not None


def saved_state(model: type[_State], pk: str, **fresh: Any) -> _State:
    """Where a pass stands (its item at pk, read consistently), or a new state with the ``fresh`` values."""
    with db.translate_errors():
        try:
            return model.get(pk, STATE_SK, consistent_read=True)
        except model.DoesNotExist:
            return model(pk, STATE_SK, **fresh)


class _Unsaved:
    """Where a pass stands inside the one tenant ``only`` names: kept in memory, never saved."""

    def __init__(self, **fresh: Any) -> None:
        self.after, self.done, self.position = None, False, None
        self.__dict__.update(fresh)

    def save(self) -> None:
        """Nothing to save: the pass's own state stays as the tenants' walk left it."""


@contextmanager
def only(tenant_id: str) -> Iterator[None]:
    """Within it, a pass (``walk``, ``one_off``) works on this tenant alone, from its start to its end or the
    deadline, and saves no state: a tenant imported after a one-off pass went through gets what the pass gave the
    others (the pass itself would never walk it again)."""
    token = _ONLY.set(tenant_id)
    try:
        yield
    finally:
        _ONLY.reset(token)


def _walk_one(tenant_id: str, *, each: Callable[[TenantContext, Any], tuple[int, bool]], **fresh: Any) -> int:
    with tenancy.bind(ctx := context(tenant_id)):
        count, _ = each(ctx, _Unsaved(**fresh))
    return count


def walk(model: type[_State], pk: str, *, deadline: float, each: Callable[[TenantContext, _State], tuple[int, bool]],
         paused: str, **fresh: Any) -> int:
    """Run a pass over every working tenant, from where its state (``model`` at pk: ``after``, ``done`` and the
    ``fresh`` values of a new one) stands, until the deadline; the sum of what each answered.

    ``each(ctx, state)`` works in one tenant (bound) and answers (how much it did, whether it is through): a tenant
    left halfway is saved as it stands, and the next run does it again or carries on from what ``each`` kept in the
    state. The state is saved after each page, and is ``done`` once the index has no tenant more. An outage stops
    the pass (logged as ``paused``) where it last saved; what it did stays done. Within ``only``, the one tenant it
    names, its state neither read nor saved."""
    if (tenant_id := _ONLY.get()) is not None:
        return _walk_one(tenant_id, each=each, **fresh)
    total = 0
    try:
        state: Any = saved_state(model, pk, after=None, done=False, **fresh)
        while not state.done and time.monotonic() < deadline:
            tenants, more = page_after(state.after, limit=PAGE)
            for tenant in tenants:
                through = time.monotonic() < deadline
                if through and tenant.status in WORKING:
                    with tenancy.bind(ctx := context(tenant.tenant_id)):
                        count, through = each(ctx, state)
                    total += count
                if not through:  # out of time: the next run carries on with this tenant
                    with db.translate_errors():
                        state.save()
                    return total
                state.after = tenant.gsi1sk
                if "position" in fresh:  # the next tenant starts at its start (one skipped left no position of its own)
                    state.position = None
            state.done = not more
            with db.translate_errors():
                state.save()
    except errors.CRMError:
        logger.warning(paused, exc_info=True)
    return total


def partition_page(model: type[db.MainTable], pk: str, after: str | None, *, limit: int, **options: Any) -> Page:
    """One page of a partition after the sort key ``after`` (None: from its start): the items and the sort key the
    next page starts after, taken from DynamoDB's last evaluated key (a page a filter emptied still moves on)."""
    with db.translate_errors():
        page = model.query(pk, model.sk > after if after else None, limit=limit, **options)
        items = list(page)
        last = page.last_evaluated_key
    return items, str(last["sk"]["S"]) if last else None


def walk_pages(state: Any, names: Sequence[str], *, deadline: float, page: Callable[[str, str | None], Page],
               work: Callable[[str, list[Any]], int]) -> tuple[int, bool]:
    """Work through one tenant's partitions (``names``, in that order) a page at a time, from where
    ``state.position`` (``<name>#<sort key>``) stands, until the deadline; (what ``work`` counted, whether the tenant
    is through). The position is saved after each page, so a run out of time carries on with the next page; a
    tenant through leaves it empty for the next one."""
    counted = 0
    at, _, after = (state.position or "").partition("#")
    start = names.index(at) if at in names else 0
    for name in names[start:]:
        cursor: str | None = (after or None) if name == at else None
        while True:
            if time.monotonic() >= deadline:
                return counted, False
            items, cursor = page(name, cursor)
            counted += work(name, items)
            if cursor is None:
                break
            state.position = f"{name}#{cursor}"
            with db.translate_errors():
                state.save()
    state.position = None
    return counted, True


def one_off(pk: str, names: Sequence[str], *, deadline: float, paused: str,
            page: Callable[[TenantContext, str, str | None], Page],
            work: Callable[[TenantContext, str, list[Any]], int], model: type[db.MainTable] | None = None) -> int:
    """A pass that runs once over every tenant's partitions ``names``, a page at a time (``page(ctx, name, after)``,
    ``work(ctx, name, items)``: how much it did), from where its state stands (``model`` at pk, ``models.TenantPass``
    by default: the last tenant finished, the position inside the next, done) until the deadline; the sum of what
    ``work`` counted. Once through, a run reads the state and nothing more."""
    def each(ctx: TenantContext, state: Any) -> tuple[int, bool]:
        return walk_pages(state, names, deadline=deadline, page=lambda name, after: page(ctx, name, after),
                          work=lambda name, items: work(ctx, name, items))

    return walk(model or TenantPass, pk, deadline=deadline, each=each, paused=paused, position=None)


def listed_types() -> list[RecordType]:
    """The record types listed through rows with an ``ALL`` list (what ``record_rows`` reads), by name."""
    return sorted((rtype for rtype in types.all_types() if rtype.space and rtype.row_model is not None
                   and (rtype.lists is None or "ALL" in rtype.lists)), key=lambda rtype: rtype.name)


def record_rows(ctx: TenantContext, type_name: str, after: str | None) -> Page:
    """One page (100) of a record type's ``ALL`` rows after the record id ``after``: a pass over a type's records."""
    rtype = types.get(type_name)
    return partition_page(rtype.rows, tenant_key(ctx, rtype.space or "", "ALL"), after, limit=RECORD_PAGE)


def refresh_records(ctx: TenantContext, type_name: str, rows: list[Any],
                    stale: Callable[[RecordType, Any], bool]) -> int:
    """Put the rows of each record whose row is ``stale`` as its state gives them (the record read, its rows written
    only while it is at the version read: ``store.refresh_rows``); how many records were refreshed."""
    rtype = types.get(type_name)
    refreshed = 0
    for row in rows:
        record = access.get(ctx, rtype, row.record_id) if stale(rtype, row) else None
        if record is not None and store.refresh_rows(ctx, rtype, record):
            refreshed += 1
    return refreshed
