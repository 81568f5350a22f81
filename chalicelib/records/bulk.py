"""Bulk actions on records of any type: assign, tag, untag or move to the trash, each record checked and written on
its own (its version, scope, audit), with an outcome per id.

A type whose writes are its own (a deal's board totals) declares ``change_with(ctx, record_id, *, action, mutate)``
and ``trash(ctx, record_id)`` hooks; every other type changes through :func:`change_with` and the engine's trash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core import errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, editing, store, trash
from chalicelib.records.schemas import MAX_TAGS, BulkIn, BulkOutcome
from chalicelib.records.types import RecordType


def change_with(ctx: TenantContext, rtype: RecordType, record_id: str, *, action: str,
                mutate: Callable[[Any], None]) -> Any:
    """Apply mutate(record) to the current version of a record the caller may update, written the type's way."""
    own = rtype.hook("change_with")
    if own is not None:
        return own(ctx, record_id, action=action, mutate=mutate)
    before = access.get_or_raise(ctx, rtype, record_id, action="update")
    after = editing.clone(before)
    editing.touch(after)
    mutate(after)
    store.write(ctx, rtype, before, after, action=action)
    updated = rtype.hook("updated")
    if updated is not None:
        updated(ctx, before, after)
    return after


def _missing(name: str) -> errors.ValidationError:
    return errors.ValidationError(details=[{"loc": [name], "msg": f"{name} is required for this action",
                                           "type": "missing"}])


def _mutation(ctx: TenantContext, rtype: RecordType, request: BulkIn) -> Callable[[Any], None]:
    """What the action does to one record (the owner and the tags checked once, up front)."""
    if request.action == "assign":
        if request.owner_id is None:
            raise _missing("owner_id")
        owner_id, team_id = editing.resolve_owner(ctx, request.owner_id,
                                                  permissions.require(ctx, rtype.plural, "update"),
                                                  handed=rtype.plural)

        def assign(record: Any) -> None:
            record.owner_id, record.team_id = owner_id, team_id

        return assign
    if not request.tags:
        raise _missing("tags")
    tags = list(request.tags)

    def tag(record: Any) -> None:
        if request.action == "untag":
            record.tags = [t for t in record.tags or [] if t not in tags]
            return
        record.tags = list(dict.fromkeys([*(record.tags or []), *tags]))
        if len(record.tags) > MAX_TAGS:
            raise errors.ValidationError(details=[{"loc": ["tags"], "msg": f"At most {MAX_TAGS} tags",
                                                   "type": "too_many"}])

    return tag


def run(ctx: TenantContext, rtype: RecordType, request: BulkIn) -> list[BulkOutcome]:
    """Apply one action to many records; a record that fails does not stop the others.

    When every record met a passing outage (503), nothing changed and the request as a whole answers
    503 with Retry-After, like any other write, so a client retries it whole.
    """
    permissions.require(ctx, rtype.plural, "delete" if request.action == "delete" else "update")
    mutate = None if request.action == "delete" else _mutation(ctx, rtype, request)
    to_trash = rtype.hook("trash") or (lambda c, record_id: trash.delete(c, rtype, record_id))
    outcomes = []
    unavailable: errors.ServiceUnavailableError | None = None
    for record_id in request.ids:
        try:
            if mutate is None:
                record = to_trash(ctx, record_id)
            else:
                record = change_with(ctx, rtype, record_id, action=f"bulk_{request.action}", mutate=mutate)
            outcomes.append(BulkOutcome(id=record_id, ok=True, status=200, version=int(record.version or 0)))
        except errors.ServiceUnavailableError as exc:
            unavailable = exc
            outcomes.append(BulkOutcome(id=record_id, ok=False, status=exc.status, code=exc.code))
        except errors.CRMError as exc:
            outcomes.append(BulkOutcome(id=record_id, ok=False, status=exc.status, code=exc.code))
    if unavailable is not None and all(outcome.code == unavailable.code for outcome in outcomes):
        raise unavailable
    return outcomes
