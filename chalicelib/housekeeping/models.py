"""Progress of the scheduled housekeeping: ``HousekeepingState`` (``G#housekeeping#trash`` / ``STATE``),
the first due day not yet cleared (the trash's due items are the engine's: ``records.models.TrashDue``)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.core.db import MainTable


class HousekeepingState(MainTable, discriminator="housekeeping_state"):
    """Progress of a housekeeping job across runs."""

    next_day = UnicodeAttribute()  # the first due day whose bucket has not been cleared
