"""Automation rules, their runs, and the round-robin counter of their assignments.

- Automation: pk ``T#<tid>#AUTOMATION``, sk ``<rule id>``: a tenant's rules are one Query (the feed reads them
  for each event of a tenant that has any). Audited (entity ``automation``).
- AutomationRun: pk ``T#<tid>#AUTORUN``, sk ``<rule id>#<run id>``: one run of a rule for one event, its id
  derived from the rule and the event (created only if absent: a redelivered event runs nothing twice), what it
  acts on (its subject; and the task, for ``task.due_soon``, whose subject is the task's contact), with
  each action's outcome and attempts (the run log and the webhooks' delivery log), and which of its messages to
  a customer have begun to go out (``begun``: each goes out at most once, a crash or not). Kept 90 days.
- RoundRobin: ``T#<tid>#AUTORR`` / ``<rule id>``: the count of assignments a rule made, for round-robin.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.db import MainTable, VersionedItem


class Automation(VersionedItem, discriminator="automation"):
    """A rule: when its trigger happens and its conditions hold, its actions run as the rule."""

    rule_id = UnicodeAttribute()
    name = UnicodeAttribute()
    enabled = BooleanAttribute(default=True)
    trigger = JSONAttribute()
    conditions = JSONAttribute(default=list)
    actions = JSONAttribute(default=list)
    webhook_secret = UnicodeAttribute(null=True)  # sealed (core.crypto); signs the rule's webhook calls
    created_by = UnicodeAttribute()


class AutomationRun(MainTable, discriminator="automation_run"):
    """One run of a rule for one event: what it acted on and what each action did."""

    run_id = UnicodeAttribute()
    rule_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    trigger_type = UnicodeAttribute()
    subject_type = UnicodeAttribute(null=True)
    subject_id = UnicodeAttribute(null=True)
    task_id = UnicodeAttribute(null=True)  # the task a task's trigger fired for, when its contact is the subject
    depth = NumberAttribute(default=0)
    status = UnicodeAttribute(default="running")  # running | done | failed | retrying
    steps = JSONAttribute(default=list)  # [{"type", "status", "attempts", "detail", "code", "params"}]
    begun = UnicodeSetAttribute(null=True)  # the steps (index) whose message to a customer has begun to go out
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class RoundRobin(MainTable, discriminator="automation_round_robin"):
    """How many assignments a rule has made (the next one goes to the next user of its list)."""

    made = NumberAttribute(default=0)
