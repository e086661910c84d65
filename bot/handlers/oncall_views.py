"""/oncall's argument reading (shared by the family) and ``/oncall view``: shifts in a table.

The grammar is described in :mod:`bot.handlers.oncall`. Schedules are resolved from the
list already loaded, so a reply costs one read transaction per schedule at most.

The view lists every shift touching the local day, week (Monday to Sunday) or month of a
date in the schedule's zone: short ref, base contact, who actually holds it (overrides
named with their ref), comment. A user who may change shifts gets buttons to unassign
current and future shifts and to remove their overrides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from bot.context import Context
from bot.contract import Action, Reply
from bot.handlers.choose import fill_actions
from bot.handlers.common import contact_line, quoted, schedule_arg
from bot.parsing import ParseError, fold, parse_date, take_month
from core.db import Queryable
from core.errors import N_, NotFound
from core.localtime import day_bounds, local_date, month_bounds, week_start, zone
from core.oncall.schedules import (
    ContactInfo,
    ScheduleInfo,
    list_schedules,
    match_schedule,
    schedule_names,
)
from core.oncall.who import ShiftView, shifts_between

# The subcommands' grammar, as shown when something after them was not understood.
USAGE = {
    "who": N_("/oncall who [SCHEDULE] [at WHEN]"),
    "next": N_("/oncall next [SCHEDULE]"),
    "schedules": N_("/oncall schedules"),
    "view": N_("/oncall view [day|week|month] [DATE] [SCHEDULE]"),
    "coverage": N_("/oncall coverage [MONTH] [SCHEDULE]"),
    "pdf": N_("/oncall pdf [week|month] [DATE] [SCHEDULE] [letter|a4]"),
    "home": N_("/oncall home"),
}
PERIODS = {"day": "day", "jour": "day", "week": "week", "semaine": "week"}
PERIODS |= {"month": "month", "mois": "month"}
FIRST_WEEKDAY = 0  # Monday, in French and English alike: the rotations hand over on Mondays
MAX_SHIFT_BUTTONS = 10
COLUMNS = (N_("Ref"), N_("Start"), N_("End"), N_("Rank"), N_("Shift"), N_("Contact"))
COLUMNS += (N_("On call"), N_("Comment"))
WARN = "⚠️"

_DIGIT = re.compile(r"[0-9]")

# A reader tries a value form at the start of the tokens: (kind, tokens used), or raises.
Reader = Callable[[list[str]], tuple[str, int]]


def junk(ctx: Context, sub: str, text: str) -> ParseError:
    """The error for a token that has no place after ``sub``, with the right grammar."""
    return ParseError(
        N_("I did not understand “{text}” here. Use: {usage}"),
        text=text,
        usage=ctx.t(USAGE[sub]),
    )


@dataclass
class Args:
    """What a subcommand's tokens said; value tokens are kept raw and read per schedule."""

    schedule: ScheduleInfo | None = None
    words: dict[str, str] = field(default_factory=dict)  # keyword group -> canonical word
    values: dict[str, list[str]] = field(default_factory=dict)  # value kind -> its tokens


async def account_schedules(ctx: Context, session: Queryable | None = None) -> list[ScheduleInfo]:
    """The active account's schedules; an account without any is told so. Read in
    ``session`` when given (the caller's reads that follow share its round trips)."""
    assert ctx.account is not None
    if session is None:
        async with ctx.db.read() as own:
            return await account_schedules(ctx, own)
    return some_schedules(ctx, await list_schedules(session, ctx.account.id))


def some_schedules(ctx: Context, schedules: list[ScheduleInfo]) -> list[ScheduleInfo]:
    """``schedules``, the active account's; an account without any is told so."""
    assert ctx.account is not None
    if not schedules:
        raise NotFound(N_("Account {number} has no schedule yet."), number=ctx.account.number)
    return schedules


