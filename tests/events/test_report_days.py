"""Report days are the company's days (#19): counters are kept by the date of the event on the company's clock,
and a report's period (its default "today" too) reads those days. A company in Asia/Vladivostok (UTC+10) and one
in America/Los_Angeles (UTC-7 in June) each get a lead just after their midnight and just before it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.events.conftest import Feed
from tests.factories import Company, signup
from tests.support import ApiClient, body


@contextmanager
def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> Iterator[None]:
    """The clock of the writes, of their audit records (the feed's events) and of the reports at moment."""
    with monkeypatch.context() as patch:
        patch.setattr("chalicelib.core.db.utcnow", lambda: moment)
        patch.setattr("chalicelib.core.audit.utcnow", lambda: moment)
        yield


def _lead(client: ApiClient, company: Company, name: str) -> None:
    made = client.post("/api/v1/contacts", {"first_name": name, "source": "form:Site"}, token=company.owner.token)
    assert made.status_code == 201, made.body


def _leads(client: ApiClient, company: Company, day: str) -> int:
    report = body(client.get(f"/api/v1/reports/sources?from={day}&to={day}", token=company.owner.token))
    return sum(row["leads"] for row in report["items"])


@pytest.mark.parametrize(("zone", "after_midnight", "before_midnight"), [
    # Vladivostok: 00:30 on the 11th is 14:30 UTC on the 10th; 23:30 on the 11th is 13:30 UTC on the 11th
    ("Asia/Vladivostok", datetime(2031, 6, 10, 14, 30, tzinfo=UTC), datetime(2031, 6, 11, 13, 30, tzinfo=UTC)),
    # Los Angeles (PDT): 00:30 on the 11th is 07:30 UTC on the 11th; 23:30 on the 11th is 06:30 UTC on the 12th
    ("America/Los_Angeles", datetime(2031, 6, 11, 7, 30, tzinfo=UTC), datetime(2031, 6, 12, 6, 30, tzinfo=UTC)),
])
def test_a_lead_counts_on_the_companys_day_and_today_is_the_companys(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch, zone: str, after_midnight: datetime,
        before_midnight: datetime) -> None:
    company = signup(client, company=f"Days {zone}", timezone=zone)
    for moment, name in ((after_midnight, "Early"), (before_midnight, "Late")):
        with at(monkeypatch, moment):
            _lead(client, company, name)
    assert feed.deliver() == {"batchItemFailures": []}
    assert (_leads(client, company, "2031-06-10"), _leads(client, company, "2031-06-11"),
            _leads(client, company, "2031-06-12")) == (0, 2, 0)  # both on the 11th, the company's day
    with at(monkeypatch, after_midnight):  # the company's today is the 11th already (or still)
        today: dict[str, Any] = body(client.get("/api/v1/reports/sources", token=company.owner.token))
    assert today["to"] == "2031-06-11" and sum(row["leads"] for row in today["items"]) == 2
