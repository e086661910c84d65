"""Properties: the engine agrees with a brute-force, minute-by-minute reference.

Random schedules (two ranks, holes, empty shifts) and random overrides (overlapping,
some removed) are written to the real database; the reference reads the rule of
``product.md`` literally: at a minute, a rank's shift covering it is held by the
newest override covering that minute that was not removed; with none, by the
shift's base assignee (unassigning an override restores what it replaced).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from core.localtime import local_date
from core.models import Contact, Override, Schedule, Shift
from core.oncall.coverage import coverage
from core.oncall.schedules import ScheduleInfo, load_timelines
from core.oncall.timeline import DayStatus, OverrideSpan, shift_segments
from core.oncall.who import (
    LOOKAHEAD,
    changes_in,
    on_call_in,
    schedules_now,
    who_and_next,
    who_is_on_call,
)
from tests.builders import account_doc, load

T0 = datetime(2025, 3, 8, 12, tzinfo=UTC)  # a weekend with a DST change in Toronto
CONTACT_KEYS = ["anthony", "luc", "marie", "patrick"]
MINUTE = timedelta(minutes=1)


@st.composite
def plans(draw):
    """Shifts per rank as hour offsets from T0, with gaps, and overrides over them."""
    shifts = []
    for rank in (0, 1):
        at = draw(st.integers(0, 6))
        for _ in range(draw(st.integers(0, 4))):
            length = draw(st.integers(1, 20))
            contact = draw(st.sampled_from([None, *range(len(CONTACT_KEYS))]))
            shifts.append((rank, at, at + length, contact))
            at += length + draw(st.sampled_from([0, 0, 0, 3]))
    overrides = []
    for _ in range(draw(st.integers(0, 6)) if shifts else 0):
        i = draw(st.integers(0, len(shifts) - 1))
        _, start, end, _ = shifts[i]
        a = draw(st.integers(start * 4, end * 4 - 1))  # quarter hours inside the shift
        b = draw(st.integers(a + 1, end * 4))
        overrides.append(
            (i, a, b, draw(st.integers(0, len(CONTACT_KEYS) - 1)), draw(st.booleans()))
        )
    return shifts, overrides


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def reference(shifts, overrides, at: datetime) -> dict[int, int | None]:
    """rank -> contact index (None: nobody) for every rank with a shift at ``at``."""
    out = {}
    for i, (rank, start, end, base) in enumerate(shifts):
        if hours(start) <= at < hours(end):
            covering = [
                (n, o)
                for n, o in enumerate(overrides)
                if o[0] == i and not o[4] and hours(o[1] / 4) <= at < hours(o[2] / 4)
            ]
            if covering:
                _, newest = max(covering)
                out[rank] = newest[3]
            else:
                out[rank] = base
    return out


async def write(
    db, shifts, overrides, unit: timedelta = timedelta(hours=1)
) -> tuple[ScheduleInfo, dict[int, str]]:
    """The plan in the database, its offsets counted in ``unit`` (hours by default)."""

    def at(n: float) -> datetime:
        return T0 + n * unit

    async with db.write() as s:
        await s.execute(delete(Override))
        await s.execute(delete(Shift))
        sched = await s.scalar(select(Schedule))
        contacts = {c.key: c.id for c in await s.scalars(select(Contact))}
        rows = []
        for n, (rank, start, end, base) in enumerate(shifts):
            row = Shift(
                schedule_id=sched.id,
                ext_id=f"p{n}",
                ref=n + 1,
                start_at=at(start),
                end_at=at(end),
                rank=rank,
                label="",
                role="",
                contact_id=None if base is None else contacts[CONTACT_KEYS[base]],
            )
            s.add(row)
            rows.append(row)
        await s.flush()
        for n, (i, a, b, who, removed) in enumerate(overrides):
            s.add(
                Override(
                    shift_id=rows[i].id,
                    ref=100 + n,
                    contact_id=contacts[CONTACT_KEYS[who]],
                    start_at=at(a / 4),
                    end_at=at(b / 4),
                    created_at=T0,
                    removed_at=T0 if removed else None,
                )
            )
        return ScheduleInfo.of(sched), {v: k for k, v in contacts.items()}


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(plan=plans(), probes=st.lists(st.integers(0, 60 * 70), min_size=5, max_size=12))
async def test_who_is_on_call_matches_the_minute_by_minute_reference(db, plan, probes):
    shifts, overrides = plan
    if not await _has_schedule(db):
        await load(db, account_doc([{"name": "01 Horaire", "shifts": []}]))
    sched, _key_of = await write(db, shifts, overrides)
    # Probe random minutes and every boundary, a minute either side.
    bounds = {h * 60 for _, a, b, _ in shifts for h in (a, b)} | {
        q * 15 for _, a, b, _, _ in overrides for q in (a, b)
    }
    minutes = set(probes) | {m + d for m in bounds for d in (-1, 0, 1) if m + d >= 0}
    async with db.read() as s:
        for m in sorted(minutes):
            at = T0 + m * MINUTE
            got = {o.rank: o for o in await who_is_on_call(s, sched, at)}
            want = reference(shifts, overrides, at)
            assert {r: (o.contact and o.contact.key) for r, o in got.items()} == {
                r: None if c is None else CONTACT_KEYS[c] for r, c in want.items()
            }, at
            for rank, o in got.items():
                # "until": the first later minute where the reference differs.
                t = at
                while reference(shifts, overrides, t).get(rank, "gap") == want[rank]:
                    t += MINUTE
                    if t - at > timedelta(hours=80):
                        break
                assert o.until == t or (want[rank] is None and o.until >= t), (at, rank)


@SETTINGS
@given(plan=plans())
async def test_coverage_matches_the_minute_by_minute_reference(db, plan):
    shifts, overrides = plan
    if not await _has_schedule(db):
        await load(db, account_doc([{"name": "01 Horaire", "shifts": []}]))
    sched, _ = await write(db, shifts, overrides)
    first, last = local_date(T0, sched.tz), local_date(hours(60), sched.tz)
    async with db.read() as s:
        days = (await coverage(s, [sched], first, last))[sched.id]
    for day in days:
        start = datetime.combine(day.day, datetime.min.time(), tzinfo=sched.tz).astimezone(UTC)
        end = datetime.combine(
            day.day + timedelta(days=1), datetime.min.time(), tzinfo=sched.tz
        ).astimezone(UTC)
        held = empty = 0
        t = start
        while t < end:
            for c in reference(shifts, overrides, t).values():
                held += c is not None
                empty += c is None
            t += 15 * MINUTE  # every boundary is on a quarter hour
        want = (
            DayStatus.NO_SHIFTS
            if held + empty == 0
            else DayStatus.FULL
            if empty == 0
            else DayStatus.NONE
            if held == 0
            else DayStatus.PARTIAL
        )
        assert day.status == want, day.day


@given(plan=plans())
@settings(max_examples=150, deadline=None)
def test_shift_segments_partition_the_shift_and_follow_the_rule(plan):
    shifts, overrides = plan
    for i, (rank, start, end, base) in enumerate(shifts):
        spans = [
            OverrideSpan(n, hours(a / 4), hours(b / 4), who, removed)
            for n, (j, a, b, who, removed) in enumerate(overrides)
            if j == i
        ]
        segs = shift_segments(i, rank, hours(start), hours(end), base, spans)
        assert segs[0].start == hours(start) and segs[-1].end == hours(end)
        assert all(x.end == y.start for x, y in itertools.pairwise(segs))
        t = hours(start)
        while t < hours(end):
            [seg] = [g for g in segs if g.start <= t < g.end]
            assert seg.contact_id == reference(shifts, overrides, t)[rank]
            t += 15 * MINUTE


@SETTINGS
@given(
    plan=plans(),
    unit=st.sampled_from([timedelta(hours=1), timedelta(hours=6), timedelta(hours=14)]),
    probes=st.lists(st.integers(-4 * 20, 4 * 70), min_size=3, max_size=6),
)
async def test_who_and_next_answers_from_a_short_window_as_from_the_whole_look_ahead(
    db, plan, unit, probes
):
    """/oncall who reads eight days first: with shifts of up to 20 units of 6 or 14 hours,
    runs and handovers reach past them, and so does the first shift from up to 20 units
    before it; the answer must not change."""
    shifts, overrides = plan
    if not await _has_schedule(db):
        await load(db, account_doc([{"name": "01 Horaire", "shifts": []}]))
    sched, _key_of = await write(db, shifts, overrides, unit)
    bounds = {4 * h for _, a, b, _ in shifts for h in (a, b)}
    quarters = set(probes) | {q + d for q in bounds for d in (-1, 0)}
    async with db.read() as s:
        for q in sorted(quarters):
            at = T0 + q / 4 * unit
            [(people, changes)] = await who_and_next(s, [(sched, at)])
            schedules, first = await schedules_now(s, sched.account_id, at)
            assert schedules == [sched]  # and its first look read with it: the same answer
            assert await who_and_next(s, [(sched, at)], first) == [(people, changes)]
            whole = await load_timelines(s, [sched.id], at, at + LOOKAHEAD)
            assert people == on_call_in(whole, sched, at), at
            every = changes_in(whole, sched, at, None)
            assert changes == every[: len(changes)], at  # the same first changes
            for p in people:  # each rank's handover: until when, and who follows
                assert _first(changes, p.rank) == _first(every, p.rank), (at, p.rank)
            if not people:
                assert [c for c in changes if not c.hole][:1] == [c for c in every if not c.hole][
                    :1
                ], at


def _first(changes, rank):
    return next((c for c in changes if c.rank == rank), None)


async def _has_schedule(db) -> bool:
    async with db.read() as s:
        return await s.scalar(select(Schedule.id)) is not None
