"""Business hours: when a target of N business minutes falls, on the company's clock (``zoneinfo``).

Arithmetic is done on UTC instants, never on wall-clock datetimes: Python subtracts two aware datetimes of the
same ``ZoneInfo`` as naive ones, which would count a DST change's hour wrongly. Each business day contributes the
real time between its opening and closing (converted from the wall clock of that day), so a target counted across
a DST change lands on the right wall-clock time afterwards.

Hours may cross midnight: a closing at or before the opening ends the shift on the next day (22:00-06:00, a night
shift), and a closing equal to the opening is a day of 24 hours (00:00-00:00 round the clock). A shift belongs to the
day it opens on: that day must be a working day and not a holiday, and a walk starts from the day before, whose
shift may still be running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3 * 366  # a calendar with almost no working days still ends the walk


@dataclass(frozen=True)
class BusinessHours:
    """Working days (Monday = 0), the hours of each, holidays, in one time zone."""

    zone: ZoneInfo
    days: frozenset[int] = frozenset(range(5))
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def overnight(self) -> bool:
        """True when a shift ends on the day after it opens (a night shift, or 24 hours)."""
        return self.closes <= self.opens

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of the shift opening on a day, as UTC instants, or None on a day off."""
        if day.weekday() not in self.days or day in self.holidays:
            return None
        start = datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC)
        closing_day = day + timedelta(days=1) if self.overnight else day
        end = datetime.combine(closing_day, self.closes, tzinfo=self.zone).astimezone(UTC)
        return (start, end) if end > start else None


def parse_time(text: str) -> time:
    """``HH:MM`` as a time."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def hours_of(*, zone: str, days: Iterable[int], opens: str, closes: str, holidays: Iterable[str]) -> BusinessHours:
    """Business hours from stored settings."""
    return BusinessHours(zone=ZoneInfo(zone), days=frozenset(int(d) for d in days), opens=parse_time(opens),
                         closes=parse_time(closes), holidays=frozenset(date.fromisoformat(d) for d in holidays))


def add_business_minutes(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """The UTC instant ``minutes`` of business time after ``start`` (a time outside hours starts at the next
    opening). With no working day within three years, the plain time after start."""
    return add_business_time(start, timedelta(minutes=minutes), hours)


def add_business_time(start: datetime, amount: timedelta, hours: BusinessHours) -> datetime:
    """The UTC instant ``amount`` of business time after ``start`` (what a paused clock has left, to the second)."""
    moment = start.astimezone(UTC)
    remaining = max(timedelta(), amount)
    day = moment.astimezone(hours.zone).date() - timedelta(days=1)  # yesterday's night shift may still run
    for _ in range(MAX_DAYS):
        found = hours.window(day)
        if found is not None:
            begin, end = max(found[0], moment), found[1]
            if begin < end or (begin == end and not remaining):
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)
    return moment + remaining


def business_seconds_between(start: datetime, end: datetime, hours: BusinessHours) -> int:
    """How many seconds of business time lie between two instants (0 when end is not after start)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    day = start.astimezone(hours.zone).date() - timedelta(days=1)  # a night shift opened the day before
    last = end.astimezone(hours.zone).date()
    while day <= last:
        found = hours.window(day)
        if found is not None:
            begin, finish = max(found[0], start), min(found[1], end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return int(total.total_seconds())
