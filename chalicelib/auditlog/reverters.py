"""Reverters of identity's entities: users, teams, custom roles and the company's settings.

Each puts the values an audited change replaced back through identity's own service functions, so
permissions, validation and lookups apply as for any edit, and the write is audited (as a revert,
see ``audit.reverting``). A change is revertable only when every field it touched can be put back:
sign-ins, password and second-factor changes, token versions and invitations are not.

Other domains register theirs the same way, next to their service (listed in ``REVERT_MODULES``)::

    audit.register_reverter("contact", revert_contact)  # fn(ctx, entity_id, before, expected_version)

A record type without a reverter of its own is reverted by the engine (``records.reverting``).
"""

from __future__ import annotations

import importlib
from typing import Any

from chalicelib.core import audit, db, permissions
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import access, service
from chalicelib.identity.schemas import RoleIn, RoleUpdate, TeamIn, TenantUpdate, UserUpdate
from chalicelib.records import types
from chalicelib.records.reverting import delete_created, expect, not_revertable, record_refusal, record_reverter

USER_FIELDS = frozenset({"name", "role", "team_id", "locale"})
USER_STATUSES = frozenset({"active", "deactivated"})
USER_IGNORED = frozenset({"token_version"})  # bumped to end sessions: putting it back would revive them
TENANT_FIELDS = frozenset(TenantUpdate.model_fields) - {"version"}
USER_CREATED = "Users are deactivated, not deleted; deactivate this one instead."


# -- users ----------------------------------------------------------------------------------


def user_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of a user can never be reverted (a creation, sign-in, password, second factor), or None."""
    if before is None:
        return USER_CREATED
    status = before.get("status")
    unknown = set(before) - USER_FIELDS - USER_IGNORED - {"status"}
    if unknown or (status is not None and status not in USER_STATUSES):
        return "This change of a user (sign-in, password, second factor, invitation) cannot be reverted."
    return None


def revert_user(ctx: TenantContext, user_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a user's name, role, team, locale or active status back."""
    refused = user_refusal(before)
    if refused is not None or before is None:
        raise not_revertable(refused or USER_CREATED)
    status = before.get("status")
    user = service.get_user_or_raise(ctx, user_id)
    version = expect(int(user.version or 0), expected)
    fields = {name: value for name, value in before.items() if name in USER_FIELDS}
    if fields:
        service.update_user(ctx, user_id, validate(UserUpdate, {"version": version, **fields}))
    if status is not None and status != user.status:
        service.set_status(ctx, user_id, active=status == "active")


# -- teams ----------------------------------------------------------------------------------


def revert_team(ctx: TenantContext, team_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Delete a created team, rename a renamed one, or create a deleted one again under its id."""
    team = access.get_team(ctx, team_id)
    if before is None:
        delete_created(team, expected, noun="team", delete=lambda: access.delete_team(ctx, team_id))
        return
    name = validate(TeamIn, {"name": before.get("name")}).name
    if team is None:
        _restore_team(ctx, team_id, name=name)
    else:
        access.rename_team(ctx, team_id, name=name, version=expect(int(team.version or 0), expected))


def _restore_team(ctx: TenantContext, team_id: str, *, name: str) -> None:
    # identity has no "create with this id" yet; ask its owner for access.restore_team and call it here.
    from chalicelib.identity.models import Team

    permissions.require(ctx, "teams", "create")
    team = Team(access.teams_pk(ctx), team_id, team_id=team_id, name=name)
    change = db.Change().create(team)
    audit.attach(ctx, change, team, entity="team", entity_id=team_id, action="create", before=None,
                 after={"name": name})
    db.commit(ctx, change)


# -- roles ----------------------------------------------------------------------------------


def revert_role(ctx: TenantContext, key: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Delete a created custom role, restore its name and permissions, or create a deleted one again."""
    role = access.get_custom_role(ctx, key)
    if before is None:
        delete_created(role, expected, noun="role", delete=lambda: access.delete_role(ctx, key))
        return
    fields = {name: before[name] for name in ("name", "permissions") if name in before}
    if role is None:
        access.create_role(ctx, validate(RoleIn, {"key": key, **fields}))
    else:
        access.update_role(ctx, key, validate(RoleUpdate, {"version": expect(int(role.version or 0), expected),
                                                           **fields}))


# -- the company's settings -----------------------------------------------------------------


def tenant_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of the company can never be reverted (its status, plan, creation), or None."""
    if before is None or not set(before) <= TENANT_FIELDS:
        return "Only changes of the company's settings can be reverted."
    return None


def revert_tenant(ctx: TenantContext, tenant_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put the company's settings (name, locale, security policy) back; status and plan are not settings."""
    if before is None or tenant_id != ctx.tenant_id or tenant_refusal(before) is not None:
        raise not_revertable("Only changes of the company's settings can be reverted.")
    tenant = service.get_tenant_or_raise(ctx)
    version = expect(int(tenant.version or 0), expected)
    service.update_tenant(ctx, validate(TenantUpdate, {"version": version, **before}))


def register_identity() -> None:
    """Register the reverters of identity's entities."""
    audit.register_reverter("user", revert_user, refuses=user_refusal)
    audit.register_reverter("team", revert_team)
    audit.register_reverter("role", revert_role)
    audit.register_reverter("tenant", revert_tenant, refuses=tenant_refusal)


# The modules that register the reverters of their domains' changes. A route module loads with its first
# request, so a Lambda answering a revert may not have loaded the domain whose change it reverts.
REVERT_MODULES = ("chalicelib.contacts.revert", "chalicelib.deals.revert", "chalicelib.tasks.revert",
                  "chalicelib.notes.revert", "chalicelib.records.customfields.revert")


def reverter_for(entity: str) -> audit.Reverter | None:
    """The reverter of an entity's changes: a domain's own, else the record engine's for a record type."""
    for module in REVERT_MODULES:
        importlib.import_module(module)
    found = audit.reverter_for(entity)
    if found is not None:
        return found
    rtype = types.find(entity)
    schema = rtype.hook("update_schema") if rtype is not None else None
    if rtype is None or schema is None:
        return None
    reverter = record_reverter(rtype, schema())
    audit.register_reverter(entity, reverter, refuses=record_refusal(rtype, schema()))
    return reverter
