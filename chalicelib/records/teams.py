"""Records follow their owner's team: when a user moves to another team (or leaves every team), their records move.

A record is stamped with its owner's team when it is made or reassigned (``editing.resolve_owner``), and a
team-scoped manager sees what carries their team (``permissions.may_touch``, the ``TEAM#<team>`` list rows). A
change of a user's team sets a due timer (kind ``records.team``, ref the user id) in the user's own transaction
(``identity.service.update_user``); the due run fires it here, and the walk restamps every record the user owns,
type by type: the record types of the registry (``types.all_types``) through their owner's list rows, then their
trash rows filtered by owner (so a record restored later comes back in its owner's team; a type listing itself
elsewhere declares an ``owned`` hook: deals, by their owner and trash indexes), then what other packages own per
user (``catalog.TEAM_FOLLOWERS``: tasks). Each record is written the usual way (``store.write``: its rows, its
lookups, its audit record, the version check), acted by the administrator who moved the user, and the domain-event
feed adjusts what report facts keep per team as it does for a reassignment.

The target is the user's team when each page is read, not the team of the request that set the timer, and a
record is written only while its owner is still the user and its team differs: a retry, a second run or a crash
mid-walk ends with each record restamped once, a record reassigned meanwhile is left alone, and one changed
meanwhile (409) is read again. A walk that runs out of time sets its timer again with its place (type and cursor)
and the user's version as ``seq``, so a later move, whose timer carries a newer version, is never overwritten by
an older walk's continuation: that newer walk starts over and restamps what the older one already moved.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from chalicelib.core import db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.records import access, catalog, editing, store, types
from chalicelib.records.types import RecordType

KIND = "records.team"  # set by identity.service.update_user (its TEAM_MOVE)
PAGE = 100
SECONDS = 40.0
TRASH = "#trash"  # the step of a type's trash
ATTEMPTS = 3  # reads of a record another writer changed meanwhile, before the walk waits for its next run

Page = tuple[int, dict[str, Any] | None]  # records moved, and where the next page starts (None: done)
# fn(ctx, *, owner_id, team_id, cursor) -> Page: one page of a package's own walk (catalog.TEAM_FOLLOWERS)
Follower = Callable[..., Page]


def steps() -> list[str]:
    """The walk's steps in order: every record type that keeps a team (and, for a type with trash rows, its trash:
    a record restored later comes back in its owner's team), then the packages' own (tasks)."""
    found: list[str] = []
    for rtype in types.all_types():
        found += [rtype.name] if _lists_owner(rtype) else []
        found += [f"{rtype.name}{TRASH}"] if _keeps_trash(rtype) else []
    return found + list(catalog.TEAM_FOLLOWERS)


def _lists_owner(rtype: RecordType) -> bool:
    owner_rows = rtype.space is not None and (rtype.lists is None or "OWNER" in rtype.lists)
    return owner_rows or rtype.hook("owned") is not None


def _keeps_trash(rtype: RecordType) -> bool:
    trash_rows = rtype.space is not None and (rtype.lists is None or "TRASH" in rtype.lists)
    return trash_rows or rtype.hook("owned") is not None


def not_in_team(attribute: Any, team_id: str | None) -> Any:
    """A filter keeping the items (rows, records) whose team is not team_id: a walk that finds a record already in
    its owner's team reads its row only, so a second walk of a user's records costs a Query a page and no more."""
    if team_id is None:
        return attribute.exists()
    return (attribute != team_id) | attribute.does_not_exist()


def owned_page(ctx: TenantContext, rtype: RecordType, owner_id: str, cursor: dict[str, Any] | None, *,
               team_id: str | None, trash: bool = False) -> tuple[list[str], dict[str, Any] | None]:
    """One page of the ids of a user's live records of a type not in team_id, or with ``trash`` of those in the type's
    trash: the type's ``owned`` hook, else its OWNER rows (its TRASH rows filtered by owner)."""
    hook = rtype.hook("owned")
    if hook is not None:
        found: tuple[list[str], dict[str, Any] | None] = hook(ctx, owner_id, cursor, PAGE, team_id=team_id,
                                                               trash=trash)
        return found
    model = rtype.rows
    partition = ("TRASH",) if trash else ("OWNER", owner_id)
    condition = not_in_team(model.team_id, team_id)
    with db.translate_errors():
        rows = model.query(tenant_key(ctx, rtype.space or "", *partition), limit=PAGE, page_size=PAGE,
                           last_evaluated_key=cursor, attributes_to_get=["pk", "sk", "kind"],
                           filter_condition=condition & (model.owner_id == owner_id) if trash else condition)
        ids = [str(row.sk) for row in rows]
        return ids, rows.last_evaluated_key


