"""The chats of contacts merged away before chats followed a merge: moved to the contact kept, once, from the tick.

A merge now points the absorbed contact's conversations at the survivor once it is visible
(``contacts.merge.follow``: ``records.catalog.MERGE_FOLLOWERS``), so the kept card lists the chats and a rule's
message to the contact (an appointment's reminder) reaches them; a merge made before left them naming the contact
merged away, so the reminder failed with "no conversation on that channel" and the customer's next message went on
under the trashed contact. The pass walks the tenants (``tenants.walk``), each tenant's merge records
(``T#<tid>#MERGE``, oldest first, 25 a Query filtered to the done ones: an undone merge's chats stay with the
contact restored, as its undo leaves them), and follows each as a merge does now; a chain of merges (B into A, then
A into C) takes B's chats to C in that order. Following is idempotent (a chat naming another contact by now is
left). Where it stands is ``models.TenantPass`` at ``STATE_PK``; once through, a tick reads it and nothing more.
Nothing personal is logged.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import merge
from chalicelib.contacts.models import MergeRecord
from chalicelib.core import tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping import tenants as tenant_walk

STATE_PK = tenancy.global_key("housekeeping", "merged-chats")
MERGE_PAGE = 25  # each may move a few chats, a transaction each
NAMES = ["pk", "sk", "merge_id", "contact_id", "other_id"]  # not the snapshots: the merge's keys and its two contacts


def _follow(ctx: TenantContext, name: str, records: list[Any]) -> int:
    followed = 0
    for record in records:
        if isinstance(record, MergeRecord):
            merge.follow(ctx, record)
            followed += 1
    return followed


def _page(ctx: TenantContext, name: str, after: str | None) -> tenant_walk.Page:
    return tenant_walk.partition_page(MergeRecord, merge.merges_pk(ctx), after, limit=MERGE_PAGE,
                                      filter_condition=MergeRecord.status == "done", attributes_to_get=NAMES)


def run(*, deadline: float) -> int:
    """Follow every tenant's merges made before their chats followed them, tenant by tenant until the deadline; how
    many merges were followed (an outage: what moved stays moved, the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, ["MERGE"], deadline=deadline, paused="merged chats pass paused",
                               page=_page, work=_follow)
