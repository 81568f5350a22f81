"""Roles, permissions per entity and action, record scopes (own / team / all), sensitive fields, field rules.

A permission is ``entity:action:scope``. A role is a set of them plus whether it sees sensitive
fields, plus field rules that narrow it: ``<entity>.<field>:readonly`` (seen, never changed) and
``<entity>.<field>:hidden`` (neither seen, searched, filtered nor changed), custom fields as
``<entity>.custom.<key>``. A field without a rule follows its entity's permissions. Services check
permissions (routes only parse), so an API key, the UI and an import all meet the same rules.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext

ACTIONS = ("read", "create", "update", "delete", "export")
SCOPES = ("own", "team", "all")
CRM_ENTITIES = ("contacts", "companies", "deals", "products", "orders", "calls", "conversations", "tasks", "notes",
                "tickets", "kb")
ADMIN_ENTITIES = (
    "users", "roles", "teams", "api_keys", "settings", "pipelines", "customfields", "integrations",
    "audit", "billing", "tenant", "segments", "campaigns",
)
ENTITIES = CRM_ENTITIES + ADMIN_ENTITIES
SENSITIVE = "sensitive:read:all"
_RANK = {scope: rank for rank, scope in enumerate(SCOPES)}
FIELD_ACCESS = ("readonly", "hidden")  # from less to more narrowing
_FIELD_RULE = re.compile(r"^([a-z_]{1,40})\.((?:custom\.)?[a-z][a-z0-9_]{0,39}):(readonly|hidden)$")
# Who knows the fields a rule may name (the record types and the tenant's custom fields): the record engine,
# which core may not import; loaded by name the first time a role is checked, like records/catalog.py.
FIELD_CATALOG = "chalicelib.records.fieldaccess.service:unknown_rules"
FIELD_GUARD = "chalicelib.records.fieldaccess.service:check_changes"


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


# What every role that reads an entity reads whole: the product catalogue is the company's, not someone's records
# (an agent taking an order finds every product; changing one stays within the role's scope).
CATALOGUES = ("products",)


def _manager() -> frozenset[str]:
    crm = grant(CRM_ENTITIES, ["read", "create", "update", "delete", "export"], "team")
    lookups = grant(["users", "teams", "pipelines", "customfields", "roles", *CATALOGUES], ["read"], "all")
    return frozenset(crm | lookups | {SENSITIVE})


def _agent() -> frozenset[str]:
    crm = grant(CRM_ENTITIES, ["read", "create", "update"], "own")
    lookups = grant(["users", "teams", "pipelines", "customfields", *CATALOGUES], ["read"], "all")
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
    """True for a well-formed ``entity:action:scope`` the system knows, the sensitive grant or a field rule
    (whose field the record engine checks: :func:`unknown_field_rules`)."""
    if permission == SENSITIVE or field_rule(permission) is not None:
        return True
    parts = permission.split(":")
    return len(parts) == 3 and parts[0] in ENTITIES and parts[1] in ACTIONS and parts[2] in SCOPES


# Reads that come with another entity's: a deal is read at its stage, so a role that reads deals reads the pipelines'
# names and stages whole (a custom role ticking Deals: Read alone met "may not read pipelines" on the deals screen,
# while the contact card showed the same deal at its stage). Changing a pipeline still needs its own permission.
READ_WITH = {"pipelines": ("deals",)}


def scope_of(ctx: TenantContext, entity: str, action: str) -> str | None:
    """The widest scope ctx holds for entity/action, or None."""
    best: str | None = None
    for scope in SCOPES:
        if f"{entity}:{action}:{scope}" in ctx.permissions and (best is None or _RANK[scope] > _RANK[best]):
            best = scope
    if best is None and action == "read" and any(scope_of(ctx, other, "read") for other in READ_WITH.get(entity, ())):
        return "all"
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
        raise errors.ForbiddenError(f"This {entity[:-1]} belongs to someone outside your scope.",
                                    code="outside_scope")


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
    """True when the held permissions include permission at the same or a wider scope (a field rule only
    narrows, so anyone may hold one)."""
    held = set(held)
    if permission in held or field_rule(permission) is not None:
        return True
    parts = permission.split(":")
    if len(parts) != 3 or parts[2] not in _RANK:
        return False
    return any(f"{parts[0]}:{parts[1]}:{wider}" in held for wider in SCOPES if _RANK[wider] > _RANK[parts[2]])


def can_grant(ctx: TenantContext, permissions: Iterable[str]) -> bool:
    """A caller may only hand out permissions it holds itself (no privilege escalation): every entity
    permission at most at its scope, and every field the caller may not read or edit as narrowed."""
    granted = frozenset(permissions)
    if not all(covers(ctx.permissions, permission) for permission in granted):
        return False
    mine, theirs = field_rules(ctx), rules_of(granted)
    return mine.hidden <= theirs.hidden and mine.readonly <= theirs.readonly


def within(held: Iterable[str], wanted: Iterable[str]) -> frozenset[str]:
    """The permissions of wanted that held covers, narrowed by held's field rules too (an API key acts with
    at most its creator's current rights: its own grants the creator still holds, both sets of rules)."""
    held = frozenset(held)
    kept = {permission for permission in wanted if covers(held, permission)}
    return frozenset(kept | {permission for permission in held if field_rule(permission) is not None})


