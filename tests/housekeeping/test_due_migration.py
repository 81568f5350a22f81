"""Work scheduled before the due timers: an inbox event waiting on the old retry index (gsi2 ``G#inbox-due#0``)
gets a timer from the housekeeping tick, is processed once when due, and leaves the old index."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db, tenancy
from chalicelib.core.config import settings
from chalicelib.due import service as due
from chalicelib.housekeeping import migration
from chalicelib.housekeeping.models import DueMigration
from chalicelib.inbox import jobs, pipeline, queue
from chalicelib.inbox.models import InboxEvent, events_pk
from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient


def test_an_event_on_the_old_retry_index_gets_a_timer_and_is_processed_once(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Old retry index")
    monkeypatch.setattr(queue, "settings", dataclasses.replace(  # the message is lost: the event waits
        settings, jobs_queue_url=f"https://sqs.{settings.region}.amazonaws.com/123456789012/no-such-queue"))
    form = create_form(client, company)
    assert post_form(client, form, {"name": "Waiting Lead", "phone": "+12025550177"}).status_code == 200
    [event] = events(client, company, form)
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    ref = f"{form['id']}.{event['id']}"
    with tenancy.bind(ctx):  # as the old code left it: on the old index, no timer
        due.cancel(ctx, kind=pipeline.RETRY_KIND, ref=ref)
        stored = InboxEvent.get(events_pk(ctx, form["id"]), event["id"])
        assert stored.next_attempt_at is not None
        stored.gsi2pk = pipeline.DUE_PARTITION
        stored.gsi2sk = f"{stored.next_attempt_at.isoformat()}#{company.tenant_id}#{form['id']}#{event['id']}"
        db.put(ctx, stored)
    ours: Any = lambda *args: [t for t in real_due_in(*args) if company.tenant_id in t.pk]  # noqa: E731
    real_due_in = due.due_in
    monkeypatch.setattr(due, "due_in", ours)
    later = db.utcnow() + pipeline.QUEUE_GRACE + timedelta(seconds=1)
    assert jobs.retry_due(now=later) == {}  # no timer: the due run cannot see it yet
    real_old = migration._old_retries
    monkeypatch.setattr(migration, "_old_retries", lambda limit: [w for w in real_old(limit)
                                                                  if w[0] == company.tenant_id])
    DueMigration(migration.STATE_PK, migration.STATE_SK, trash_done=True, inbox_done=False).save()

    assert migration.run() == {"trash": 0, "inbox": 1, "calls": 0}
    assert migration.run() == {"trash": 0, "inbox": 0, "calls": 0}  # its timer stands: not made twice
    assert jobs.retry_due(now=later) == {"processed": 1}
    [done] = events(client, company, form)
    assert done["status"] == "processed"
    with tenancy.bind(ctx):
        assert InboxEvent.get(events_pk(ctx, form["id"]), event["id"]).gsi2pk is None  # off the old index
    migration.run()
    assert DueMigration.get(migration.STATE_PK, migration.STATE_SK).inbox_done
    assert jobs.retry_due(now=later + timedelta(hours=1)) == {}