def restamp_once(load: Callable[[], Any], write: Callable[[Any], None], *, owner_id: str, team_id: str | None,
                 owner_field: str = "owner_id") -> bool:
    """Give one record (a type's, a task, an article) its owner's team: ``load`` reads it, ``write`` writes it with
    ``team_id`` through its own path (version check, audit); nothing when it is gone, someone else's or in the team
    already; read again when it changed meanwhile (``write`` raised 409). True if written."""
    for _ in range(ATTEMPTS):
        record = load()
        if record is None or getattr(record, owner_field) != owner_id or record.team_id == team_id:
            return False
        try:
            write(record)
        except errors.VersionConflictError:
            continue  # changed meanwhile: read it again
        return True
    raise errors.ServiceUnavailableError("A record kept changing while its team moved; the walk goes on later.")


def restamp(ctx: TenantContext, rtype: RecordType, record_id: str, *, owner_id: str, team_id: str | None) -> bool:
    """Give one record of a type its owner's team (``restamp_once`` through the engine's write); True if written."""
    def write(before: Any) -> None:
        after = editing.clone(before)
        after.team_id = team_id
        store.write(ctx, rtype, before, after, action="team_move")

    return restamp_once(lambda: access.get_any(ctx, rtype, record_id), write, owner_id=owner_id, team_id=team_id)


def _record_follower(rtype: RecordType, *, trash: bool) -> Follower:
    def follow(ctx: TenantContext, *, owner_id: str, team_id: str | None, cursor: dict[str, Any] | None) -> Page:
        ids, cursor = owned_page(ctx, rtype, owner_id, cursor, team_id=team_id, trash=trash)
        return sum(restamp(ctx, rtype, record_id, owner_id=owner_id, team_id=team_id) for record_id in ids), cursor

    return follow


def _follower(step: str) -> Follower:
    rtype = types.find(step.removesuffix(TRASH))
    if rtype is not None:
        return _record_follower(rtype, trash=step.endswith(TRASH))
    module, _, name = catalog.TEAM_FOLLOWERS[step].partition(":")
    found: Follower = getattr(importlib.import_module(module), name)
    return found


def _acting(ctx: TenantContext, timer: DueTimer) -> TenantContext:
    """Who the walk acts as: the administrator who moved the user (the audit records' actor)."""
    actor = str((timer.payload or {}).get("actor_id") or "system")
    return TenantContext(tenant_id=ctx.tenant_id, actor_id=actor, actor_kind="user" if actor != "system" else "system",
                         role="system", source="job", request_id=f"{KIND}:{timer.ref}:{timer.seq}")


def walk(ctx: TenantContext, user_id: str, *, step: str | None = None, cursor: dict[str, Any] | None = None,
         seconds: float) -> tuple[int, tuple[str, dict[str, Any] | None] | None]:
    """Move a user's records to their current team from a place in the walk; answers how many moved and where to
    go on (None: every record is there)."""
    from chalicelib.identity import service as identity_service

    deadline = time.monotonic() + seconds
    order = steps()
    position = order.index(step) if step in order else 0
    moved = 0
    while position < len(order):
        user = identity_service.get_user(ctx, user_id)  # read per page: a later move's team wins at once
        if user is None:
            return moved, None
        page, cursor = _follower(order[position])(ctx, owner_id=user_id, team_id=user.team_id, cursor=cursor)
        moved += page
        if cursor is None:
            position += 1
        if time.monotonic() > deadline and position < len(order):
            return moved, (order[position], cursor)
    return moved, None


def fire(ctx: TenantContext, timer: DueTimer) -> str:
    """The due run's handler: walk on from the timer's place; set it again with the new place if time ran out."""
    payload = dict(timer.payload or {})
    acting = _acting(ctx, timer)
    moved, left = walk(acting, timer.ref, step=payload.get("step"), cursor=payload.get("cursor"), seconds=SECONDS)
    logger.info("records followed their owner's team", extra={"moved": moved, "done": left is None})
    if left is None:
        return "moved"
    payload["step"], payload["cursor"] = left
    seq = int(timer.seq) if timer.seq is not None else None
    if not due.set_timer(ctx, kind=KIND, ref=timer.ref, due_at=db.utcnow(), payload=payload, seq=seq):
        logger.info("a later team move took over the walk")
    return "going_on"