def read_args(
    ctx: Context,
    sub: str,
    tokens: Sequence[str],
    schedules: Sequence[ScheduleInfo],
    *,
    keywords: dict[str, tuple[str, str]] | None = None,
    reader: Reader | None = None,
    expected: str = N_("There is no schedule “{name}”. Schedules: {names}."),
) -> Args:
    """Sort ``tokens`` into keywords, one value and one schedule (see the module doc).

    ``keywords`` maps a normalized word to (group, canonical word); the group ``"at"``
    means the value follows the word. ``expected`` is the msgid (``{name}``, ``{names}``)
    for a token that is neither a value nor a schedule.
    """
    args, rest = Args(), list(tokens)
    keywords = keywords or {}
    while rest:
        token = rest[0]
        if (word := keywords.get(fold(token))) is not None:
            group, canonical = word
            if group in args.words:
                raise junk(ctx, sub, token)
            args.words[group] = canonical
            rest.pop(0)
            if group == "at":  # the value must follow, whatever it looks like
                assert reader is not None
                kind, used = reader(rest)
                _put(ctx, sub, args.values, kind, rest[:used])
                del rest[:used]
            continue
        exact = [s for s in schedules if fold(s.name) == fold(token)]
        if reader is not None and not exact:
            try:
                kind, used = reader(rest)
            except ParseError as error:
                _put_schedule(args, token, _fallback(schedules, token, error, expected))
                rest.pop(0)
                continue
            _put(ctx, sub, args.values, kind, rest[:used])
            del rest[:used]
            continue
        found = exact[0] if exact else match_schedule(schedules, token)
        if found is None:
            raise ParseError(expected, name=token, names=schedule_names(schedules))
        _put_schedule(args, token, found)
        rest.pop(0)
    return args


def _fallback(
    schedules: Sequence[ScheduleInfo], token: str, error: ParseError, expected: str
) -> ScheduleInfo:
    """A token that is no value: a schedule's prefix, else the value's error when it has
    digits (a mistyped date or time), else "neither a value nor a schedule"."""
    found = match_schedule(schedules, token)
    if found is not None:
        return found
    if _DIGIT.search(token):
        raise error
    raise ParseError(expected, name=token, names=schedule_names(schedules))


def _put(ctx: Context, sub: str, values: dict, kind: str, tokens: list[str]) -> None:
    if values:  # one value per subcommand: a second date, time or month is junk
        raise junk(ctx, sub, " ".join(tokens))
    values[kind] = tokens


def _put_schedule(args: Args, token: str, schedule: ScheduleInfo) -> None:
    if args.schedule is not None:  # one schedule: without a name, some answer for all
        raise ParseError(
            N_("Name one schedule only, not both “{first}” and “{second}”."),
            first=args.schedule.name,
            second=token,
        )
    args.schedule = schedule


def person(ctx: Context, contact: ContactInfo | None, *, reach: bool = True) -> str:
    """A contact (with phone when ``reach``), or a flagged "nobody"."""
    if contact is None:
        return f"{WARN} {contact_line(ctx, None)}"
    return contact_line(ctx, contact) if reach else contact.name


# --------------------------------------------------------------------------- view


def _view_reader(ctx: Context, tz: ZoneInfo) -> Reader:
    """DATE (``03-17``, ``today``, ``lun``) or a month (``2025-04``, ``april``); ``tz`` only
    decides the form here, the value is read again in the chosen schedule's zone."""

    def read(tokens: list[str]) -> tuple[str, int]:
        try:
            parse_date(tokens[0], now=ctx.now, tz=tz)
            return "date", 1
        except ParseError as error:
            try:
                _, _, used = take_month(tokens, now=ctx.now, tz=tz)
            except ParseError:
                raise error from None
            return "month", used

    return read


