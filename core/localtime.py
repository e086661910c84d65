"""Local calendar arithmetic in a schedule's zone, computed on aware datetimes.

Days are cut at local midnight, so a day can last 23 or 25 hours; "the same slot
next week" keeps the wall-clock time, not a multiple of 168 hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name (cached: schedules share a handful of zones)."""
    return ZoneInfo(name)


def is_valid_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows."""
    if not name or name not in _zone_names():
        return False
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``tz`` (after a gap if midnight is skipped)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@lru_cache(maxsize=8192)
def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC half-open interval of one local day."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def days(first: date, last: date) -> Iterator[date]:
    """Every date from ``first`` to ``last``, both included."""
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def local_date(at: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of an aware instant."""
    return at.astimezone(tz).date()


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of ``day``'s week; ``first_weekday`` 0 is Monday, 6 is Sunday."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last dates of a month."""
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def shift_weeks(at: datetime, weeks: int, tz: ZoneInfo) -> datetime:
    """The same local wall-clock time ``weeks`` weeks later, as UTC (DST-aware)."""
    local = at.astimezone(tz)
    wall = datetime.combine(local.date() + timedelta(weeks=weeks), local.time(), tzinfo=tz)
    return wall.replace(fold=local.fold).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class DayRange:
    """Local days ``first`` to ``last``, both included: a RANGE of the portal's lists.

    ``bounds`` gives the UTC half-open interval in a zone, cut at local midnight, so a
    range over a DST change holds 23 or 25 hours more or less than whole days would.
    """

    first: date
    last: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        return local_midnight(self.first, tz), local_midnight(self.last + timedelta(days=1), tz)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1
