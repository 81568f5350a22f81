"""What every domain's reverter shares: the refusal, the version check, the trash and the shape of audited values.

A reverter (``audit.register_reverter``) receives the audited values a change replaced and writes them
back through its domain's service. These helpers keep the answers alike across domains: 409
``not_revertable`` with a reason when a change cannot be put back, 409 on a stale version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext

CUSTOM_PREFIX = "custom."
_SEALED = re.compile(r"v1:[1-9][0-9]{0,8}:[A-Za-z0-9_-]{38,}")  # a core.crypto token


def not_revertable(message: str) -> errors.CRMError:
    """The 409 answer for a change that cannot be put back, with the reason."""
    return errors.ConflictError(message, code="not_revertable")


def expect(current: int, expected: int | None) -> int:
    """The version to write against: the one the revert expects, or (forced) the current one."""
    if expected is not None and expected != current:
        raise errors.VersionConflictError()
    return current


class Versioned(Protocol):
    """A record with an optimistic-concurrency version (every db.VersionedItem)."""

    @property
    def version(self) -> Any:
        """The record's version."""


class Trashable(Versioned, Protocol):
    """A record that goes to the trash instead of being deleted (contacts, companies, deals)."""

    @property
    def deleted_at(self) -> Any:
        """When it went to the trash, or None."""


R = TypeVar("R", bound=Trashable)


@dataclass(frozen=True)
class Trash(Generic[R]):
    """How a trashable entity goes into and out of the trash, and its name in answers."""

    noun: str
    find: Callable[[TenantContext, str], R | None]  # access-checked for an update; None when it is gone
    delete: Callable[[TenantContext, str], R]
    restore: Callable[[TenantContext, str], R]
    refuse: Callable[[dict[str, Any]], None] = lambda before: None  # 409 for a change that cannot be put back


def delete_created(record: Versioned | None, expected: int | None, *, noun: str, delete: Callable[[], object]) -> None:
    """Revert a creation by deleting the record: 404 when it is gone already, 409 when it changed since."""
    if record is None:
        raise errors.NotFoundError(f"No such {noun}.")
    expect(int(record.version or 0), expected)
    delete()


def start_trash_revert(ctx: TenantContext, trash: Trash[R], record_id: str, before: dict[str, Any] | None,
                       expected: int | None) -> tuple[R, dict[str, Any]] | None:
    """Begin reverting a trashable record's change: a creation goes to the trash (None: nothing left to do).

    Otherwise the record goes back into or out of the trash as the change found it, and the
    audited values still to put back come with it (see :func:`put_trash_state`).
    """
    record = trash.find(ctx, record_id)
    if record is None:
        if before is None:
            raise errors.NotFoundError(f"No such {trash.noun}.")
        raise not_revertable(f"This {trash.noun} was purged from the trash; there is nothing left to put back.")
    expect(int(record.version or 0), expected)
    if before is None:
        if record.deleted_at is not None:
            raise not_revertable(f"This {trash.noun} is already in the trash.")
        trash.delete(ctx, record_id)
        return None
    trash.refuse(before)
    return put_trash_state(ctx, trash, record, record_id, before)


def put_trash_state(ctx: TenantContext, trash: Trash[R], record: R, record_id: str,
                    before: dict[str, Any]) -> tuple[R, dict[str, Any]]:
    """Back into or out of the trash as the audited change found it; then the audited values left to put back.

    Edits of a record that stays in the trash are refused (409): restore it first.
    """
    deleted_at = before.get("deleted_at", record.deleted_at)
    if deleted_at is None and record.deleted_at is not None:
        record = trash.restore(ctx, record_id)
    elif deleted_at is not None and record.deleted_at is None:
        record = trash.delete(ctx, record_id)
    rest = {name: value for name, value in before.items() if name not in ("deleted_at", "team_id")}
    if rest and record.deleted_at is not None:
        raise not_revertable(f"This {trash.noun} is in the trash; restore it before reverting its edits.")
    return record, rest


def edited_values(before: dict[str, Any], updatable: frozenset[str]) -> dict[str, Any]:
    """The audited values an update can put back, custom values under ``custom``; a record keeps its owner."""
    fields, custom = split_custom(before)
    data = {name: value for name, value in fields.items() if name in updatable}
    if data.get("owner_id") is None:
        data.pop("owner_id", None)  # a record always keeps an owner
    if custom:
        data["custom"] = custom
    return data


def split_custom(before: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Audited fields apart from custom values (``custom.<key>``), and the custom values by key."""
    fields = {name: value for name, value in before.items() if not name.startswith(CUSTOM_PREFIX)}
    custom = {name.removeprefix(CUSTOM_PREFIX): value for name, value in before.items()
              if name.startswith(CUSTOM_PREFIX)}
    return fields, custom


def sealed_refusal(values: dict[str, Any], what: str) -> str | None:
    """Why audited values cannot be written back when one is a sealed token (it would be taken for clear
    text), or None; told from the values alone, so a reverter declares it (``register_reverter(refuses=...)``)."""
    if any(isinstance(value, str) and _SEALED.fullmatch(value) for value in values.values()):
        return (f"This change touched a sensitive {what} value, which the audit trail keeps only sealed; "
                "set it again by hand.")
    return None


def record_trash(rtype: Any, refuse: Callable[[dict[str, Any]], None] = lambda before: None) -> Trash[Any]:
    """How a record of a type on the engine's trash goes into and out of it for a revert (found live or
    trashed, checked for an update)."""
    from chalicelib.records import access, trash

    def find(ctx: TenantContext, record_id: str) -> Any:
        record = access.get_any(ctx, rtype, record_id)
        if record is not None:
            access.check_access(ctx, rtype, record, "update")
        return record

    return Trash(rtype.label, find=find, delete=lambda ctx, i: trash.delete(ctx, rtype, i),
                 restore=lambda ctx, i: trash.restore(ctx, rtype, i), refuse=refuse)


def record_refusal(rtype: Any, update_schema: type[Any]) -> Callable[..., str | None]:
    """What the engine's reverter of a type always refuses: a change that touched only fields its update does not
    write (a ticket's status and SLA times: its own routes move them), which the revert would find changed nothing.
    A type that maps audited fields itself (``revert_values``) is left to try."""
    updatable = frozenset(update_schema.model_fields) - {"custom", "version"}
    mapped = rtype.hook("revert_values") is not None

    def refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
        if before is None or mapped or "deleted_at" in before:
            return None
        fields, custom = split_custom({name: value for name, value in before.items() if name != "team_id"})
        if custom or not fields or set(fields) & updatable:
            return None
        return (f"This change of a {rtype.label} ({', '.join(sorted(fields))}) cannot be reverted; make it again "
                f"on the {rtype.label} itself.")

    return refusal


def record_reverter(rtype: Any, update_schema: type[Any]) -> Callable[..., None]:
    """The reverter of a record type that needs nothing of its own: trash state, then edited values
    through the engine's update (a type maps audited fields to its request with ``revert_values``)."""
    from chalicelib.core.schema import validate
    from chalicelib.records import service as records_service

    updatable = frozenset(update_schema.model_fields) - {"custom", "version"}
    states = record_trash(rtype)
    to_request = rtype.hook("revert_values") or (lambda values, record: values)

    def revert(ctx: TenantContext, record_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
        started = start_trash_revert(ctx, states, record_id, before, expected)
        if started is None:
            return
        record, rest = started
        data = edited_values(to_request(rest, record), updatable)
        if data:
            records_service.update(ctx, rtype, record_id, data=validate(
                update_schema, {"version": int(record.version or 0), **data}))

    return revert
