"""Who is on call, what changes next, and the shifts of a period.

Answers come from the per-rank timelines of :mod:`core.oncall.schedules`: a window that
starts at the asked instant, so the length of past history never matters. /oncall who
reads a short window first (:data:`FIRST_LOOK`) and the whole look-ahead only for the
schedules whose handovers lie beyond it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Queryable
from core.oncall.schedules import (
    ContactInfo,
    ScheduleInfo,
    Timelines,
    load_timelines,
    schedules_and_timelines,
)
from core.oncall.timeline import Segment

# How far ahead "until when" and "who is next" look. Longer runs say "until at least".
LOOKAHEAD = timedelta(days=35)
# The window /oncall who reads first. A rotation by the day or by the week hands over
# inside it, so most answers need nothing more; reading the whole look-ahead every time
# made the rows of a busy schedule's five weeks a third of the command's time.
FIRST_LOOK = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class OnCall:
    """One rank's on-call person at an instant."""

    schedule: ScheduleInfo
    rank: int
    shift_ref: int
    shift_label: str
    role: str
    contact: ContactInfo | None  # None: the shift has nobody right now
    since: datetime
    until: datetime
    original: ContactInfo | None  # the base assignee when an override applies
    override_ref: int | None
    next_contact: ContactInfo | None
    next_at: datetime | None  # None: nothing known after ``until`` within the look-ahead


@dataclass(frozen=True, slots=True)
class Change:
    """From ``at``, ``contact`` (or nobody) is on call at ``rank``."""

    at: datetime
    rank: int
    contact: ContactInfo | None
    shift_ref: int
    hole: bool = False  # True: no shift of this rank from ``at`` (not a shift to fill)


