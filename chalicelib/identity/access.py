"""Roles and teams of a tenant: built-in and custom roles, who may grant what."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, tenant_key
from chalicelib.identity import plans
from chalicelib.identity.models import CustomRole, Team, User

if TYPE_CHECKING:  # the schemas load with the routes that take them, not on every request's session check (#22)
    from chalicelib.identity.schemas import RoleIn, RoleRead, RoleUpdate, TeamRead


def roles_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's custom roles."""
    return tenant_key(ctx, "ROLE")


def teams_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's teams."""
    return tenant_key(ctx, "TEAM")


# -- roles ----------------------------------------------------------------------------------


def role_read_builtin(role: permissions.Role) -> RoleRead:
    """The API view of a built-in role."""
    from chalicelib.identity.schemas import RoleRead

    return RoleRead(key=role.key, name=role.name, permissions=sorted(role.permissions), builtin=True)


def role_read(role: CustomRole) -> RoleRead:
    """The API view of a custom role."""
    from chalicelib.identity.schemas import RoleRead

    return RoleRead(key=role.key, name=role.name, permissions=sorted(role.permissions or ()), builtin=False,
                    version=int(role.version or 0))


def get_custom_role(ctx: TenantContext, key: str) -> CustomRole | None:
    """A custom role of the tenant, or None."""
    return db.get(ctx, CustomRole, roles_pk(ctx), key)


def role_permissions(ctx: TenantContext, key: str) -> frozenset[str] | None:
    """The permissions of a role by key (built-in or custom), None when it does not exist."""
    builtin = permissions.BUILTIN_ROLES.get(key)
    if builtin is not None:
        return builtin.permissions
    role = get_custom_role(ctx, key)
    return frozenset(role.permissions or ()) if role is not None else None


def acting_as(ctx: TenantContext, user_id: str | None) -> TenantContext | None:
    """The context of an active user of the tenant with their role's permissions and team, as their own request
    would carry them (for what is pushed to them, with no request of theirs); None when there is no such user."""
    from dataclasses import replace

    from chalicelib.identity import service

    user = service.get_user(ctx, user_id) if user_id else None
    granted = role_permissions(ctx, str(user.role)) if user is not None and user.status == "active" else None
    if user is None or granted is None:
        return None
    return replace(ctx, actor_id=user.user_id, actor_kind="user", role=str(user.role), team_id=user.team_id,
                   permissions=granted)


def role_reads(ctx: TenantContext, key: str, entity: str) -> bool:
    """Whether a role reads an entity (conversations, deals, tasks...) at some scope: work handed to a colleague
    whose role cannot would sit where nobody opens it (a built-in role is in code; a custom one costs a GetItem)."""
    granted = role_permissions(ctx, key) or frozenset()
    return any(p.startswith(f"{entity}:read:") for p in granted)


# The work a colleague is handed (a chat, a lead's contact and deal, a task, a call, a ticket, an order to its master):
# pickers offer it only to those whose role reads it, and the API refuses anyone else (``require_reader``).
HANDED = ("conversations", "contacts", "companies", "deals", "tasks", "calls", "tickets", "orders")


def handed_reads(ctx: TenantContext, keys: set[str]) -> dict[str, list[str]]:
    """For each role key, the kinds of handed work it reads (one GetItem per custom role of the page)."""
    granted = {key: role_permissions(ctx, key) or frozenset() for key in keys}
    return {key: [entity for entity in HANDED if any(p.startswith(f"{entity}:read:") for p in held)]
            for key, held in granted.items()}


def require_reader(ctx: TenantContext, key: str, entity: str, loc: list[str]) -> None:
    """422 ``cannot_read_<entity>`` unless a role reads the entity it is handed."""
    if not role_reads(ctx, key, entity):
        raise errors.ValidationError(details=[{"loc": loc, "type": f"cannot_read_{entity}",
                                               "msg": f"This colleague's role cannot read {entity}"}])


def list_roles(ctx: TenantContext) -> list[RoleRead]:
    """Built-in roles, then the tenant's custom ones."""
    permissions.require(ctx, "roles", "read")
    custom = [role_read(role) for role in CustomRole.query(roles_pk(ctx))]
    return [role_read_builtin(role) for role in permissions.BUILTIN_ROLES.values()] + custom


def check_grantable(ctx: TenantContext, granted: list[str]) -> None:
    """422 for an unknown permission; 403 for one the caller does not hold (no escalation)."""
    unknown = [p for p in granted if not permissions.is_valid_permission(p)]
    unknown += permissions.unknown_field_rules(ctx, [p for p in granted if p not in unknown])
    if unknown:
        raise errors.ValidationError(details=[{"loc": ["permissions"], "msg": f"Unknown permission {p}",
                                               "type": "unknown_permission"} for p in unknown])
    if not permissions.can_grant(ctx, granted):
        raise errors.ForbiddenError("You cannot grant permissions you do not hold.", code="permission_not_held")


