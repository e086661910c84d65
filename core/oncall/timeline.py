"""Pure interval logic: who is on call inside one shift, and what a day's coverage is.

Everything here works on aware UTC datetimes and plain values, with no database,
so the engine can be checked against a brute-force reference.

The override rule: among a shift's overrides that cover an instant and are still
in force, the newest (highest id) decides; with none, the base assignee holds.
Removing an override therefore restores what it replaced: an older override it
overlapped comes back where it covered, else the base assignee. Removed overrides
stay in the history; they just no longer decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class OverrideSpan:
    """The parts of an override the timeline needs."""

    id: int
    start: datetime
    end: datetime
    contact_id: int
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one shift with one effective assignee (None: nobody)."""

    shift_id: int
    rank: int
    start: datetime
    end: datetime
    contact_id: int | None
    override_id: int | None  # the override in effect, None when the base assignee holds


def shift_segments(
    shift_id: int,
    rank: int,
    start: datetime,
    end: datetime,
    base_contact_id: int | None,
    overrides: Iterable[OverrideSpan],
) -> list[Segment]:
    """Cut one shift into segments of constant effective assignee."""
    spans = [o for o in overrides if not o.removed and o.end > start and o.start < end]
    if not spans and start < end:  # most shifts: the base assignee throughout
        return [Segment(shift_id, rank, start, end, base_contact_id, None)]
    points = sorted(
        {start, end, *(max(o.start, start) for o in spans), *(min(o.end, end) for o in spans)}
    )
    out: list[Segment] = []
    for a, b in pairwise(points):
        covering = (o for o in spans if o.start <= a and o.end >= b)
        top = max(covering, key=lambda o: o.id, default=None)
        if top is None:
            contact, override = base_contact_id, None
        else:
            contact, override = top.contact_id, top.id
        if out and out[-1].contact_id == contact and out[-1].override_id == override:
            prev = out.pop()
            a = prev.start
        out.append(Segment(shift_id, rank, a, b, contact, override))
    return out


class DayStatus(StrEnum):
    """Coverage of one local day, as in the portal's calendar."""

    FULL = "full"  # every bit of shift time in the day has someone
    PARTIAL = "partial"  # some shift time has nobody
    NONE = "none"  # no shift time in the day has anybody
    NO_SHIFTS = "no_shifts"  # no shift touches the day


@dataclass(frozen=True, slots=True)
class DayCoverage:
    """A day's status and its uncovered stretches (merged across ranks, UTC)."""

    day: date
    status: DayStatus
    uncovered: tuple[tuple[datetime, datetime], ...]


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Union of half-open intervals, sorted, touching ones joined."""
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def classify_day(
    day: date, start: datetime, end: datetime, segments: Iterable[Segment]
) -> DayCoverage:
    """Coverage of the day ``[start, end)`` given the segments of every shift touching it."""
    covered = False
    gaps: list[tuple[datetime, datetime]] = []
    touched = False
    for seg in segments:
        a, b = max(seg.start, start), min(seg.end, end)
        if a >= b:
            continue
        touched = True
        if seg.contact_id is None:
            gaps.append((a, b))
        else:
            covered = True
    if not touched:
        status = DayStatus.NO_SHIFTS
    elif not gaps:
        status = DayStatus.FULL
    elif covered:
        status = DayStatus.PARTIAL
    else:
        status = DayStatus.NONE
    return DayCoverage(day, status, tuple(merge(gaps)))
