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


def night_shift(zone: ZoneInfo, days: frozenset[int] = frozenset(range(5))) -> BusinessHours:
    return BusinessHours(zone=zone, opens=time(22), closes=time(6), days=days)


def test_a_night_shift_runs_past_midnight_and_belongs_to_the_day_it_opens() -> None:
    shift = night_shift(MOSCOW)  # Monday to Friday nights, 22:00-06:00
    tuesday_2am = datetime(2026, 2, 17, 2, 0, tzinfo=MOSCOW)  # inside Monday's shift
    assert add_business_minutes(tuesday_2am, 60, shift) == datetime(2026, 2, 17, 3, 0, tzinfo=MOSCOW)
    half_past_five = datetime(2026, 2, 17, 5, 30, tzinfo=MOSCOW)  # 30 minutes left of it, then Tuesday's shift
    assert add_business_minutes(half_past_five, 60, shift) == datetime(2026, 2, 17, 22, 30, tzinfo=MOSCOW)
    saturday_3am = datetime(2026, 2, 21, 3, 0, tzinfo=MOSCOW)  # Friday's shift still runs on Saturday morning
    assert add_business_minutes(saturday_3am, 60, shift) == datetime(2026, 2, 21, 4, 0, tzinfo=MOSCOW)
    saturday_7am = datetime(2026, 2, 21, 7, 0, tzinfo=MOSCOW)  # no shift opens on Saturday or Sunday
    assert add_business_minutes(saturday_7am, 60, shift) == datetime(2026, 2, 23, 23, 0, tzinfo=MOSCOW)
    assert business_seconds_between(datetime(2026, 2, 20, 12, 0, tzinfo=MOSCOW),
                                     datetime(2026, 2, 23, 23, 0, tzinfo=MOSCOW), shift) == 9 * 3600


def test_a_night_shift_across_dst_changes_counts_real_time() -> None:
    every_night = night_shift(NEW_YORK, frozenset(range(7)))
    spring = datetime(2026, 3, 7, 22, 0, tzinfo=NEW_YORK)  # clocks go forward at 02:00 on Sunday 8 March
    assert business_seconds_between(spring, datetime(2026, 3, 8, 6, 0, tzinfo=NEW_YORK), every_night) == 7 * 3600
    due = add_business_minutes(spring, 8 * 60, every_night)  # 7 real hours that night, the last one the next
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 8, 23, 0)
    autumn = datetime(2026, 10, 31, 22, 0, tzinfo=NEW_YORK)  # clocks go back at 02:00 on Sunday 1 November
    assert business_seconds_between(autumn, datetime(2026, 11, 1, 6, 0, tzinfo=NEW_YORK), every_night) == 9 * 3600
    due = add_business_minutes(autumn, 9 * 60, every_night)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 11, 1, 6, 0)


def test_the_same_opening_and_closing_is_round_the_clock() -> None:
    always = BusinessHours(zone=NEW_YORK, opens=time(0), closes=time(0), days=frozenset(range(5)))
    friday_11pm = datetime(2026, 3, 6, 23, 0, tzinfo=NEW_YORK)
    assert add_business_minutes(friday_11pm, 120, always) == datetime(2026, 3, 9, 1, 0, tzinfo=NEW_YORK)
    every_day = BusinessHours(zone=NEW_YORK, opens=time(0), closes=time(0), days=frozenset(range(7)))
    sunday = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)  # 23 real hours on the day clocks go forward
    assert business_seconds_between(sunday, datetime(2026, 3, 9, 0, 0, tzinfo=NEW_YORK), every_day) == 23 * 3600
    assert add_business_minutes(sunday, 24 * 60, every_day) == datetime(2026, 3, 9, 1, 0, tzinfo=NEW_YORK)
