"""Everyone's tasks in one partition, for the tasks written before it: once, from the hourly tick.

A task's write puts it on gsi2 ``T#<tid>#TASKS#DUE`` beside its assignee's partition (``tasks.models``), so a
dispatcher lists all her technicians' tasks for today in one Query; a task written before has only its assignee's.
The pass walks the tenants (the tenants' index a page at a time, like ``migration.arm_calls``), each user's tasks
(their gsi1 partition, every status, a page at a time: one Query, never a Scan) and gives a task without the keys
its keys, only while the task is at the version read (a write meanwhile gave them). Where it stands is saved after
each tenant (``models.TaskIndexPass``); redoing a tenant a run left halfway sets nothing twice. Once through, a tick
reads its state and nothing more. Nothing personal is logged: counts only.
"""

from __future__ import annotations

import time

from chalicelib.core import db, errors, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.housekeeping.models import TaskIndexPass
from chalicelib.identity.models import User
from chalicelib.identity.service import users_pk
from chalicelib.tasks.models import Task, assignee_pk, assignee_sk, due_pk

STATE_PK = tenancy.global_key("housekeeping", "task-index")
TASK_PAGE = 100


def _index(ctx: TenantContext, task: Task) -> bool:
    """Give one task its keys unless it changed since it was read; True when they were written."""
    try:
        with db.translate_errors():
            # the connection's UpdateItem: the model's would count a version, and the task has not changed
            Task._get_connection().update_item(task.pk, task.sk, actions=[Task.gsi2pk.set(due_pk(ctx)),
                                                                          Task.gsi2sk.set(assignee_sk(task))],
                                               condition=Task.version == task.version)
    except errors.VersionConflictError:  # changed or deleted meanwhile: its own write decided
        return False
    return True


def _tenant(ctx: TenantContext, *, deadline: float) -> tuple[int, bool]:
    """Index one tenant's tasks; (tasks indexed, whether it is through)."""
    indexed = 0
    with db.translate_errors():
        users = [user for user in User.query(users_pk(ctx)) if isinstance(user, User)]
    for user in users:
        after = None
        while True:
            if time.monotonic() >= deadline:
                return indexed, False
            with db.translate_errors():
                page = Task.gsi1.query(assignee_pk(ctx, str(user.user_id)), limit=TASK_PAGE,
                                       last_evaluated_key=after)
                tasks = [task for task in page if isinstance(task, Task)]
                after = page.last_evaluated_key
            indexed += sum(_index(ctx, task) for task in tasks if not task.gsi2pk)
            if after is None:
                break
    return indexed, True


def run(*, deadline: float) -> int:
    """Give every tenant's tasks written before their place in everyone's partition, tenant by tenant until the
    deadline; how many tasks were given it."""
    return tenant_walk.walk(TaskIndexPass, STATE_PK, deadline=deadline, paused="task index pass paused",
                            each=lambda ctx, state: _tenant(ctx, deadline=deadline))
