"""Tasks: create, list by day in the company's time zone, change, complete, reopen, delete.

A task's record owner is its assignee (agents see and change the tasks assigned to them). A task
about a contact, company or deal puts a ``TASK#<id>`` link into that record's collection and
timeline entries (created, done, reopened) into its timeline, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.identity import service as identity_service
from chalicelib.records import access, links, naming, types
from chalicelib.records import timeline as timeline_service
from chalicelib.tasks import schemas as s
from chalicelib.tasks.models import DONE, OPEN, TASK_SK, Task, assignee_pk, assignee_sk, due_pk, stamp, task_pk

AUDIT_FIELDS = ("title", "task_kind", "due_at", "assignee_id", "team_id", "related_type", "related_id",
                "description", "location", "done_at")
NULLABLE = frozenset({"due_at", "related", "description", "location"})
TICK = timedelta(microseconds=1)
DEAL_CONTACTS_SHOWN = 10  # a deal's task shows on the cards of its first contacts


# -- views ----------------------------------------------------------------------------------


def task_read(task: Task, names: dict[tuple[str, str], str] | None = None) -> s.TaskRead:
    """The API view of a task; with names (``related_names``), its record named."""
    related = None
    if task.related_type and task.related_id:
        name = (names or {}).get((task.related_type, task.related_id))
        related = s.RelatedRead(type=task.related_type, id=task.related_id, name=name)  # type: ignore[arg-type]
    return s.TaskRead(
        id=task.task_id, title=task.title, kind=task.task_kind,  # type: ignore[arg-type]
        status="done" if task.done_at is not None else "open", due_at=task.due_at, assignee_id=task.assignee_id,
        team_id=task.team_id, related=related, description=task.description,
        location=task.location, done_at=task.done_at,
        done_by=task.done_by, created_by=task.created_by, created_at=task.created_at, updated_at=task.updated_at,
        version=int(task.version or 0),
    )


def related_names(ctx: TenantContext, tasks: Sequence[Task]) -> dict[tuple[str, str], str]:
    """The names of the records the tasks are about that the caller may read, by (type, id): one BatchGetItem a
    page, so a list names every task's record (#20 item 11) and a rename shows at once."""
    refs = [(task.related_type, task.related_id) for task in tasks if task.related_type and task.related_id]
    mine = {(task.related_type, task.related_id) for task in tasks  # the caller's open tasks open their records
            if task.assignee_id == ctx.actor_id and task.done_at is None and task.related_type and task.related_id}
    return naming.record_names(ctx, refs, granted=mine)


def audit_view(task: Task) -> dict[str, Any]:
    """The fields of a task the audit trail records."""
    return {name: getattr(task, name) for name in AUDIT_FIELDS}


def _link_summary(task: Task) -> dict[str, Any]:
    return {"title": task.title, "kind": task.task_kind, "due_at": task.due_at.isoformat() if task.due_at else None,
            "assignee_id": task.assignee_id, "done": task.done_at is not None,
            **({"location": task.location} if task.location else {})}  # a card's task names where it happens


# -- reads ----------------------------------------------------------------------------------


def move_contact_link(ctx: TenantContext, change: db.Change, task_id: str, *, from_id: str, to_id: str,
                      keep_from: bool = False) -> bool:
    """Relate a task to contact to_id instead of from_id, in change (a contact merge or its undo); a task
    relates to one record, so it moves even where a deal would keep both (keep_from)."""
    task = get(ctx, task_id)
    if task is None or task.related_type != "contact" or task.related_id != from_id:
        return False
    before = audit_view(task)
    task.related_id = to_id
    change.save(task)
    audit.attach(ctx, change, task, entity="task", entity_id=task_id, action="contact_merge", before=before,
                 after=audit_view(task))
    return True


def get(ctx: TenantContext, task_id: str) -> Task | None:
    """A task of the tenant, without any permission check."""
    if not is_valid_id(task_id):
        return None
    return db.get(ctx, Task, task_pk(ctx, task_id), TASK_SK)


def get_or_raise(ctx: TenantContext, task_id: str) -> Task:
    """A task within the caller's read scope, or 404."""
    scope = permissions.require(ctx, "tasks", "read")
    task = get(ctx, task_id)
    if task is None or not permissions.may_touch(ctx, scope, owner_id=task.assignee_id, team_id=task.team_id):
        raise errors.NotFoundError("No such task.")
    return task


