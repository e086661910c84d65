"""``/oncall next @luc [SCHEDULE]``: when one contact is on call, now and next.

The directory's « on call when? » button runs it. It reads the same effective
assignments as ``/oncall view`` (overrides included) over the look-ahead of
``/oncall next``, and lists the contact's turns: each an unbroken stretch at one rank
of one schedule, the current one first ("now, until …").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.context import Context
from bot.contract import Action, Reply
from bot.handlers.common import contact_arg, quoted
from bot.handlers.oncall_views import account_schedules, read_args
from core.errors import N_
from core.oncall.schedules import ScheduleInfo
from core.oncall.who import LOOKAHEAD, ShiftView, shifts_between

MAX_TURNS = 10


@dataclass(frozen=True, slots=True)
class Turn:
    schedule: ScheduleInfo
    rank: int
    label: str
    start: datetime
    end: datetime


def is_person(token: str) -> bool:
    """``@luc`` or a Slack mention: a contact, where ``/oncall next`` takes a schedule."""
    return token.startswith("@") or token.startswith("<@")


def turns(schedule: ScheduleInfo, shifts: list[ShiftView], contact_id: int, now: datetime):
    """The contact's stretches on call after ``now``, adjacent segments of a rank merged."""
    out: list[Turn] = []
    pieces = sorted(
        (start, end, shift.rank, shift.label)
        for shift in shifts
        for start, end, who in shift.segments
        if who is not None and who.id == contact_id and end > now
    )
    for start, end, rank, label in pieces:
        same = [i for i, t in enumerate(out) if t.rank == rank and t.end == start]
        if same:
            last = out[same[-1]]
            out[same[-1]] = Turn(schedule, rank, last.label, last.start, end)
        else:
            out.append(Turn(schedule, rank, label, start, end))
    return out


async def when_on_call(ctx: Context, token: str, tokens: Sequence[str]) -> Reply:
    """The contact's turns on call in every schedule (or the one named)."""
    schedules = await account_schedules(ctx)
    args = read_args(ctx, "next", tokens, schedules)
    found: list[Turn] = []
    async with ctx.db.read() as session:
        contact = await contact_arg(ctx, session, token)
        for sched in [args.schedule] if args.schedule else schedules:
            shifts = await shifts_between(session, sched, ctx.now, ctx.now + LOOKAHEAD)
            found += turns(sched, shifts, contact.id, ctx.now)
    found.sort(key=lambda t: (t.start, t.schedule.name, t.rank))
    if not found:
        text = ctx.t(
            N_("{name} is not on call in the next {days} days."),
            name=contact.name,
            days=LOOKAHEAD.days,
        )
        return Reply(text, title=contact.name)
    lines = [ctx.t(N_("When {name} is on call:"), name=contact.name)]
    lines += [_line(ctx, turn) for turn in found[:MAX_TURNS]]
    actions = [
        Action(
            t.schedule.name,
            f"/oncall view week {t.start.astimezone(t.schedule.tz):%Y-%m-%d} "
            f"{quoted(t.schedule.name)}",
        )
        for t in found[:1]
    ]
    return Reply("\n".join(lines), title=contact.name, actions=actions)


def _line(ctx: Context, turn: Turn) -> str:
    tz = turn.schedule.timezone
    where = ctx.t(
        N_("{schedule}, rank {rank} ({label})"),
        schedule=turn.schedule.name,
        rank=turn.rank,
        label=turn.label,
    )
    if turn.start <= ctx.now:
        return ctx.t(N_("Now, until {end} · {where}"), end=turn.end, zone=tz, where=where)
    return ctx.t(
        N_("{start} to {end} · {where}"), start=turn.start, end=turn.end, zone=tz, where=where
    )
