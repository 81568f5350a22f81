"""The dashboard's task tiles: open tasks due on the company's today, and overdue ones, of whom the caller sees.

Overdue means what the Tasks screen marks red: an open task whose due time has passed, today's included (a 9:00
call-back at noon is overdue). The managers report's "Tasks overdue" counts the same moment (its overdue timer fires
at the due time, ``reports.counters.count_overdue``), as the tasks that became overdue in its period. Today: the open
tasks due on the company's today (the Tasks screen's Today list), so a task due this morning and not done is in both.

Whose: a role that reads only its own tasks counts its own (its gsi1 partition); one that reads the team's or
everyone's counts what it may read, from everyone's partition (tasks' gsi2 ``T#<tid>#TASKS#DUE``), open tasks
first by due time. Either way one Query, from the first open task to the end of today, its pages read to the end.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.tasks import service as tasks_service
from chalicelib.tasks.models import OPEN, Task, assignee_pk, due_pk, stamp

Whose = Literal["own", "team", "all"]


class TaskCounts(BaseModel):
    whose: Whose = Field(description="own: the caller's tasks; team: her team's; all: everyone's")
    today: int = Field(description="Open tasks due on the company's today (the Tasks screen's Today list)")
    overdue: int = Field(description="Open tasks whose due time has passed, today's included")


def task_counts(ctx: TenantContext) -> TaskCounts:
    """Open tasks due today and overdue ones, of the caller (own scope) or of all she may read (team, all)."""
    scope = permissions.require(ctx, "tasks", "read")
    whose: Whose = "own" if scope == "own" else ("team" if scope == "team" else "all")
    day, now = tasks_service.company_day(ctx), db.utcnow()
    everyone = whose != "own"
    sk = Task.gsi2sk if everyone else Task.gsi1sk
    condition = sk.between(f"{OPEN}#", f"{OPEN}#{stamp(day.end)}")  # open, due by the end of today
    today = overdue = 0
    with db.translate_errors():
        found = (Task.gsi2 if everyone else Task.gsi1).query(
            due_pk(ctx) if everyone else assignee_pk(ctx, ctx.actor_id), range_key_condition=condition)
        for task in found:
            if not isinstance(task, Task) or task.due_at is None or task.done_at is not None:
                continue
            if everyone and not permissions.may_touch(ctx, scope, owner_id=task.assignee_id, team_id=task.team_id):
                continue
            overdue += task.due_at < now
            today += day.start <= task.due_at < day.end
    return TaskCounts(whose=whose, today=today, overdue=overdue)
