"""``/oncall coverage [MONTH] [SCHEDULE]``: a month's coverage as a calendar of squares.

The calendar is text meant for a monospace block (``Reply.monospace``): a line of
weekday initials in the user's language, then a line per week from Monday, a square
per day (🟩 FULL, 🟨 PARTIAL, 🟥 NONE, ⬜ no shifts) and an ideographic space, as wide
as a square, for the days of the neighbouring months; each week line ends with its day
numbers. Under it, the legend, then every PARTIAL or NONE day with its uncovered hours
in the schedule's zone (days are cut at local midnight, so 24:00 ends a day).

Without a schedule name every schedule of the account gets its calendar: the month's
overview is the reason to ask, and the grids are short.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from babel.dates import format_skeleton

from bot.context import Context
from bot.contract import Action, Reply
from bot.handlers.common import quoted
from bot.handlers.oncall_views import FIRST_WEEKDAY, account_schedules, read_args
from bot.parsing import take_month
from core.errors import N_
from core.localtime import day_bounds, local_date, month_bounds, week_start
from core.oncall.coverage import coverage
from core.oncall.schedules import ScheduleInfo
from core.oncall.timeline import DayCoverage, DayStatus

SQUARES = {
    DayStatus.FULL: "🟩",
    DayStatus.PARTIAL: "🟨",
    DayStatus.NONE: "🟥",
    DayStatus.NO_SHIFTS: "⬜",
}
BLANK = "\u3000"  # an ideographic space: two columns wide, like the squares


async def coverage_command(ctx: Context, tokens: Sequence[str]) -> list[Reply]:
    """One calendar for the named schedule, or one per schedule of the account."""
    schedules = await account_schedules(ctx)
    tz = schedules[0].tz  # only decides the form; the month is read per schedule below

    def read(rest: list[str]) -> tuple[str, int]:
        return "month", take_month(rest, now=ctx.now, tz=tz)[2]

    args = read_args(
        ctx,
        "coverage",
        tokens,
        schedules,
        reader=read,
        expected=N_(
            "“{name}” is neither a month (may, mai, 2025-05) nor a schedule. Schedules: {names}."
        ),
    )
    chosen = [args.schedule] if args.schedule else schedules
    months = {s.id: _month(ctx, args.values.get("month"), s) for s in chosen}
    replies = []
    async with ctx.db.read() as session:
        for sched in chosen:
            first, last = month_bounds(*months[sched.id])
            found = await coverage(session, [sched], first, last)
            replies.append(_calendar(ctx, sched, first, last, found[sched.id]))
    return replies


def _month(ctx: Context, tokens: list[str] | None, schedule: ScheduleInfo) -> tuple[int, int]:
    """The asked month in the schedule's zone, else the current one there."""
    if tokens:
        year, month, _ = take_month(tokens, now=ctx.now, tz=schedule.tz)
        return year, month
    today = local_date(ctx.now, schedule.tz)
    return today.year, today.month


def grid(ctx: Context, first: date, last: date, statuses: dict[date, DayStatus]) -> list[str]:
    """The header of weekday initials and a line per week (each cell two columns wide)."""
    initials = ctx.t.locale.days["stand-alone"]["narrow"]  # 0 is Monday, as in Python
    header = " ".join(f"{initials[(FIRST_WEEKDAY + i) % 7]} " for i in range(7)).rstrip()
    lines = [header]
    day = week_start(first, FIRST_WEEKDAY)
    while day <= last:
        week = [day + timedelta(days=i) for i in range(7)]
        cells = [SQUARES[statuses[d]] if first <= d <= last else BLANK for d in week]
        inside = [d.day for d in week if first <= d <= last]
        span = f"{inside[0]}–{inside[-1]}" if len(inside) > 1 else str(inside[0])
        lines.append(f"{' '.join(cells)}  {span}")
        day += timedelta(days=7)
    return lines


def _calendar(
    ctx: Context, schedule: ScheduleInfo, first: date, last: date, days: list[DayCoverage]
) -> Reply:
    month = format_skeleton("yMMMM", first, locale=ctx.t.locale)
    lines = [ctx.t(N_("Coverage of {month}:"), month=month), ""]
    lines += grid(ctx, first, last, {d.day: d.status for d in days})
    lines += [
        "",
        ctx.t(N_("🟩 covered · 🟨 partly covered · 🟥 not covered · ⬜ no shifts")),
        "",
    ]
    gaps = [d for d in days if d.status in (DayStatus.PARTIAL, DayStatus.NONE)]
    if gaps:
        lines.append(ctx.t(N_("Days not fully covered (times in {zone}):"), zone=schedule.timezone))
        lines += [_gap_line(ctx, schedule, d) for d in gaps]
    elif any(d.status is DayStatus.FULL for d in days):
        lines.append(ctx.t(N_("Every day with shifts is fully covered.")))
    else:
        lines.append(ctx.t(N_("No shifts this month.")))
    return Reply(
        "\n".join(lines),
        title=schedule.name,
        monospace=True,
        actions=_moves(ctx, schedule, first, last),
    )


def _gap_line(ctx: Context, schedule: ScheduleInfo, day: DayCoverage) -> str:
    """``Tue, Mar 18: 00:00 – 24:00 (not covered)``, hours in the schedule's zone."""
    tz = schedule.tz
    end = day_bounds(day.day, tz)[1]
    # A gap up to the next local midnight ends at 24:00, as the portal writes it.
    midnight = hm(ctx, datetime.combine(day.day, time(0))).replace("00", "24", 1)
    spans = [
        f"{hm(ctx, a.astimezone(tz))} – {midnight if b >= end else hm(ctx, b.astimezone(tz))}"
        for a, b in day.uncovered
    ]
    status = N_("not covered") if day.status is DayStatus.NONE else N_("partly covered")
    return ctx.t(
        N_("{date}: {hours} ({status})"),
        date=ctx.t.date(day.day),
        hours=", ".join(spans),
        status=ctx.t(status),
    )


def hm(ctx: Context, at: datetime) -> str:
    """A local clock time, 24-hour style: ``07:30`` / ``07 h 30``."""
    return format_skeleton("Hm", at, tzinfo=at.tzinfo, locale=ctx.t.locale)


def _moves(ctx: Context, schedule: ScheduleInfo, first: date, last: date) -> list[Action]:
    """Previous and next month, and the month's shifts, with explicit dates."""
    name = quoted(schedule.name)
    before = first - timedelta(days=1)
    after = last + timedelta(days=1)
    return [
        Action(ctx.t(N_("◀ Previous month")), f"/oncall coverage {before:%Y-%m} {name}"),
        Action(ctx.t(N_("Next month ▶")), f"/oncall coverage {after:%Y-%m} {name}"),
        Action(ctx.t(N_("Shifts")), f"/oncall view month {first.isoformat()} {name}"),
    ]
