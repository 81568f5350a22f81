"""Reverting a task's audited change through the tasks service (``audit.register_reverter``).

A creation is reverted by deleting the task, a completion by reopening it (and the other way round),
an edit by writing the previous values through ``service.update``, and a deletion by creating the
task again under its id (tasks have no trash; the audit record kept every field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import audit, errors, permissions
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import service as identity_service
from chalicelib.records.reverting import expect, not_revertable
from chalicelib.tasks import schemas as s
from chalicelib.tasks import service
from chalicelib.tasks.models import Task

EDITS = {"title": "title", "task_kind": "kind", "due_at": "due_at", "assignee_id": "assignee_id",
         "description": "description", "location": "location"}


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
    permissions.require(ctx, "tasks", "create")  # before the assignee check, as for a new task
    related = ({"type": before["related_type"], "id": before["related_id"]}
               if before.get("related_type") and before.get("related_id") else None)
    data = validate(s.TaskCreate, {"title": before.get("title"), "kind": before.get("task_kind") or "todo",
                                   "due_at": before.get("due_at"), "assignee_id": before.get("assignee_id"),
                                   "description": before.get("description"), "location": before.get("location"),
                                   "related": related})
    assignee = identity_service.get_user(ctx, str(data.assignee_id or ctx.actor_id))
    if assignee is None or assignee.status != "active":  # 409 here: the service's 422 would blame the caller
        raise not_revertable("The task's assignee is no longer an active user.")
    done_at = datetime.fromisoformat(before["done_at"]) if before.get("done_at") else None
    service.create(ctx, data=data, task_id=task_id, done_at=done_at, event="restored")


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
