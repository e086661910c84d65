"""Which UTC instants a statistics filter keeps: local days, a time-of-day window, weekdays.

The report filters calls by their *local* start in the account's zone, but calls are
stored in UTC. Rather than asking each database to convert (SQLite and PostgreSQL share
no time-zone function) or storing a local copy of every start (stale the day an
account's zone changes), the filter is turned here into a short list of UTC half-open
windows, one per local day, cut where the UTC offset changes: within a stretch of
constant offset ``o`` the local wall time of instant ``u`` is ``u + o``, so "local time
in [after, before)" is exactly "u in [after − o, before − o)". The query then joins
these windows on the ``(account_id, start_at)`` index: a range scan per day, the same
SQL on both databases, exact across DST changes and at local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.localtime import DayRange, day_bounds, days

ALL_WEEKDAYS = frozenset(range(7))  # 0 = Monday … 6 = Sunday, as date.weekday()
MAX_DAYS = 366  # calls are kept 60 days; a year is plenty and keeps the query small


@dataclass(frozen=True, slots=True)
class StatsFilter:
    """What the portal's form asks: local days, calls starting at or after ``after`` and
    before ``before`` (local wall times; None = the day's start / end), which weekdays."""

    days: DayRange
    after: time | None = None
    before: time | None = None
    weekdays: frozenset[int] = ALL_WEEKDAYS


@dataclass(frozen=True, slots=True)
class Window:
    """Calls starting in ``[lo, hi)`` (UTC) belong to local day number ``day`` of the range."""

    day: int
    lo: datetime
    hi: datetime


def windows(flt: StatsFilter, tz: ZoneInfo) -> list[Window]:
    """The UTC windows of ``flt`` in ``tz``, in time order (none for an empty filter)."""
    out: list[Window] = []
    for n, day in enumerate(days(flt.days.first, flt.days.last)):
        if day.weekday() not in flt.weekdays:
            continue
        wall_lo = datetime.combine(day, flt.after or time(0))
        wall_hi = (
            datetime.combine(day, flt.before)
            if flt.before
            else datetime.combine(day + timedelta(days=1), time(0))
        )
        for seg_lo, seg_hi, offset in _segments(day, tz):
            lo = max(seg_lo, (wall_lo - offset).replace(tzinfo=UTC))
            hi = min(seg_hi, (wall_hi - offset).replace(tzinfo=UTC))
            if lo >= hi:
                continue
            if out and out[-1].day == n and out[-1].hi == lo:  # across a jump forward
                lo = out.pop().lo
            out.append(Window(n, lo, hi))
    return out


def _segments(day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime, timedelta]]:
    """The local day as UTC stretches of constant offset: one, or two around a change."""
    lo, hi = day_bounds(day, tz)
    first, last = _offset(lo, tz), _offset(hi - timedelta(microseconds=1), tz)
    if first == last:
        return [(lo, hi, first)]
    a, b = 0, int((hi - lo).total_seconds())  # offset changes in (a, b] seconds after lo
    while b - a > 1:
        mid = (a + b) // 2
        a, b = (mid, b) if _offset(lo + timedelta(seconds=mid), tz) == first else (a, mid)
    change = lo + timedelta(seconds=b)
    return [(lo, change, first), (change, hi, last)]


def _offset(at: datetime, tz: ZoneInfo) -> timedelta:
    offset = at.astimezone(tz).utcoffset()
    assert offset is not None
    return offset