def _writable(ctx: TenantContext, task_id: str, action: str) -> Task:
    task = get_or_raise(ctx, task_id)
    permissions.require_record(ctx, "tasks", action, owner_id=task.assignee_id, team_id=task.team_id)
    return task


@dataclass(frozen=True)
class Day:
    """Where the company's today starts and tomorrow starts, in UTC."""

    start: datetime
    end: datetime


def company_day(ctx: TenantContext) -> Day:
    """Today in the company's time zone (identity's tenant.timezone; UTC when unknown)."""
    tenant = identity_service.tenant_settings(ctx)
    try:
        zone = ZoneInfo(tenant.timezone if tenant is not None else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    today = db.utcnow().astimezone(zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return Day(start=start.astimezone(UTC), end=end.astimezone(UTC))


def list_tasks(ctx: TenantContext, *, query: s.TaskListQuery) -> db.Page[Task]:
    """One user's tasks (the caller's by default), or everyone's the caller may read (``everyone``), for a view:
    today, overdue, upcoming or all; one Query."""
    scope = permissions.require(ctx, "tasks", "read")
    if query.everyone and query.assignee_id:
        raise errors.ValidationError(details=[{"loc": ["query", "everyone"], "msg": "Everyone's tasks or one user's",
                                               "type": "invalid_filter"}])
    assignee = query.assignee_id or ctx.actor_id
    if query.view == "overdue" and query.status == "done":
        raise errors.ValidationError(details=[{"loc": ["query", "status"], "msg": "Overdue tasks are open tasks",
                                               "type": "invalid_filter"}])
    if scope == "own" and assignee != ctx.actor_id:
        return db.Page(items=[], next_cursor=None)
    status = query.status or ("open" if query.view != "all" else None)
    everyone = query.everyone and scope != "own"  # one who reads only their own tasks has no one else's to list
    condition = _view_range(ctx, query.view, status, Task.gsi2sk if everyone else Task.gsi1sk)
    return db.query_page(
        ctx, Task, due_pk(ctx) if everyone else assignee_pk(ctx, assignee), limit=query.limit,
        scope=f"tasks:{'*' if everyone else assignee}:{query.view}:{status}", cursor=query.cursor,
        index=Task.gsi2 if everyone else Task.gsi1, range_key_condition=condition, newest_first=status == "done",
        keep=lambda task: permissions.may_touch(ctx, scope, owner_id=task.assignee_id, team_id=task.team_id),
    )


def _view_range(ctx: TenantContext, view: str, status: str | None, sk: Any) -> Any:
    if view == "all":
        return sk.startswith(f"{OPEN if status == 'open' else DONE}#") if status else None
    letter = DONE if status == "done" else OPEN
    day = company_day(ctx)
    if view == "today":
        return sk.between(f"{letter}#{stamp(day.start)}", f"{letter}#{stamp(day.end - TICK)}")
    if view == "overdue":  # due time passed, today's too: as the screen marks a task overdue and the dashboard counts
        return sk.between(f"{letter}#", f"{letter}#{stamp(db.utcnow() - TICK)}")
    return sk.between(f"{letter}#{stamp(day.end)}", f"{letter}#9999")  # upcoming; undated (~) sort after


# -- writes ---------------------------------------------------------------------------------


def _assignee_team(ctx: TenantContext, assignee_id: str) -> str | None:
    """The assignee's team; 422 unless the assignee is an active user of the tenant whose role reads tasks (a task
    handed to an accountant's custom role without them would sit where nobody opens it)."""
    from chalicelib.identity import access as identity_access

    user = identity_service.get_user(ctx, assignee_id)
    if user is None or user.status != "active":
        raise errors.ValidationError(details=[{"loc": ["assignee_id"], "msg": "Not an active user of this company",
                                               "type": "unknown_user"}])
    identity_access.require_reader(ctx, user.role, "tasks", ["assignee_id"])
    return user.team_id


def _index(ctx: TenantContext, task: Task) -> None:
    task.gsi1pk, task.gsi1sk = assignee_pk(ctx, task.assignee_id), assignee_sk(task)
    task.gsi2pk, task.gsi2sk = due_pk(ctx), task.gsi1sk


def _deal_contacts(ctx: TenantContext, related_type: str | None, related_id: str | None) -> list[str]:
    """The contacts of the deal a task is about (none for a task about anything else): a deal's task shows on its
    contacts' cards too (#20 item 11: a lead's call-back task, made about its deal, was missing from its contact)."""
    if related_type != "deal" or not related_id:
        return []
    deal = access.get(ctx, types.get("deal"), related_id)  # a form's run has it in its memo: no read
    return [str(contact_id) for contact_id in (getattr(deal, "contact_ids", None) or [])][:DEAL_CONTACTS_SHOWN]


def _on_related(ctx: TenantContext, change: db.Change, task: Task, *, event: str | None) -> None:
    """Refresh the task's link in its related record (and a deal's contacts), and note the event on that record's
    timeline."""
    if not (task.related_type and task.related_id):
        return
    links.link_item(ctx, change, task.related_type, subject_id=task.related_id, kind="task",
                    ref_id=task.task_id, summary=_link_summary(task))
    for contact_id in _deal_contacts(ctx, task.related_type, task.related_id):
        links.link_item(ctx, change, "contact", subject_id=contact_id, kind="task", ref_id=task.task_id,
                        summary=_link_summary(task))
    if event is not None:
        timeline_service.add_entry(ctx, change, subject_type=task.related_type, subject_id=task.related_id,
                                   kind="task", summary=f"Task {event}: {task.title}",
                                   data={"task_id": task.task_id, "event": event, "title": task.title,
                                         "task_kind": task.task_kind})


def _commit(ctx: TenantContext, change: db.Change, task: Task, *, action: str, before: dict[str, Any] | None,
            write: bool = True) -> Task:
    change.save(task)
    audit.attach(ctx, change, task, entity="task", entity_id=task.task_id, action=action, before=before,
                 after=audit_view(task))
    if write:
        db.commit(ctx, change)
    return task


def create(ctx: TenantContext, *, data: s.TaskCreate, task_id: str | None = None, done_at: datetime | None = None,
           event: str = "created", into: db.Change | None = None) -> Task:
    """Create a task for a user (the caller by default), maybe about a contact, company or deal.

    A reverted deletion passes the task's id (the item is written only where none exists), when it
    was completed and the timeline event ("restored"). With ``into``, the task, its link, its timeline
    entry and its audit record join that change instead, for the caller to commit with its own writes
    (an inbox event's outcome): nothing is written here, and the task exists once that change commits.
    """
    if task_id is not None and not is_valid_id(task_id):
        raise ValueError("a task id must be a ULID")
    scope = permissions.require(ctx, "tasks", "create")
    assignee_id = data.assignee_id or ctx.actor_id
    team_id = _assignee_team(ctx, assignee_id)
    if not permissions.may_touch(ctx, scope, owner_id=assignee_id, team_id=team_id):
        raise errors.ForbiddenError("You may only create tasks for yourself.", code="owner_outside_scope")
    if data.related is not None:
        access.require_visible(ctx, data.related.type, data.related.id, loc=["related", "id"])
    task_id, now = task_id or new_id(), db.utcnow()
    task = Task(task_pk(ctx, task_id), TASK_SK, task_id=task_id, title=data.title, task_kind=data.kind,
                due_at=data.due_at, assignee_id=assignee_id, team_id=team_id, description=data.description,
                location=data.location,
                related_type=data.related.type if data.related else None,
                related_id=data.related.id if data.related else None, created_by=ctx.actor_id,
                created_at=now, updated_at=now, done_at=done_at, done_by=ctx.actor_id if done_at else None)
    _index(ctx, task)
    change = into if into is not None else db.Change()
    _on_related(ctx, change, task, event=event)
    return _commit(ctx, change, task, action="create", before=None, write=into is None)


def update(ctx: TenantContext, task_id: str, *, data: s.TaskUpdate) -> Task:
    """Change a task's title, kind, due time, assignee, related record or description."""
    task = _writable(ctx, task_id, "update")
    if int(task.version or 0) != data.version:
        raise errors.VersionConflictError()
    given = {name for name in data.model_fields_set - {"version"} if getattr(data, name) is not None
             or name in NULLABLE}
    before, change = audit_view(task), db.Change()
    if "assignee_id" in given and data.assignee_id != task.assignee_id:
        _reassign(ctx, task, str(data.assignee_id))
    if "related" in given:
        _relate(ctx, change, task, data.related)
    for name, attribute in (("title", "title"), ("kind", "task_kind"), ("due_at", "due_at"),
                            ("description", "description"), ("location", "location")):
        if name in given:
            setattr(task, attribute, getattr(data, name))
    task.updated_at = db.utcnow()
    _index(ctx, task)
    _on_related(ctx, change, task, event=None)
    return _commit(ctx, change, task, action="update", before=before)


def _reassign(ctx: TenantContext, task: Task, assignee_id: str) -> None:
    team_id = _assignee_team(ctx, assignee_id)
    scope = permissions.require(ctx, "tasks", "update")
    if not permissions.may_touch(ctx, scope, owner_id=assignee_id, team_id=team_id):
        raise errors.ForbiddenError("You may not hand this task to someone outside your scope.",
                                    code="owner_outside_scope")
    task.assignee_id, task.team_id = assignee_id, team_id


def _relate(ctx: TenantContext, change: db.Change, task: Task, related: s.Related | None) -> None:
    old = (task.related_type, task.related_id)
    new = (related.type, related.id) if related is not None else (None, None)
    if old == new:
        return
    if related is not None:
        access.require_visible(ctx, related.type, related.id, loc=["related", "id"])
    if task.related_type and task.related_id:
        links.unlink_item(ctx, change, task.related_type, subject_id=task.related_id, kind="task",
                          ref_id=task.task_id)
        _unlink_deal_contacts(ctx, change, task)
    task.related_type, task.related_id = new


def _unlink_deal_contacts(ctx: TenantContext, change: db.Change, task: Task) -> None:
    for contact_id in _deal_contacts(ctx, task.related_type, task.related_id):
        links.unlink_item(ctx, change, "contact", subject_id=contact_id, kind="task", ref_id=task.task_id)


def set_done(ctx: TenantContext, task_id: str, *, version: int, done: bool) -> Task:
    """Complete (done) or reopen a task; the related record's timeline notes it."""
    task = _writable(ctx, task_id, "update")
    if int(task.version or 0) != version:
        raise errors.VersionConflictError()
    if (task.done_at is not None) == done:
        return task  # already so: nothing happened, nothing to record
    before, now = audit_view(task), db.utcnow()
    task.done_at, task.done_by = (now, ctx.actor_id) if done else (None, None)
    task.updated_at = now
    _index(ctx, task)
    change = db.Change()
    _on_related(ctx, change, task, event="done" if done else "reopened")
    return _commit(ctx, change, task, action="complete" if done else "reopen", before=before)


def delete(ctx: TenantContext, task_id: str) -> None:
    """Delete a task and its link (the audit trail keeps what it was)."""
    task = _writable(ctx, task_id, "delete")
    change = db.Change().delete(task)
    if task.related_type and task.related_id:
        links.unlink_item(ctx, change, task.related_type, subject_id=task.related_id, kind="task",
                          ref_id=task.task_id)
        _unlink_deal_contacts(ctx, change, task)
    audit.attach(ctx, change, task, entity="task", entity_id=task_id, action="delete", before=audit_view(task),
                 after=None)
    db.commit(ctx, change)


# -- a team move ----------------------------------------------------------------------------


def follow_team(ctx: TenantContext, *, owner_id: str, team_id: str | None,
                cursor: dict[str, Any] | None) -> tuple[int, dict[str, Any] | None]:
    """One page of a user's tasks given the user's team (``records.teams``, catalog.TEAM_FOLLOWERS): each task
    still theirs and of another team is written with its version and audit record; answers (moved, next cursor)."""
    from chalicelib.records import teams

    with db.translate_errors():
        found = Task.gsi1.query(assignee_pk(ctx, owner_id), limit=100, page_size=100, last_evaluated_key=cursor,
                                attributes_to_get=["pk", "sk", "kind", "task_id"],
                                filter_condition=teams.not_in_team(Task.team_id, team_id))
        ids = [str(task.task_id) for task in found if isinstance(task, Task)]
        cursor = found.last_evaluated_key
    return sum(_restamp(ctx, task_id, owner_id=owner_id, team_id=team_id) for task_id in ids), cursor


def _restamp(ctx: TenantContext, task_id: str, *, owner_id: str, team_id: str | None) -> bool:
    from chalicelib.records import teams

    def write(task: Task) -> None:
        before, task.team_id = audit_view(task), team_id
        _commit(ctx, db.Change(), task, action="team_move", before=before)

    return teams.restamp_once(lambda: get(ctx, task_id), write, owner_id=owner_id, team_id=team_id,
                              owner_field="assignee_id")
