"""The times the server writes into words (a missed call's task, a call's ticket, the deletion notice) read as the
company's people say them, on the company's clock: they read '2026-12-07 03:36' or '... UTC' beside the app's own
'7 December 2026'. Around midnight the company's day is not UTC's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.core import permissions, tenancy
from chalicelib.identity import moments
from tests.factories import Company, signup
from tests.support import ApiClient

CASES = [
    # a Moscow salon: 21:30 UTC is already tomorrow there
    ("RU", "ru", "Europe/Moscow", datetime(2026, 12, 6, 21, 30, tzinfo=UTC), ("7 декабря 2026", "00:30")),
    # a London shop on the year's last minute, and in summer time, when 23:30 UTC is past midnight there
    ("GB", "en", "Europe/London", datetime(2026, 12, 31, 23, 59, tzinfo=UTC), ("31 December 2026", "23:59")),
    ("GB", "en", "Europe/London", datetime(2026, 7, 1, 23, 30, tzinfo=UTC), ("2 July 2026", "00:30")),
    # a New York plumber: 03:36 UTC is the evening before, month first and on a 12-hour clock
    ("US", "en", "America/New_York", datetime(2026, 12, 7, 3, 36, tzinfo=UTC), ("December 6, 2026", "10:36 PM")),
    ("US", "en", "America/New_York", datetime(2026, 12, 7, 17, 5, tzinfo=UTC), ("December 7, 2026", "12:05 PM")),
]


def owner_context(company: Company) -> tenancy.TenantContext:
    return tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, actor_kind="user",
                                 role="owner", permissions=permissions.BUILTIN_ROLES["owner"].permissions)


@pytest.mark.parametrize("country,locale,zone,moment,said", CASES)
def test_a_moment_reads_on_the_company_s_clock_in_its_words(client: ApiClient, country: str, locale: str, zone: str,
                                                            moment: datetime, said: tuple[str, str]) -> None:
    company = signup(client, company=f"Clock {country}", country=country, locale=locale, timezone=zone)
    ctx = owner_context(company)
    with tenancy.bind(ctx):
        assert moments.day_and_time(ctx, moment) == said
        assert moments.when(ctx, moment) == f"{said[0]}, {said[1]}"
        assert moments.when(ctx, moment.replace(tzinfo=None)) == f"{said[0]}, {said[1]}"  # a naive moment is UTC
