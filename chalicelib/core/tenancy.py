"""The tenant of a request and the key builders: the only way to form a DynamoDB key.

Every tenant-scoped partition key starts with ``T#<tenant_id>#``; global lookups (login email,
webhook keys, Stripe customer ids ...) live under ``G#<kind>#<value>`` and are read only by the
auth and routing code. The tenant bound to the running request is kept in a context variable so
that the suite's tenancy watcher (and any defensive check) can compare keys against it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ulid import ULID

TENANT_PREFIX = "T#"
GLOBAL_PREFIX = "G#"
_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # Crockford base32 ULID
_SEGMENT = re.compile(r"^[^#]*$")

_bound_tenant: ContextVar[str | None] = ContextVar("bound_tenant", default=None)


@dataclass(frozen=True)
class TenantContext:
    """Who is acting for which tenant; the first argument of every service function."""

    tenant_id: str
    actor_id: str = "system"
    actor_kind: str = "system"  # user | api_key | system | webhook
    role: str = "system"
    team_id: str | None = None
    source: str = "api"  # api | ui | webhook | import | job
    request_id: str | None = None
    source_ip: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not is_valid_id(self.tenant_id):
            raise ValueError("tenant id must be a ULID")

    @property
    def prefix(self) -> str:
        """The partition-key prefix every item of this tenant carries."""
        return f"{TENANT_PREFIX}{self.tenant_id}#"


# Ids this process minted and has not yet used for a record: no earlier item can carry one, so the
# audit trail needs no read to know its chain starts empty (see take_fresh). Bounded: a bulk import
# mints thousands, and forgetting one only costs that record a read.
_MINTED: dict[str, None] = {}
_MINTED_LOCK = threading.Lock()
MINTED_KEPT = 4096


def new_id() -> str:
    """Return a new sortable id (ULID)."""
    value = str(ULID())
    with _MINTED_LOCK:
        _MINTED[value] = None
        if len(_MINTED) > MINTED_KEPT:
            del _MINTED[next(iter(_MINTED))]
    return value


def take_fresh(value: str) -> bool:
    """True, once, for an id new_id minted in this process: nothing was ever stored under it before."""
    with _MINTED_LOCK:
        if value in _MINTED:
            del _MINTED[value]
            return True
    return False


def is_valid_id(value: str) -> bool:
    """True when value has the shape of one of our ids."""
    return isinstance(value, str) and bool(_ID.match(value))


def _segments(parts: tuple[str, ...]) -> str:
    for part in parts:
        if not _SEGMENT.match(part):
            raise ValueError("key segments may not contain '#'")
    return "#".join(parts)


def tenant_key(ctx: TenantContext, *parts: str) -> str:
    """A tenant-scoped key: ``T#<tenant>#<part>#<part>...``."""
    return ctx.prefix + _segments(parts)


def global_key(kind: str, value: str) -> str:
    """A global lookup key ``G#<kind>#<value>``, read only by auth and routing code."""
    return f"{GLOBAL_PREFIX}{_segments((kind,))}#{value}"


def key_belongs_to(ctx: TenantContext, key: str) -> bool:
    """True when the key is one of ctx's tenant-scoped keys."""
    return key.startswith(ctx.prefix)


def bound_tenant() -> str | None:
    """The tenant the current request or job acts for, if any."""
    return _bound_tenant.get()


@contextmanager
def bind(ctx: TenantContext | None) -> Iterator[TenantContext | None]:
    """Bind ctx's tenant to the running code for the duration of the block."""
    token = _bound_tenant.set(ctx.tenant_id if ctx else None)
    try:
        yield ctx
    finally:
        _bound_tenant.reset(token)


def bind_tenant(tenant_id: str | None) -> object:
    """Bind a tenant until ``unbind`` is called with the returned token (middleware use)."""
    return _bound_tenant.set(tenant_id)


def unbind(token: object) -> None:
    """Undo a ``bind_tenant``."""
    _bound_tenant.reset(token)  # type: ignore[arg-type]
