"""Calls left ringing or in progress before their due timers existed get one from the hourly housekeeping tick,
tenant by tenant, once; the due run then closes them as it closes any call whose end never came.

The due run is driven with a clock moved past the call's window (``due.run_due(now=...)``), never by sleeping."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import db, errors, tenancy
from chalicelib.due import service as due
from chalicelib.housekeeping import migration
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.housekeeping.models import DueMigration, UnendedCallsPass
from chalicelib.telephony import unended
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

CUSTOMER = "+79161234567"


def _ctx(company: Company) -> tenancy.TenantContext:
    return tenancy.TenantContext(tenant_id=company.tenant_id, actor_id="housekeeping", actor_kind="system",
                                 role="system", source="job")


def _timer(company: Company, call_id: str) -> Any:
    ctx = _ctx(company)
    with tenancy.bind(ctx):
        return due.get_timer(ctx, kind=unended.KIND, ref=call_id)


def _call_before_timers(client: ApiClient, company: Company, *, answered: bool) -> dict[str, Any]:
    """A call still ringing (or in progress) whose timer is gone: as the code before the timers left it."""
    pbx = create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})
    requests = pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                call=Call(customer=CUSTOMER, talk_seconds=60))
    assert [a.status_code for a in play(client, pbx, requests[:3] if answered else requests[:2])] == [200] * (
        3 if answered else 2)
    [call] = calls(client, company)
    ctx = _ctx(company)
    with tenancy.bind(ctx):
        due.cancel(ctx, kind=unended.KIND, ref=call["id"])
    assert _timer(company, call["id"]) is None
    return dict(call)


def _from(company: Company) -> None:
    """Start the pass at this company in the tenants' index (tenants made by the worker's earlier tests are the
    pass's too, but not this test's to count)."""
    tenant = helpers.tenant(company)
    UnendedCallsPass(migration.CALLS_PK, migration.STATE_SK, after=str(tenant.gsi1sk)[:-1], done=False).save()


def _run(after: timedelta, *companies: Company, start: datetime | None = None) -> dict[str, int]:
    tenants, real = {company.tenant_id for company in companies}, due.due_in
    outcomes: dict[str, int] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(due, "due_in", lambda *args: [t for t in real(*args) if t.pk.split("#")[1] in tenants])
        due.run_due(now=(start or db.utcnow()) + after, kinds=frozenset({unended.KIND}), outcomes=outcomes)
    return outcomes


def test_calls_left_without_an_end_before_the_timers_get_one_once_and_are_closed(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    ringing_co = signup(client, company="Old Ringing", country="RU", locale="ru")
    talking_co = signup(client, company="Old Talking", country="RU", locale="ru")
    fresh_co = signup(client, company="New Ringing", country="RU", locale="ru")
    ringing = _call_before_timers(client, ringing_co, answered=False)
    talking = _call_before_timers(client, talking_co, answered=True)
    pbx = create_telephony(client, fresh_co, "pbx", extensions={"101": fresh_co.owner.user_id})
    play(client, pbx, pbx_sim.requests("missed", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                       call=Call(customer=CUSTOMER))[:2])
    [fresh] = calls(client, fresh_co)
    own_timer = _timer(fresh_co, fresh["id"])
    assert own_timer is not None  # recorded since the timers exist: it has its own
    assert _run(timedelta(hours=5), ringing_co, talking_co) == {}  # the due run cannot see the old calls

    DueMigration(migration.STATE_PK, migration.STATE_SK, trash_done=True, inbox_done=True).save()
    _from(ringing_co)
    monkeypatch.setattr(tenant_walk, "PAGE", 1)  # a page a tenant: the pass saves where it stands after each
    real = unended.arm_unarmed
    failures = {"left": 1}

    def outage_once(ctx: tenancy.TenantContext, **kwargs: Any) -> int:
        if ctx.tenant_id == talking_co.tenant_id and failures["left"]:
            failures["left"] -= 1
            raise errors.ServiceUnavailableError()  # throttled inside the second tenant
        return real(ctx, **kwargs)

    monkeypatch.setattr(unended, "arm_unarmed", outage_once)
    assert migration.run() == {"trash": 0, "inbox": 0, "calls": 1}  # the first tenant's call, then the outage
    state = UnendedCallsPass.get(migration.CALLS_PK, migration.STATE_SK)
    assert not state.done and state.after and ringing_co.tenant_id in state.after  # resumes after the first tenant
    assert migration.run() == {"trash": 0, "inbox": 0, "calls": 1}  # the second tenant's call; the third has its own
    assert UnendedCallsPass.get(migration.CALLS_PK, migration.STATE_SK).done
    assert migration.run() == {"trash": 0, "inbox": 0, "calls": 0}  # through: a tick reads its state, nothing more
    timer = _timer(fresh_co, fresh["id"])
    assert (timer.due_at, timer.attempts) == (own_timer.due_at, own_timer.attempts)  # its own timer stands

    _from(ringing_co)  # the pass redone from the start (a lost state): nothing is set twice
    assert migration.arm_calls(deadline=time.monotonic() + 60) == 0

    assert _run(timedelta(minutes=11), ringing_co, talking_co) == {"closed": 1}  # silent long ago: closed at once
    closed = body(client.get(f"/api/v1/calls/{ringing['id']}", token=ringing_co.owner.token))
    assert (closed["status"], closed["end_reason"]) == ("missed", "no_end_reported")
    assert closed["callback"]["task_id"]  # a missed call's call-back task, as its timer makes one
    still = body(client.get(f"/api/v1/calls/{talking['id']}", token=talking_co.owner.token))
    assert still["status"] == "in_progress"  # answered: 4 hours after its last event
    assert _run(timedelta(hours=4, minutes=1), ringing_co, talking_co) == {"closed": 1}
    ended = body(client.get(f"/api/v1/calls/{talking['id']}", token=talking_co.owner.token))
    assert (ended["status"], ended["end_reason"], ended["duration_seconds"]) == ("answered", "no_end_reported", None)
    assert [c["status"] for c in calls(client, fresh_co)] == ["ringing"]  # another company's call: untouched
