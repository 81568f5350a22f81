"""Items of the scheduled housekeeping: when a trashed record falls due for purging, and how far the job got.

- ``TrashDue`` lives in the trashed record's own collection (``T#<tid>#C#<id>`` / ``#TRASHDUE``), so
  the tenant's export and purge reach it with the record and purging the collection removes it; its
  gsi1 key ``G#trashdue#<yyyy-mm-dd>`` / ``<tid>#<entity>#<id>`` is the global day-bucketed feed the
  job reads for every day up to today: one Query per day for every tenant, never a Scan.
- ``HousekeepingState`` (``G#housekeeping#trash`` / ``STATE``): the first day not yet cleared.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.core.db import MainTable


class TrashDue(MainTable, discriminator="trash_due"):
    """A record in the trash and the day it may be purged (its deletion + 30 days)."""

    entity = UnicodeAttribute()  # contact | company | deal
    record_id = UnicodeAttribute()
    due_on = UnicodeAttribute()  # yyyy-mm-dd (UTC)


class HousekeepingState(MainTable, discriminator="housekeeping_state"):
    """Progress of a housekeeping job across runs."""

    next_day = UnicodeAttribute()  # the first due day whose bucket has not been cleared
