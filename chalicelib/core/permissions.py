"""Roles, permissions per entity and action, record scopes (own / team / all), sensitive fields.

A permission is ``entity:action:scope``. A role is a set of them plus whether it sees sensitive
fields. Services check permissions (routes only parse), so an API key, the UI and an import all
meet the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext

ACTIONS = ("read", "create", "update", "delete", "export")
SCOPES = ("own", "team", "all")
CRM_ENTITIES = ("contacts", "companies", "deals", "products", "calls", "conversations", "tasks", "notes")
ADMIN_ENTITIES = (
    "users", "roles", "teams", "api_keys", "settings", "pipelines", "customfields", "integrations",
    "audit", "billing", "tenant",
)
ENTITIES = CRM_ENTITIES + ADMIN_ENTITIES
SENSITIVE = "sensitive:read:all"
_RANK = {scope: rank for rank, scope in enumerate(SCOPES)}


@dataclass(frozen=True)
class Role:
    """A named set of permissions."""

    key: str
    name: str
    permissions: frozenset[str]
    builtin: bool = True


def grant(entities: Iterable[str], actions: Iterable[str], scope: str) -> set[str]:
    """Permissions for every entity x action at one scope."""
    return {f"{entity}:{action}:{scope}" for entity in entities for action in actions}


def _owner() -> frozenset[str]:
    return frozenset(grant(ENTITIES, ACTIONS, "all") | {SENSITIVE})


def _admin() -> frozenset[str]:
    entities = [e for e in ENTITIES if e not in {"billing", "tenant"}]
    return frozenset(grant(entities, ACTIONS, "all") | grant(["billing", "tenant"], ["read"], "all") | {SENSITIVE})


def _manager() -> frozenset[str]:
    crm = grant(CRM_ENTITIES, ["read", "create", "update", "delete", "export"], "team")
    lookups = grant(["users", "teams", "pipelines", "customfields", "roles"], ["read"], "all")
    return frozenset(crm | lookups | {SENSITIVE})


def _agent() -> frozenset[str]:
    crm = grant(CRM_ENTITIES, ["read", "create", "update"], "own")
    lookups = grant(["users", "teams", "pipelines", "customfields"], ["read"], "all")
    return frozenset(crm | lookups)


def _read_only() -> frozenset[str]:
    return frozenset(grant(CRM_ENTITIES, ["read"], "all") | grant(["users", "teams", "pipelines", "customfields"],
                                                                   ["read"], "all"))


BUILTIN_ROLES: dict[str, Role] = {
    "owner": Role("owner", "Owner", _owner()),
    "admin": Role("admin", "Administrator", _admin()),
    "manager": Role("manager", "Manager", _manager()),
    "agent": Role("agent", "Agent", _agent()),
    "read_only": Role("read_only", "Read-only", _read_only()),
}


def is_valid_permission(permission: str) -> bool:
    """True for a well-formed ``entity:action:scope`` the system knows (or the sensitive grant)."""
    if permission == SENSITIVE:
        return True
    parts = permission.split(":")
    return len(parts) == 3 and parts[0] in ENTITIES and parts[1] in ACTIONS and parts[2] in SCOPES


def scope_of(ctx: TenantContext, entity: str, action: str) -> str | None:
    """The widest scope ctx holds for entity/action, or None."""
    best: str | None = None
    for scope in SCOPES:
        if f"{entity}:{action}:{scope}" in ctx.permissions and (best is None or _RANK[scope] > _RANK[best]):
            best = scope
    return best


def require(ctx: TenantContext, entity: str, action: str) -> str:
    """The scope ctx holds for entity/action; 403 when it holds none."""
    scope = scope_of(ctx, entity, action)
    if scope is None:
        raise errors.ForbiddenError(f"Your role may not {action} {entity}.")
    return scope


def may_touch(ctx: TenantContext, scope: str, *, owner_id: str | None, team_id: str | None) -> bool:
    """True when a record with that owner and team lies within scope for ctx."""
    if scope == "all":
        return True
    if scope == "team":
        return owner_id == ctx.actor_id or (ctx.team_id is not None and team_id == ctx.team_id)
    return owner_id == ctx.actor_id


def require_record(ctx: TenantContext, entity: str, action: str, *, owner_id: str | None,
                   team_id: str | None) -> None:
    """403 unless ctx may act on this record; callers answer 404 for reads outside scope."""
    scope = require(ctx, entity, action)
    if not may_touch(ctx, scope, owner_id=owner_id, team_id=team_id):
        raise errors.ForbiddenError(f"This {entity[:-1]} belongs to someone outside your scope.")


def may_read_record(ctx: TenantContext, entity: str, *, owner_id: str | None, team_id: str | None) -> bool:
    """True when ctx's read scope of entity covers a record with that owner and team."""
    scope = scope_of(ctx, entity, "read")
    return scope is not None and may_touch(ctx, scope, owner_id=owner_id, team_id=team_id)


def check_record(ctx: TenantContext, entity: str, action: str, *, owner_id: str | None, team_id: str | None,
                 missing: str) -> None:
    """404 (saying missing) when ctx may not read the record, 403 when it may read it but not do action."""
    if not may_read_record(ctx, entity, owner_id=owner_id, team_id=team_id):
        raise errors.NotFoundError(missing)
    if action != "read":
        require_record(ctx, entity, action, owner_id=owner_id, team_id=team_id)


def sees_sensitive(ctx: TenantContext) -> bool:
    """True when ctx's role may read sensitive fields in clear."""
    return SENSITIVE in ctx.permissions


def covers(held: Iterable[str], permission: str) -> bool:
    """True when the held permissions include permission at the same or a wider scope."""
    held = set(held)
    if permission in held:
        return True
    parts = permission.split(":")
    if len(parts) != 3 or parts[2] not in _RANK:
        return False
    return any(f"{parts[0]}:{parts[1]}:{wider}" in held for wider in SCOPES if _RANK[wider] > _RANK[parts[2]])


def can_grant(ctx: TenantContext, permissions: Iterable[str]) -> bool:
    """A caller may only hand out permissions it holds itself (no privilege escalation)."""
    return all(covers(ctx.permissions, permission) for permission in permissions)
