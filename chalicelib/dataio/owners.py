"""The responsible person a row names ("Ответственный", "Owner"): one of the company's active users, as its owner.

amoCRM and other CRMs export each record's responsible user by full name (either "Фамилия Имя" or "Имя Фамилия")
or e-mail, Bitrix24 without the patronymic a Russian user's name in the CRM often has ("Анна Белова" for Анна
Сергеевна Белова); the import gives the record to that user, as the API's create would: only someone within the
importer's create scope (an agent's is their own records, so only themselves). A value naming nobody, several users,
or someone outside that scope leaves the record the importer's, and the row's outcome says why (kept with the
import's problems, not counted as a failed row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.core.warm import WarmCache
from chalicelib.records import matching, naming

USERS_SECONDS = 60.0
# The company's active users, read once a minute per warm Lambda while an import runs (not once per row); a user
# written by this process (a colleague added, renamed or deactivated) forgets the company's list at once.
_users = WarmCache(USERS_SECONDS, size=256)


def _forget_on_change(ctx: TenantContext, items: list[Any]) -> None:
    from chalicelib.identity.models import User

    if any(isinstance(item, User) for item in items):
        _users.forget_tenant(ctx.tenant_id)


db.on_commit(_forget_on_change)


@dataclass
class Resolved:
    """The owner a row's cell names (None: the importer), and why it is not the one named, if not."""

    owner_id: str | None
    note: dict[str, str] | None = None


def _active_users(ctx: TenantContext) -> list[Any]:
    """The company's active users (``_users``)."""
    from chalicelib.identity import service as identity_service
    from chalicelib.identity.models import User

    def load() -> list[Any]:
        return [user for user in User.query(identity_service.users_pk(ctx))
                if isinstance(user, User) and user.status == "active"]

    found: list[Any] = _users.remember((ctx.tenant_id,), load)
    return found


def _words(text: str) -> list[str]:
    return sorted(matching.fold(text).split())


def _without_patronymic(name: str) -> list[str] | None:
    """A Russian full name's words without its patronymic ("Анна Сергеевна Белова" as "Анна Белова"), if it has one."""
    first, last = naming.split_name(name)
    given = first.split()
    return _words(f"{given[0]} {last}") if last and len(given) == 2 else None


def _note(message: str, kind: str) -> dict[str, str]:
    return {"field": "owner_id", "message": message, "type": kind}


def resolve(ctx: TenantContext, permission: str, cell: Any) -> Resolved:
    """The active user a cell names by e-mail or full name (its words in any order, case and ё folded; a Russian name
    also without its patronymic), if the importer may give them records; otherwise the importer, with a note saying
    why."""
    reference = str(cell or "").strip()
    if not reference:
        return Resolved(None)
    users = _active_users(ctx)
    if "@" in reference:
        found = [user for user in users if str(user.email).casefold() == reference.casefold()]
    else:
        wanted = _words(reference)
        # the name as written wins; else one without its patronymic (two such colleagues: several, by e-mail then)
        found = ([user for user in users if _words(str(user.name)) == wanted]
                 or [user for user in users if _without_patronymic(str(user.name)) == wanted])
    if not found:
        return Resolved(None, _note("No active user with this e-mail or name: the record is yours", "owner_not_found"))
    if len(found) > 1:
        return Resolved(None, _note("Several users have this name; use the e-mail: the record is yours",
                                    "several_owners"))
    user = found[0]
    scope = permissions.scope_of(ctx, permission, "create") or "own"
    if not permissions.may_touch(ctx, scope, owner_id=user.user_id, team_id=user.team_id):
        return Resolved(None, _note("You may not give records to someone outside your scope: the record is yours",
                                    "owner_out_of_scope"))
    return Resolved(str(user.user_id))