async def view(ctx: Context, tokens: Sequence[str]) -> Reply:
    """``/oncall view [day|week|month] [DATE] [SCHEDULE]``: default this week."""
    schedules = await account_schedules(ctx)
    args = read_args(
        ctx,
        "view",
        tokens,
        schedules,
        keywords={w: ("period", p) for w, p in PERIODS.items()},
        reader=_view_reader(ctx, schedules[0].tz),
        expected=N_(
            "“{name}” is neither day, week or month, a date (03-17, today, mon) nor a "
            "schedule. Schedules: {names}."
        ),
    )
    kind, value = next(iter(args.values.items()), ("", []))
    period = args.words.get("period", "month" if kind == "month" else "week")
    async with ctx.db.read() as session:
        if args.schedule is None:  # which one: the only one, or the only one with shifts
            assert ctx.account is not None
            tz = zone(ctx.account.timezone)
            asked = _day(ctx, kind, value, tz)
            try:
                schedule = await schedule_arg(ctx, session, None, span=_bounds(period, asked, tz))
            except NotFound:  # several schedules there: one button each
                return _which(ctx, schedules, f"/oncall view {period} {asked.isoformat()}")
        else:
            schedule = args.schedule
        day = _day(ctx, kind, value, schedule.tz)
        start, end = _bounds(period, day, schedule.tz)
        shifts = await shifts_between(session, schedule, start, end)
    return _view_reply(ctx, schedule, period, day, shifts)


def _which(ctx: Context, schedules: Sequence[ScheduleInfo], command: str) -> Reply:
    """Which schedule, as buttons: ``command`` followed by each schedule's name."""
    return Reply(
        ctx.t(N_("Which schedule? Choose one:")),
        actions=[Action(s.name, f"{command} {quoted(s.name)}") for s in schedules],
    )


def _day(ctx: Context, kind: str, value: list[str], tz: ZoneInfo) -> date:
    """The asked date (a month's first day for a month) in ``tz``; default today."""
    if kind == "date":
        return parse_date(value[0], now=ctx.now, tz=tz)
    if kind == "month":
        year, month, _ = take_month(value, now=ctx.now, tz=tz)
        return date(year, month, 1)
    return local_date(ctx.now, tz)


def _period_days(period: str, day: date) -> tuple[date, date]:
    """The first and last local dates of ``day``'s day, week or month."""
    if period == "day":
        return day, day
    if period == "week":
        first = week_start(day, FIRST_WEEKDAY)
        return first, first + timedelta(days=6)
    return month_bounds(day.year, day.month)


