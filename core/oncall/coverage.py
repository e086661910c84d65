"""Coverage per local day: FULL, PARTIAL, NONE or no shifts, as the portal's calendar.

A day is cut at local midnight of its schedule's zone (23 or 25 hours on DST
days). Whole-day shifts count as covered when someone holds them; overrides count
as who is actually on call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.localtime import day_bounds, days
from core.oncall.schedules import ScheduleInfo, load_timelines
from core.oncall.timeline import DayCoverage, Segment, classify_day

# Schedules whose shifts are loaded in one query: bounded so SQL parameter lists stay small.
BATCH = 500


async def coverage(
    session: AsyncSession, schedules: Sequence[ScheduleInfo], first: date, last: date
) -> dict[int, list[DayCoverage]]:
    """Each schedule's coverage for every local day from ``first`` to ``last`` included."""
    out: dict[int, list[DayCoverage]] = {}
    for i in range(0, len(schedules), BATCH):
        batch = schedules[i : i + BATCH]
        # One window wide enough for every zone of the batch.
        start = min(day_bounds(first, s.tz)[0] for s in batch)
        end = max(day_bounds(last, s.tz)[1] for s in batch)
        tl = await load_timelines(session, [s.id for s in batch], start, end)
        for sched in batch:
            segments = sorted(
                (g for segs in tl.ranks(sched.id).values() for g in segs), key=lambda g: g.start
            )
            out[sched.id] = _days(sched, segments, first, last)
    return out


def _days(
    sched: ScheduleInfo, segments: list[Segment], first: date, last: date
) -> list[DayCoverage]:
    """Classify each day, walking the sorted segments once (the window slides forward)."""
    result: list[DayCoverage] = []
    lo = 0
    for day in days(first, last):
        start, end = day_bounds(day, sched.tz)
        # Sorted by start: a segment over before this day is over for every later day.
        while lo < len(segments) and segments[lo].end <= start:
            lo += 1
        touching = []
        for seg in segments[lo:]:
            if seg.start >= end:
                break
            touching.append(seg)
        result.append(classify_day(day, start, end, touching))
    return result