def create_role(ctx: TenantContext, body: RoleIn) -> CustomRole:
    """Create a custom role."""
    permissions.require(ctx, "roles", "create")
    plans.require(ctx, feature="custom_roles")
    if body.key in permissions.BUILTIN_ROLES:
        raise errors.ConflictError("A built-in role has this key.", code="duplicate_role")
    check_grantable(ctx, body.permissions)
    role = CustomRole(roles_pk(ctx), body.key, key=body.key, name=body.name, permissions=set(body.permissions))
    change = db.Change().create(role)
    audit.attach(ctx, change, role, entity="role", entity_id=body.key, action="create", before=None,
                 after={"name": role.name, "permissions": sorted(body.permissions)})
    db.commit(ctx, change, conflict=_duplicate_role)
    return role


def _duplicate_role() -> errors.CRMError:
    return errors.ConflictError("A role with this key exists.", code="duplicate_role")


def update_role(ctx: TenantContext, key: str, body: RoleUpdate) -> CustomRole:
    """Rename a custom role or change its permissions (effective on the holders' next request)."""
    permissions.require(ctx, "roles", "update")
    role = get_custom_role(ctx, key)
    if role is None:
        raise errors.NotFoundError("No such role (built-in roles cannot be changed).", code="builtin_role")
    before = {"name": role.name, "permissions": sorted(role.permissions or ())}
    if body.permissions is not None:
        check_grantable(ctx, body.permissions)
        role.permissions = set(body.permissions)
    if body.name is not None:
        role.name = body.name
    role.version = body.version
    change = db.Change().save(role)
    audit.attach(ctx, change, role, entity="role", entity_id=key, action="change_permissions", before=before,
                 after={"name": role.name, "permissions": sorted(role.permissions or ())})
    db.commit(ctx, change)
    return role


def delete_role(ctx: TenantContext, key: str) -> None:
    """Delete a custom role no user holds."""
    permissions.require(ctx, "roles", "delete")
    role = get_custom_role(ctx, key)
    if role is None:
        raise errors.NotFoundError("No such role.")
    if any(user.role == key for user in User.query(tenant_key(ctx, "USER"))):
        raise errors.ConflictError("Users still hold this role; give them another first.", code="role_in_use")
    change = db.Change().delete(role)
    audit.attach(ctx, change, role, entity="role", entity_id=key, action="delete",
                 before={"name": role.name, "permissions": sorted(role.permissions or ())}, after=None)
    db.commit(ctx, change)


def check_assignable(ctx: TenantContext, *, role: str, team_id: str | None) -> None:
    """422 for an unknown role or team; 403 for a role with more rights than the caller's."""
    granted = role_permissions(ctx, role)
    if granted is None:
        raise errors.ValidationError(details=[{"loc": ["role"], "msg": "No such role", "type": "unknown_role"}])
    if role == "owner" and ctx.role != "owner":
        raise errors.ForbiddenError("Only the owner can make someone an owner.", code="owner_only")
    if not permissions.can_grant(ctx, granted):
        raise errors.ForbiddenError("You cannot give a role with more rights than yours.", code="role_above_yours")
    if team_id is not None and get_team(ctx, team_id) is None:
        raise errors.ValidationError(details=[{"loc": ["team_id"], "msg": "No such team", "type": "unknown_team"}])


# -- teams ----------------------------------------------------------------------------------


def team_read(team: Team) -> TeamRead:
    """The API view of a team."""
    from chalicelib.identity.schemas import TeamRead

    return TeamRead(id=team.team_id, name=team.name, version=int(team.version or 0))


def get_team(ctx: TenantContext, team_id: str) -> Team | None:
    """A team of the tenant, or None."""
    return db.get(ctx, Team, teams_pk(ctx), team_id) if is_valid_id(team_id) else None


def get_team_or_raise(ctx: TenantContext, team_id: str) -> Team:
    """A team of the tenant, or 404."""
    team = get_team(ctx, team_id)
    if team is None:
        raise errors.NotFoundError("No such team.")
    return team


def list_teams(ctx: TenantContext) -> list[Team]:
    """The tenant's teams."""
    permissions.require(ctx, "teams", "read")
    return list(Team.query(teams_pk(ctx)))


def create_team(ctx: TenantContext, *, name: str) -> Team:
    """Create a team."""
    permissions.require(ctx, "teams", "create")
    team_id = new_id()
    team = Team(teams_pk(ctx), team_id, team_id=team_id, name=name)
    change = db.Change().save(team)
    audit.attach(ctx, change, team, entity="team", entity_id=team_id, action="create", before=None,
                 after={"name": name})
    db.commit(ctx, change)
    return team


def rename_team(ctx: TenantContext, team_id: str, *, name: str, version: int) -> Team:
    """Rename a team."""
    permissions.require(ctx, "teams", "update")
    team = get_team_or_raise(ctx, team_id)
    before = {"name": team.name}
    team.name, team.version = name, version
    change = db.Change().save(team)
    audit.attach(ctx, change, team, entity="team", entity_id=team_id, action="update", before=before,
                 after={"name": name})
    db.commit(ctx, change)
    return team


def delete_team(ctx: TenantContext, team_id: str) -> None:
    """Delete a team that has no members."""
    permissions.require(ctx, "teams", "delete")
    team = get_team_or_raise(ctx, team_id)
    if any(user.team_id == team_id for user in User.query(tenant_key(ctx, "USER"))):
        raise errors.ConflictError("Move the team's members to another team first.", code="team_in_use")
    change = db.Change().delete(team)
    audit.attach(ctx, change, team, entity="team", entity_id=team_id, action="delete", before={"name": team.name},
                 after=None)
    db.commit(ctx, change)