def _bounds(period: str, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first, last = _period_days(period, day)
    return day_bounds(first, tz)[0], day_bounds(last, tz)[1]


def _view_reply(
    ctx: Context, schedule: ScheduleInfo, period: str, day: date, shifts: list[ShiftView]
) -> Reply:
    first, last = _period_days(period, day)
    if period == "day":
        header = ctx.t(N_("Shifts of {date}:"), date=first)
    elif period == "week":
        header = ctx.t(N_("Shifts from {first} to {last}:"), first=first, last=last)
    else:
        month = format_skeleton("yMMMM", first, locale=ctx.t.locale)
        header = ctx.t(N_("Shifts of {month}:"), month=month)
    rows: list[list[str]] = []
    buttons: list[Action] = []
    for shift in shifts:
        rows += _shift_rows(ctx, schedule, shift)
        if ctx.allows("scheduler"):
            buttons += _shift_buttons(ctx, schedule, shift)
    actions = buttons[:MAX_SHIFT_BUTTONS] + _moves(ctx, schedule, period, first, last)
    if not rows:
        if first == last:
            text = ctx.t(N_("No shifts on {date}."), date=first)
        else:
            text = ctx.t(N_("No shifts from {first} to {last}."), first=first, last=last)
        return Reply(text, title=schedule.name, actions=actions)
    header_row = [ctx.t(column) for column in COLUMNS]
    return Reply(header, title=schedule.name, rows=[header_row, *rows], actions=actions)


def _held(shift: ShiftView) -> tuple[list[tuple], dict[int, tuple[datetime, datetime]]]:
    """Who holds each segment of the shift, with the ref of the override holding it (None:
    the base), and the span each override in effect holds.

    The engine's rule, on refs (allocated in creation order): among the overrides in force
    covering a stretch, the newest decides; with none, the base holds it.
    """
    holders, spans = [], {}
    for start, end, contact in shift.segments:
        live = (o for o in shift.overrides if not o.removed)
        covering = [o for o in live if o.start <= start and o.end >= end]
        top = max(covering, key=lambda o: o.ref, default=None)
        ref = top.ref if top and top.contact == contact else None
        holders.append((contact, ref))
        if ref is not None:
            a, b = spans.get(ref, (start, end))
            spans[ref] = (min(a, start), max(b, end))
    return holders, spans


def _shift_rows(ctx: Context, schedule: ScheduleInfo, shift: ShiftView) -> list[list[str]]:
    """The shift's row, then one row per override in effect (its own ref and span)."""
    tz, at = schedule.tz, ctx.t.datetime
    holders, spans = _held(shift)
    cover = list(dict.fromkeys(_covering(ctx, contact, ref) for contact, ref in holders))
    base = person(ctx, shift.contact, reach=False)
    rows = [[f"#{shift.ref}", at(shift.start, tz), at(shift.end, tz), str(shift.rank)]]
    rows[0] += [shift.label, base, ", ".join(cover), shift.comment or ""]
    by_ref = {o.ref: o for o in shift.overrides}
    for ref, (start, end) in sorted(spans.items()):
        o = by_ref[ref]
        rows.append([f"  #{ref}", at(start, tz), at(end, tz), str(shift.rank)])
        rows[-1] += [ctx.t(N_("override")), "", _covering(ctx, o.contact, ref), o.comment or ""]
    return rows


def _covering(ctx: Context, contact: ContactInfo | None, override_ref: int | None) -> str:
    name = person(ctx, contact, reach=False)
    if override_ref is None:
        return name
    return ctx.t(N_("{name} (override #{ref})"), name=name, ref=override_ref)


def _shift_buttons(ctx: Context, schedule: ScheduleInfo, shift: ShiftView) -> list[Action]:
    """Assign / Override where nobody is; unassign a current or future shift that has
    someone; remove its live overrides."""
    if shift.end <= ctx.now:
        return []
    out = []
    empty = [(a, b) for a, b, who in shift.segments if who is None and b > ctx.now]
    if empty:  # nobody there: fill the shift, or cover its first empty stretch
        out += fill_actions(ctx, schedule, *empty[0], shift_ref=shift.ref)
    if shift.contact is not None:
        label = ctx.t(N_("Unassign #{ref}"), ref=shift.ref)
        out.append(Action(label, f"/unassign #{shift.ref}", "danger"))
    ends = {o.ref: o.end for o in shift.overrides}
    for ref in sorted(r for r in _held(shift)[1] if ends[r] > ctx.now):
        label = ctx.t(N_("Remove override #{ref}"), ref=ref)
        out.append(Action(label, f"/unassign #{ref}", "danger"))
    return out


_MOVES = {
    "day": (N_("◀ Previous day"), N_("Next day ▶")),
    "week": (N_("◀ Previous week"), N_("Next week ▶")),
    "month": (N_("◀ Previous month"), N_("Next month ▶")),
}


def _moves(
    ctx: Context, schedule: ScheduleInfo, period: str, first: date, last: date
) -> list[Action]:
    """Buttons to the previous and next period, with explicit ISO dates."""
    if period == "month":
        before = (first - timedelta(days=1)).replace(day=1)
        after = last + timedelta(days=1)
    else:
        step = timedelta(days=1 if period == "day" else 7)
        before, after = first - step, first + step
    back, forward = _MOVES[period]
    name = quoted(schedule.name)
    return [
        Action(ctx.t(back), f"/oncall view {period} {before.isoformat()} {name}"),
        Action(ctx.t(forward), f"/oncall view {period} {after.isoformat()} {name}"),
    ]
