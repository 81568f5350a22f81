"""SLA targets are counted in business hours on the company's clock (#24): fixed clocks, no waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from chalicelib.tickets.hours import BusinessHours, add_business_minutes, business_seconds_between

MOSCOW, NEW_YORK = ZoneInfo("Europe/Moscow"), ZoneInfo("America/New_York")


def hours(zone: ZoneInfo, **extra: object) -> BusinessHours:
    return BusinessHours(zone=zone, opens=time(9), closes=time(18), **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", [MOSCOW, NEW_YORK], ids=["moscow", "new_york"])
def test_friday_half_past_five_plus_two_hours_is_monday_half_past_ten(zone: ZoneInfo) -> None:
    opened = datetime(2026, 2, 13, 17, 30, tzinfo=zone)  # a Friday
    due = add_business_minutes(opened, 120, hours(zone))
    assert due.astimezone(zone) == datetime(2026, 2, 16, 10, 30, tzinfo=zone)
    assert business_seconds_between(opened, due, hours(zone)) == 7200


def test_across_new_yorks_dst_change_the_wall_clock_is_kept() -> None:
    """Clocks in New York go forward on Sunday 8 March 2026: Monday 10:30 is an hour fewer after Friday 17:30
    in real time, and the target still lands on 10:30 local."""
    opened = datetime(2026, 3, 6, 17, 30, tzinfo=NEW_YORK)
    due = add_business_minutes(opened, 120, hours(NEW_YORK))
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 9, 10, 30)
    assert due == datetime(2026, 3, 9, 14, 30, tzinfo=UTC)  # EDT, UTC-4 (it was UTC-5 on Friday)
    assert (due - opened).total_seconds() == 64 * 3600  # 65 h on the wall clock, 64 h in real time


def test_the_same_moment_in_moscow_and_new_york_gives_different_dues() -> None:
    opened = datetime(2026, 3, 6, 14, 30, tzinfo=UTC)  # 17:30 in Moscow, 09:30 in New York
    in_moscow = add_business_minutes(opened, 120, hours(MOSCOW))
    in_new_york = add_business_minutes(opened, 120, hours(NEW_YORK))
    assert in_moscow == datetime(2026, 3, 9, 10, 30, tzinfo=MOSCOW)
    assert in_new_york == datetime(2026, 3, 6, 11, 30, tzinfo=NEW_YORK)


def test_holidays_and_days_off_are_skipped_and_a_night_start_waits_for_opening() -> None:
    calendar = hours(MOSCOW, holidays=frozenset({date(2026, 2, 16)}), days=frozenset({0, 1, 2, 3, 4}))
    opened = datetime(2026, 2, 13, 23, 0, tzinfo=MOSCOW)  # Friday night
    assert add_business_minutes(opened, 60, calendar) == datetime(2026, 2, 17, 10, 0, tzinfo=MOSCOW)
    assert add_business_minutes(opened, 0, calendar) == datetime(2026, 2, 17, 9, 0, tzinfo=MOSCOW)
