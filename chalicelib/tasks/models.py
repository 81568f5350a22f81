"""Task items: a call, meeting, e-mail or to-do assigned to a user, maybe about a contact, company or deal.

- Task: pk ``T#<tid>#TASK#<task id>``, sk ``#TASK``; gsi1 ``T#<tid>#TASKS#ASSIGNEE#<user>`` /
  ``<A|D>#<due stamp>#<task id>``: a user's open ("A"ctive) tasks first, by due date (undated ones
  last, ``~``), then the "D"one ones, so "today", "overdue" and "upcoming" are each one range of one
  Query (``A`` rather than ``O`` for open: it must sort before ``D``).
- gsi2 ``T#<tid>#TASKS#DUE`` / the same sort key: everyone's tasks in one partition, so a dispatcher's "today" of
  all her technicians is one Query too (a task written before has it from ``housekeeping.task_index``).
- Its link ``TASK#<task id>`` sits in the related record's collection (see ``deals.links``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key

TASK_SK = "#TASK"
UNDATED = "~"  # sorts after every stamp: tasks without a due date come last
OPEN, DONE = "A", "D"  # open tasks sort before done ones


class Task(VersionedItem, discriminator="task"):
    """Something a user has to do, by a time, maybe about a contact, company or deal."""

    personal = frozenset({"title", "description", "location"})

    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    task_kind = UnicodeAttribute()  # call | meeting | email | todo
    due_at = UTCDateTimeAttribute(null=True)
    assignee_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    related_type = UnicodeAttribute(null=True)  # contact | company | deal
    related_id = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    location = UnicodeAttribute(null=True)  # where: a showing's or a meeting's address, opened in a map
    done_at = UTCDateTimeAttribute(null=True)
    done_by = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()


def stamp(moment: datetime) -> str:
    """A fixed-width UTC stamp that sorts as text in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def task_pk(ctx: TenantContext, task_id: str) -> str:
    """Partition of one task."""
    return tenant_key(ctx, "TASK", task_id)


def assignee_pk(ctx: TenantContext, user_id: str) -> str:
    """gsi1 partition of one user's tasks."""
    return tenant_key(ctx, "TASKS", "ASSIGNEE", user_id)


def due_pk(ctx: TenantContext) -> str:
    """gsi2 partition of every user's tasks."""
    return tenant_key(ctx, "TASKS", "DUE")


def assignee_sk(task: Task) -> str:
    """gsi1 sort key: open or done, then due date, then id."""
    due = stamp(task.due_at) if task.due_at is not None else UNDATED
    return f"{DONE if task.done_at is not None else OPEN}#{due}#{task.task_id}"
