"""Progress of the scheduled housekeeping: ``HousekeepingState`` (``G#housekeeping#trash`` / ``STATE``),
the first due day not yet cleared (the trash's due items are the engine's: ``records.models.TrashDue``), and
``RetentionPass``, where the day's audit retention stands."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from chalicelib.core.db import MainTable


class HousekeepingState(MainTable, discriminator="housekeeping_state"):
    """Progress of a housekeeping job across runs."""

    next_day = UnicodeAttribute()  # the first due day whose bucket has not been cleared


class RetentionPass(MainTable, discriminator="audit_retention_pass"):
    """The day's pass of audit retention over every tenant (``G#housekeeping#audit-retention`` / ``STATE``):
    the day it is for, the tenants' index key of the last tenant finished, and whether the pass is complete."""

    day = UnicodeAttribute()
    after = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)


class DueMigration(MainTable, discriminator="due_migration"):
    """Moving the work scheduled before the due timers onto them (``G#housekeeping#due-migration`` / ``STATE``):
    the next day bucket of the old trash feed to read, and whether the trash and the inbox are through."""

    trash_day = UnicodeAttribute(null=True)
    trash_done = BooleanAttribute(default=False)
    inbox_done = BooleanAttribute(default=False)


class UnendedCallsPass(MainTable, discriminator="unended_calls_pass"):
    """Giving the calls left ringing or in progress before their due timers existed a timer
    (``G#housekeeping#unended-calls`` / ``STATE``): the tenants' index key of the last tenant finished, and whether
    the pass is through."""

    after = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)


class TaskIndexPass(MainTable, discriminator="task_index_pass"):
    """Giving the tasks written before everyone's tasks had a partition (``tasks.models`` gsi2) their keys
    (``G#housekeeping#task-index`` / ``STATE``): the tenants' index key of the last tenant finished, and whether
    the pass is through."""

    after = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)


class PhoneRowsPass(MainTable, discriminator="phone_rows_pass"):
    """Giving the contacts and companies written before a phone was found by a part of its number their phones'
    search rows (``G#housekeeping#phone-rows`` / ``STATE``): the tenants' index key of the last tenant finished,
    where the next tenant stands (``<type>#<record id>`` of the last record seen in it), and whether the pass is
    through."""

    after = UnicodeAttribute(null=True)
    position = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)


class TenantPass(MainTable, discriminator="tenant_pass"):
    """A one-off pass over every tenant's items (its own pk, ``G#housekeeping#<pass>`` / ``STATE``, e.g. the Telegram
    usernames' index, the jobs sealed, the merged contacts' chats): the tenants' index key of the last tenant
    finished, where the next tenant stands (``<partition>#<sort key>`` of the last page read in it) and whether the
    pass is through."""

    after = UnicodeAttribute(null=True)
    position = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)
