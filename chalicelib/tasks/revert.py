"""Reverting a task's audited change through the tasks service (``audit.register_reverter``).

A creation is reverted by deleting the task, a completion by reopening it (and the other way round),
an edit by writing the previous values through ``service.update``, and a deletion by creating the
task again under its id (tasks have no trash; the audit record kept every field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.auditlog.reverting import expect, not_revertable
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.http import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import links
from chalicelib.identity import service as identity_service
from chalicelib.tasks import schemas as s
from chalicelib.tasks import service
from chalicelib.tasks.models import TASK_SK, Task, assignee_pk, assignee_sk, task_pk
from chalicelib.timeline import service as timeline_service

EDITS = {"title": "title", "task_kind": "kind", "due_at": "due_at", "assignee_id": "assignee_id",
         "description": "description"}


def _edit_back(ctx: TenantContext, task: Task, before: dict[str, Any]) -> None:
    data = {EDITS[name]: value for name, value in before.items() if name in EDITS}
    if "related_type" in before or "related_id" in before:
        kind, ref = before.get("related_type", task.related_type), before.get("related_id", task.related_id)
        data["related"] = {"type": kind, "id": ref} if kind and ref else None
    if data.get("assignee_id") is None:
        data.pop("assignee_id", None)
    if data:
        service.update(ctx, task.task_id, data=validate(s.TaskUpdate, {"version": int(task.version or 0), **data}))


def _recreate(ctx: TenantContext, task_id: str, before: dict[str, Any]) -> None:
    """Create a deleted task again under its id, checked as a new task would be."""
    scope = permissions.require(ctx, "tasks", "create")
    related = ({"type": before["related_type"], "id": before["related_id"]}
               if before.get("related_type") and before.get("related_id") else None)
    data = validate(s.TaskCreate, {"title": before.get("title"), "kind": before.get("task_kind") or "todo",
                                   "due_at": before.get("due_at"), "assignee_id": before.get("assignee_id"),
                                   "description": before.get("description"), "related": related})
    assignee = identity_service.get_user(ctx, str(data.assignee_id or ctx.actor_id))
    if assignee is None or assignee.status != "active":
        raise not_revertable("The task's assignee is no longer an active user.")
    if not permissions.may_touch(ctx, scope, owner_id=assignee.user_id, team_id=assignee.team_id):
        raise errors.ForbiddenError("You may only create tasks for yourself.")
    if data.related is not None:
        links.require_visible(ctx, data.related.type, data.related.id, loc=["related", "id"])
    now = db.utcnow()
    done_at = datetime.fromisoformat(before["done_at"]) if before.get("done_at") else None
    task = Task(task_pk(ctx, task_id), TASK_SK, task_id=task_id, title=data.title, task_kind=data.kind,
                due_at=data.due_at, assignee_id=assignee.user_id, team_id=assignee.team_id,
                description=data.description, related_type=data.related.type if data.related else None,
                related_id=data.related.id if data.related else None, created_by=ctx.actor_id, created_at=now,
                updated_at=now, done_at=done_at, done_by=ctx.actor_id if done_at else None)
    task.gsi1pk, task.gsi1sk = assignee_pk(ctx, task.assignee_id), assignee_sk(task)
    change = db.Change().create(task)
    if task.related_type and task.related_id:
        links.link_item(ctx, change, subject_type=task.related_type, subject_id=task.related_id, kind="task",
                        ref_id=task_id, summary={"title": task.title, "kind": task.task_kind,
                                                 "due_at": task.due_at.isoformat() if task.due_at else None,
                                                 "assignee_id": task.assignee_id, "done": done_at is not None})
        timeline_service.add_entry(ctx, change, subject_type=task.related_type, subject_id=task.related_id,
                                   kind="task", summary=f"Task restored: {task.title}",
                                   data={"task_id": task_id, "event": "restored", "title": task.title,
                                         "task_kind": task.task_kind})
    audit.attach(ctx, change, task, entity="task", entity_id=task_id, action="create", before=None,
                 after=service.audit_view(task))
    db.commit(ctx, change)


def revert_task(ctx: TenantContext, task_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """Put a task back as an audited change found it (delete, recreate, reopen, complete, edit)."""
    task = service.get(ctx, task_id)
    if task is None:
        if before is None:
            raise errors.NotFoundError("No such task.")
        if "title" not in before:
            raise not_revertable("This task no longer exists.")
        _recreate(ctx, task_id, before)
        return
    task = service.get_or_raise(ctx, task_id)
    version = expect(int(task.version or 0), expected)
    if before is None:
        service.delete(ctx, task_id)
        return
    if "done_at" in before and (before["done_at"] is None) != (task.done_at is None):
        task = service.set_done(ctx, task_id, version=version, done=before["done_at"] is not None)
    _edit_back(ctx, task, {name: value for name, value in before.items() if name not in ("done_at", "team_id")})


audit.register_reverter("task", revert_task)
