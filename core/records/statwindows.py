"""Which stored local starts a statistics filter keeps: local days, a time of day, weekdays.

The report filters calls by their *local* start in the account's zone. Each call stores
it (``calls.local_day``, a day number, and ``calls.local_s``, wall-clock seconds since
local midnight: :func:`core.callcode.local_start`), so the filter becomes plain integer
bounds, the same SQL on both databases with no time-zone function: a range of day
numbers (the index's second column: one range scan, read in day order), and conditions
on the wall clock and the weekday checked on the index entries. "After 01:30" on a
fall-back night keeps both 01:30s, as the portal's wall-clock form means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from core.localtime import DayRange

ALL_WEEKDAYS = frozenset(range(7))  # 0 = Monday … 6 = Sunday, as date.weekday()
MAX_DAYS = 366  # calls are kept 60 days; a year is plenty


@dataclass(frozen=True, slots=True)
class StatsFilter:
    """What the portal's form asks: local days, calls starting at or after ``after`` and
    before ``before`` (local wall times in whole seconds; None = the day's start / end),
    which weekdays."""

    days: DayRange
    after: time | None = None
    before: time | None = None
    weekdays: frozenset[int] = ALL_WEEKDAYS


@dataclass(frozen=True, slots=True)
class LocalBounds:
    """``flt`` in the stored columns' terms: ``local_day`` in ``[first, last]``, and when
    not None ``local_day % 7`` in ``residues`` and ``local_s`` in ``[after_s, before_s)``."""

    first: int
    last: int
    residues: tuple[int, ...] | None
    after_s: int | None
    before_s: int | None


def local_bounds(flt: StatsFilter) -> LocalBounds:
    """The bounds of ``flt``. Day numbers are ``date.toordinal()``: Monday is 1 modulo 7."""
    residues = None
    if flt.weekdays != ALL_WEEKDAYS:
        residues = tuple(sorted((w + 1) % 7 for w in flt.weekdays))
    return LocalBounds(
        flt.days.first.toordinal(),
        flt.days.last.toordinal(),
        residues,
        _seconds(flt.after),
        _seconds(flt.before),
    )


def _seconds(at: time | None) -> int | None:
    if at is None:
        return None
    if at.microsecond:
        raise ValueError("a statistics filter's times are whole seconds")
    return at.hour * 3600 + at.minute * 60 + at.second
