""""Birthday this month" is the company's month, on its clock (#24): a company in Vladivostok (UTC+10) has March's
birthdays from its own first of March, hours before UTC's, and its daily refresh runs just after its midnight."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.events.conftest import Feed
from tests.factories import signup
from tests.support import ApiClient, body

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


def test_birthday_this_month_follows_the_companys_month(client: ApiClient, feed: Feed,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Far East florist", timezone="Asia/Vladivostok")
    owner = company.owner.token
    made = client.post("/api/v1/contacts", {"first_name": "March", "birthday": "1990-03-15"}, token=owner)
    assert made.status_code == 201, made.body
    feed.deliver()
    draft = {"conditions": [{"type": "birthday_this_month"}]}
    # 23:00 on 28 February in Vladivostok (13:00 UTC): still February there
    monkeypatch.setattr(db, "utcnow", lambda: datetime(2026, 2, 28, 13, 0, tzinfo=UTC))
    assert body(client.post("/api/v1/segments/preview", draft, token=owner))["count"] == 0
    segment = body(client.post("/api/v1/segments", {"name": "March birthdays", **draft}, token=owner))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment["id"])
    assert int(body(client.get(f"/api/v1/segments/{segment['id']}", token=owner))["members"]) == 0
    # 01:00 on 1 March in Vladivostok, still 28 February in UTC (15:00): March there
    march = datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    monkeypatch.setattr(db, "utcnow", lambda: march)
    assert body(client.post("/api/v1/segments/preview", draft, token=owner))["count"] == 1
    with bind(ctx):
        assert jobs.refresh(ctx, now=march) == 1
    assert int(body(client.get(f"/api/v1/segments/{segment['id']}", token=owner))["members"]) == 1


def test_the_daily_refresh_runs_just_after_the_companys_midnight() -> None:
    now = datetime(2026, 2, 28, 13, 0, tzinfo=UTC)  # 23:00 in Vladivostok
    assert jobs.next_refresh(now, VLADIVOSTOK) == datetime(2026, 2, 28, 14, 5, tzinfo=UTC)  # 00:05 on 1 March there
    assert jobs.next_refresh(now) == datetime(2026, 3, 1, 0, 5, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")  # clocks go forward on 8 March: 00:05 is 05:05 UTC, then 04:05
    assert jobs.next_refresh(datetime(2026, 3, 8, 6, 0, tzinfo=UTC), new_york) == datetime(2026, 3, 9, 4, 5, tzinfo=UTC)