@dataclass(frozen=True, slots=True)
class OverrideView:
    ref: int
    contact: ContactInfo | None
    start: datetime
    end: datetime
    comment: str | None
    removed: bool


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift as listed by the day/week/month views."""

    ref: int
    start: datetime
    end: datetime
    rank: int
    label: str
    role: str
    contact: ContactInfo | None  # the base assignee
    comment: str | None
    overrides: tuple[OverrideView, ...]
    segments: tuple[tuple[datetime, datetime, ContactInfo | None], ...]  # who, effectively


@dataclass(frozen=True, slots=True)
class _Run:
    """An unbroken stretch of one rank with one contact (None: nobody, or no shift)."""

    start: datetime
    end: datetime
    contact_id: int | None
    first: Segment | None  # the segment the run starts with; None for a hole


def _runs(segs: list[Segment], horizon: datetime) -> list[_Run]:
    """One rank's segments as runs: same contact merged, holes as nobody.

    A hole is added after the last shift when it ends before ``horizon``: the
    schedule has nothing more then. Past the horizon nothing is known.
    """
    runs: list[_Run] = []
    for seg in segs:
        if runs and seg.start > runs[-1].end:
            if runs[-1].contact_id is None:  # an empty shift then a hole: nobody throughout
                runs[-1] = _Run(runs[-1].start, seg.start, None, runs[-1].first)
            else:
                runs.append(_Run(runs[-1].end, seg.start, None, None))
        if runs and runs[-1].contact_id == seg.contact_id and runs[-1].end == seg.start:
            runs[-1] = _Run(runs[-1].start, seg.end, seg.contact_id, runs[-1].first)
        else:
            runs.append(_Run(seg.start, seg.end, seg.contact_id, seg))
    if runs and runs[-1].end < horizon:
        last = runs.pop() if runs[-1].contact_id is None else None
        start = last.start if last else runs[-1].end
        runs.append(_Run(start, horizon, None, last.first if last else None))
    return runs


async def who_is_on_call(
    session: AsyncSession, schedule: ScheduleInfo, at: datetime
) -> list[OnCall]:
    """Everyone on call at ``at`` in rank order, with until when and who follows."""
    tl = await load_timelines(session, [schedule.id], at, at + LOOKAHEAD)
    return on_call_in(tl, schedule, at)


def on_call_in(
    tl: Timelines, schedule: ScheduleInfo, at: datetime, horizon: datetime | None = None
) -> list[OnCall]:
    """:func:`who_is_on_call` from timelines loaded from ``at`` to ``horizon`` (by default
    ``at + LOOKAHEAD``)."""
    horizon = horizon or at + LOOKAHEAD
    out: list[OnCall] = []
    for _rank, segs in sorted(tl.ranks(schedule.id).items()):
        seg = next((g for g in segs if g.start <= at < g.end), None)
        if seg is None:
            continue  # no shift time of this rank now
        runs = _runs(segs, horizon)
        i = next(i for i, run in enumerate(runs) if run.start <= at < run.end)
        nxt = runs[i + 1] if i + 1 < len(runs) else None
        out.append(_on_call(tl, schedule, seg, runs[i], nxt))
    return out


@dataclass(frozen=True, slots=True)
class FirstLook:
    """The timelines of every schedule of an account from ``at`` over :data:`FIRST_LOOK`,
    read with the schedules themselves (:func:`schedules_now`)."""

    at: datetime
    timelines: Timelines


async def schedules_now(
    session: Queryable, account_id: int, at: datetime
) -> tuple[list[ScheduleInfo], FirstLook]:
    """The account's schedules in name order and the first look of /oncall who at ``at``
    for all of them, in one query: plain /oncall who needs both."""
    schedules, tl = await schedules_and_timelines(session, account_id, at, at + FIRST_LOOK)
    return schedules, FirstLook(at, tl)


async def who_and_next(
    session: Queryable,
    asked: Sequence[tuple[ScheduleInfo, datetime]],
    read: FirstLook | None = None,
) -> list[tuple[list[OnCall], list[Change]]]:
    """For each (schedule, instant): who is on call then, and the changes that follow, at
    least up to each such rank's handover (with nobody on call, up to the next shift).

    The changes are the first ones of :func:`next_changes`, in the same order: until when
    each person is on call and who follows is the first change of their rank, absent only
    when there is none within the look-ahead. The schedules asked at the same instant are
    read together: a short window first (:data:`FIRST_LOOK`; ``read`` when it was read
    already, at its instant), then the whole look-ahead in one more query for the
    schedules whose handovers the short one did not reach.
    """
    by_at: dict[datetime, list[ScheduleInfo]] = {}
    for sched, at in asked:
        by_at.setdefault(at, []).append(sched)
    found: dict[tuple[int, datetime], tuple[list[OnCall], list[Change]]] = {}
    for at, schedules in by_at.items():
        for look in (FIRST_LOOK, LOOKAHEAD):
            horizon = at + look
            if look == FIRST_LOOK and read is not None and read.at == at:
                tl = read.timelines
            else:
                tl = await load_timelines(session, [s.id for s in schedules], at, horizon)
            for sched in schedules:
                people = on_call_in(tl, sched, at, horizon)
                changes = changes_in(tl, sched, at, None, horizon)
                if look == LOOKAHEAD:
                    found[sched.id, at] = (people, changes)
                    continue
                # A shift read runs on past the horizon, but a change after it may hide
                # another shift's, starting in between and not read.
                known = [c for c in changes if c.at < horizon]
                if _handed_over(people, known, horizon):
                    found[sched.id, at] = (people, known)
            schedules = [s for s in schedules if (s.id, at) not in found]
            if not schedules:
                break
    return [found[sched.id, at] for sched, at in asked]


def _handed_over(people: list[OnCall], changes: list[Change], horizon: datetime) -> bool:
    """Whether timelines read up to ``horizon`` answer /oncall who as the whole look-ahead
    would: every rank on call hands over before it (its run ends and the change is read),
    or, with nobody on call, a shift starts before it. ``changes`` are those before
    ``horizon``, the same whatever the window; what comes after it is unknown."""
    if not people:
        return any(not c.hole for c in changes)
    ranks = {c.rank for c in changes}
    return all(p.until < horizon and p.rank in ranks for p in people)


def _on_call(
    tl: Timelines, schedule: ScheduleInfo, seg: Segment, run: _Run, nxt: _Run | None
) -> OnCall:
    shift = tl.shifts[seg.shift_id]
    override = next((o for o in tl.overrides.get(shift.id, ()) if o.id == seg.override_id), None)
    return OnCall(
        schedule=schedule,
        rank=seg.rank,
        shift_ref=shift.ref,
        shift_label=shift.label,
        role=shift.role,
        contact=tl.contact(seg.contact_id),
        since=run.start,
        until=run.end,
        original=tl.contact(shift.contact_id) if override else None,
        override_ref=override.ref if override else None,
        next_contact=tl.contact(nxt.contact_id) if nxt else None,
        next_at=nxt.start if nxt else None,
    )


_HOLE = ("hole",)


def _holder(seg: Segment) -> tuple:
    return ("contact", seg.contact_id) if seg.contact_id is not None else ("nobody",)


async def next_changes(
    session: AsyncSession, schedule: ScheduleInfo, at: datetime, limit: int = 10
) -> list[Change]:
    """The next instants after ``at`` where who is on call changes, in time then rank order.

    A change to nobody is either a shift nobody holds (to be filled) or ``hole``: the
    rank has no shift from then (a backup's weekend ends); both are listed.
    """
    tl = await load_timelines(session, [schedule.id], at, at + LOOKAHEAD)
    return changes_in(tl, schedule, at, limit)


def changes_in(
    tl: Timelines,
    schedule: ScheduleInfo,
    at: datetime,
    limit: int | None,
    horizon: datetime | None = None,
) -> list[Change]:
    """:func:`next_changes` from timelines loaded from ``at`` to ``horizon`` (by default
    ``at + LOOKAHEAD``); every change before ``horizon`` when ``limit`` is None."""
    horizon = horizon or at + LOOKAHEAD
    changes: list[Change] = []
    for rank, segs in tl.ranks(schedule.id).items():
        state = next((_holder(g) for g in segs if g.start <= at < g.end), _HOLE)
        end: datetime | None = None
        ref = 0
        for seg in segs:
            if seg.end <= at:
                continue
            if end is not None and seg.start > end and state != _HOLE:
                changes.append(Change(end, rank, None, ref, hole=True))
                state = _HOLE
            ref = tl.shifts[seg.shift_id].ref
            if _holder(seg) != state and seg.start > at:
                changes.append(Change(seg.start, rank, tl.contact(seg.contact_id), ref))
            state, end = _holder(seg), seg.end
        if end is not None and end < horizon and state != _HOLE:
            changes.append(Change(end, rank, None, ref, hole=True))
    changes.sort(key=lambda c: (c.at, c.rank))
    return changes[:limit]


async def shifts_between(
    session: AsyncSession, schedule: ScheduleInfo, start: datetime, end: datetime
) -> list[ShiftView]:
    """Every shift touching ``[start, end)`` with its overrides and effective assignees."""
    tl = await load_timelines(session, [schedule.id], start, end)
    segs_by_shift: dict[int, list[Segment]] = {}
    for segs in tl.ranks(schedule.id).values():
        for seg in segs:
            segs_by_shift.setdefault(seg.shift_id, []).append(seg)
    views = [
        ShiftView(
            ref=s.ref,
            start=s.start_at,
            end=s.end_at,
            rank=s.rank,
            label=s.label,
            role=s.role,
            contact=tl.contact(s.contact_id),
            comment=s.comment,
            overrides=tuple(
                OverrideView(
                    o.ref,
                    tl.contact(o.contact_id),
                    o.start_at,
                    o.end_at,
                    o.comment,
                    o.removed_at is not None,
                )
                for o in tl.overrides.get(s.id, ())
            ),
            segments=tuple(
                (g.start, g.end, tl.contact(g.contact_id)) for g in segs_by_shift.get(s.id, ())
            ),
        )
        for s in tl.shifts.values()
    ]
    views.sort(key=lambda v: (v.start, v.rank))
    return views


async def ranks_at(
    session: AsyncSession, schedules: list[ScheduleInfo], at: datetime
) -> dict[int, list[tuple[ScheduleInfo, ContactInfo | None]]]:
    """Who holds each rank at ``at`` in these schedules (None: a shift nobody holds).

    A rank with no shift time at ``at`` is absent. A one-second window: the pager asks
    this for many messages at once and needs no "until when".
    """
    tl = await load_timelines(session, [s.id for s in schedules], at, at + timedelta(seconds=1))
    out: dict[int, list[tuple[ScheduleInfo, ContactInfo | None]]] = {}
    for sched in schedules:
        for rank, segs in tl.ranks(sched.id).items():
            seg = next((g for g in segs if g.start <= at < g.end), None)
            if seg is not None:
                out.setdefault(rank, []).append((sched, tl.contact(seg.contact_id)))
    return dict(sorted(out.items()))
