"""The one-off passes of the hourly tick, done for one tenant made after they went through: an imported one.

Each one-off pass (``jobs.ONE_OFF``) gives what was written before a feature what its writes give now, walking every
tenant once; a tenant imported afterwards from an archive made before (its tasks off everyone's list, its merges'
chats with the contact merged away ...) is walked by none of them. The import calls ``run`` for it, before its tenant
item is written: every pass, from the tenant's start to its end, its own state left as it is (``tenants.only``).
Nothing personal is logged: counts only.
"""

from __future__ import annotations

import math

from chalicelib.housekeeping import jobs
from chalicelib.housekeeping import tenants as tenant_walk


def run(tenant_id: str, *, deadline: float = math.inf) -> dict[str, int]:
    """Give one tenant what every one-off pass gave the others; how much each kind of thing got (``ONE_OFF``'s
    counts: records, tasks, contacts, jobs, merges, tickets)."""
    counts: dict[str, int] = {}
    with tenant_walk.only(tenant_id):
        for _, counted, one_off in jobs.ONE_OFF:
            counts[counted] = counts.get(counted, 0) + one_off(deadline=deadline)
    return counts