# -- field rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRules:
    """The fields a set of permissions may not read (hidden) or not change (readonly, hidden included),
    as (entity, field) pairs; custom fields as ``custom.<key>``."""

    hidden: frozenset[tuple[str, str]] = frozenset()
    readonly: frozenset[tuple[str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.readonly)

    def hidden_of(self, entity: str) -> frozenset[str]:
        """The fields of entity that are hidden."""
        return frozenset(name for owner, name in self.hidden if owner == entity)

    def readonly_of(self, entity: str) -> frozenset[str]:
        """The fields of entity that may not change (hidden ones included)."""
        return frozenset(name for owner, name in self.readonly if owner == entity)

    def may_read(self, entity: str, name: str) -> bool:
        """True unless the field is hidden."""
        return (entity, name) not in self.hidden

    def may_edit(self, entity: str, name: str) -> bool:
        """True unless the field is read-only or hidden."""
        return (entity, name) not in self.readonly


def field_rule(permission: str) -> tuple[str, str, str] | None:
    """(entity, field, access) of a field rule, None for anything else."""
    found = _FIELD_RULE.match(permission)
    if found is None or found.group(1) not in CRM_ENTITIES:
        return None
    return found.group(1), found.group(2), found.group(3)


@lru_cache(maxsize=256)
def rules_of(permissions: frozenset[str]) -> FieldRules:
    """The field rules in a set of permissions (worked out once per distinct set in a Lambda: a principal's
    set is the same object on every request its cache serves, so the read path spends nothing on it)."""
    hidden, readonly = set(), set()
    for permission in permissions:
        rule = field_rule(permission)
        if rule is not None:
            readonly.add(rule[:2])
            if rule[2] == "hidden":
                hidden.add(rule[:2])
    return FieldRules(frozenset(hidden), frozenset(readonly))


def field_rules(ctx: TenantContext) -> FieldRules:
    """The field rules of the caller."""
    return rules_of(ctx.permissions)


def unknown_field_rules(ctx: TenantContext, permissions: Iterable[str]) -> list[str]:
    """The field rules among permissions naming a field the entity does not have (the record engine knows)."""
    rules = [permission for permission in permissions if field_rule(permission) is not None]
    if not rules:
        return []
    module, name = FIELD_CATALOG.split(":")
    unknown: list[str] = getattr(importlib.import_module(module), name)(ctx, rules)
    return unknown



def check_changes(ctx: TenantContext, entity: str, before: dict[str, Any] | None,
                  after: dict[str, Any] | None) -> None:
    """403 naming the fields when a change (its audited values) sets a field the caller may not edit; a
    deletion (after None) edits no field. Called by every audited write (``audit.attach``), before it reads."""
    if after is None or not field_rules(ctx):
        return
    module, name = FIELD_GUARD.split(":")
    getattr(importlib.import_module(module), name)(ctx, entity, before, after)
