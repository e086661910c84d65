"""/oncall (/garde): who is on call, what changes next, the schedules, shifts, coverage.

Grammar (English and French words, case and accents ignored)::

    /oncall [who|qui] [SCHEDULE] [at|à WHEN]     who is on call now, or at WHEN
    /oncall next|prochain|suivant [SCHEDULE]      the next handovers
    /oncall next @CONTACT [SCHEDULE]              when that contact is on call
    /oncall schedules|horaires                    the schedules and their zones
    /oncall view|vue [day|week|month] [DATE] [SCHEDULE]   (jour|semaine|mois; default week)
    /oncall coverage|couverture [MONTH] [SCHEDULE]        (default the current month)
    /oncall pdf [week|month] [DATE] [SCHEDULE] [letter|a4]  the view as a PDF file
    /oncall home|accueil                          who now and the coverage of the next
                                                  two weeks (Slack's App Home shows it)

How a schedule name is told from the other arguments: after the subcommand, each
token is, in this order, a keyword of the subcommand (``at``, ``day``…); a schedule's
full name (so a schedule called ``Mars`` is still reachable); a value of the
subcommand's form (WHEN, DATE, MONTH, read by :mod:`bot.parsing`); else a schedule
given by the unique start of its name or of a word of it (``01``, ``soirs``).
A token holding digits that is neither a valid value nor a schedule gets the value's
own error (``13-45`` is a bad date, not an unknown schedule); any other token is
refused with the schedules listed. Names with spaces are quoted: ``"01 Horaire"``.
Order is free: ``/oncall view "02 Soirs" 03-17 day`` works. ``/oncall`` with a first
word that is no subcommand reads the whole line as ``who`` (``/oncall at 19:00``).

Without a schedule: ``who``, ``next`` and ``coverage`` answer for every schedule (one
reply each); ``view`` takes the only schedule, or the only one with shifts in the
period, else asks which. Weeks run Monday to Sunday in both languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.context import Context
from bot.contract import Action, Command, Reply
from bot.handlers.calendar import coverage_command
from bot.handlers.choose import fill_actions
from bot.handlers.common import quoted, when
from bot.handlers.oncall_pdf import pdf_command
from bot.handlers.oncall_person import is_person, when_on_call
from bot.handlers.oncall_views import (
    account_schedules,
    junk,
    person,
    read_args,
    some_schedules,
    view,
)
from bot.parsing import ParseError, When, fold, parse_when
from bot.registry import CommandSpec
from core.errors import N_
from core.localtime import local_date, zone
from core.oncall.schedules import ScheduleInfo
from core.oncall.who import (
    LOOKAHEAD,
    Change,
    OnCall,
    next_changes,
    schedules_now,
    who_and_next,
)

SUBCOMMANDS = {
    "who": "who",
    "qui": "who",
    "next": "next",
    "prochain": "next",
    "suivant": "next",
    "schedules": "schedules",
    "horaires": "schedules",
    "view": "view",
    "vue": "view",
    "coverage": "coverage",
    "couverture": "coverage",
    "pdf": "pdf",
    "home": "home",
    "accueil": "home",
}
AT = {"at": ("at", "at"), "a": ("at", "at")}  # "à" and "a" once accents are dropped
NEXT_LIMIT = 10
HOME_DAYS = 14  # the days ``home`` shows the coverage of, today included


async def oncall(command: Command, ctx: Context) -> Reply | list[Reply]:
    """Dispatch on the first word; without a known one the whole line is ``who``."""
    if command.comment is not None:
        raise ParseError(
            N_("/oncall takes no text after --; remove “{text}”."), text=command.comment
        )
    args = list(command.args)
    sub = SUBCOMMANDS.get(fold(args[0])) if args else None
    rest = args[1:] if sub else args
    if sub == "next":
        return await _next(ctx, rest)
    if sub == "schedules":
        return await _schedules(ctx, rest)
    if sub == "view":
        return await view(ctx, rest)
    if sub == "coverage":
        return await coverage_command(ctx, rest)
    if sub == "pdf":
        return await pdf_command(command, ctx, rest)
    if sub == "home":
        return await _home(ctx, rest)
    return await _who(ctx, rest, implicit=sub is None)


# --------------------------------------------------------------------------- home


async def _home(ctx: Context, tokens: Sequence[str]) -> list[Reply]:
    """Who is on call now, then the coverage calendars of the months the next
    ``HOME_DAYS`` days touch (in the account's zone): the Slack App Home shows it as
    given, so the window is decided here, once, not in the adapter."""
    assert ctx.account is not None
    if tokens:
        raise junk(ctx, "home", " ".join(tokens))
    replies = await _who(ctx, [], implicit=False)
    today = ctx.now.astimezone(zone(ctx.account.timezone)).date()
    last = today + timedelta(days=HOME_DAYS - 1)
    replies += await coverage_command(ctx, [])
    if (last.year, last.month) != (today.year, today.month):
        replies += await coverage_command(ctx, [f"{last:%Y-%m}"])
    return replies


# --------------------------------------------------------------------------- who


async def _who(ctx: Context, tokens: Sequence[str], *, implicit: bool) -> list[Reply]:
    """Who is on call at an instant, for one schedule or each of the account's: one
    session, the schedules then every timeline asked in one query (plain /oncall who:
    both in one query)."""
    assert ctx.account is not None
    expected = (
        N_(
            "“{name}” is neither a subcommand of /oncall (who, next, schedules, view, "
            "coverage) nor a schedule. Schedules: {names}."
        )
        if implicit
        else N_(
            "“{name}” is neither a time (at 19:00, tomorrow 7:30am) nor a schedule. "
            "Schedules: {names}."
        )
    )
    async with ctx.db.lookup() as session:  # no transaction round trips
        if tokens:
            schedules, first = await account_schedules(ctx, session), None
        else:  # every schedule, now: they and their first look come in one query
            schedules, first = await schedules_now(session, ctx.account.id, ctx.now)
            some_schedules(ctx, schedules)

        def read(rest: list[str]) -> tuple[str, int]:
            return "when", parse_when(rest, now=ctx.now, tz=schedules[0].tz)[1]

        args = read_args(ctx, "who", tokens, schedules, keywords=AT, reader=read, expected=expected)
        asked = args.values.get("when")
        chosen = [args.schedule] if args.schedule else schedules
        moments = [parse_when(asked, now=ctx.now, tz=s.tz)[0] if asked else None for s in chosen]
        ats = [moment.at if moment else ctx.now for moment in moments]
        found = await who_and_next(session, list(zip(chosen, ats, strict=True)), first)
    return [
        _who_reply(ctx, sched, at, moment, people, upcoming)
        for sched, at, moment, (people, upcoming) in zip(chosen, ats, moments, found, strict=True)
    ]


def _who_reply(
    ctx: Context,
    schedule: ScheduleInfo,
    at: datetime,
    moment: When | None,
    people: list[OnCall],
    upcoming: list[Change],
) -> Reply:
    tz = schedule.timezone
    if moment is None:
        lines = [ctx.t(N_("On call now:"))]
    else:
        lines = [ctx.t(N_("On call at {at}:"), at=at, zone=tz)]
        if moment.folded:
            lines.append(
                ctx.t(N_("That time occurs twice (clocks go back); this is the first one."))
            )
        if moment.evening:
            lines.append(
                ctx.t(
                    N_(
                        "An evening or a night is read as its start, {time}; add a time for "
                        "another hour (tonight 23:00)."
                    ),
                    time=ctx.t.time(at.astimezone(schedule.tz)),
                )
            )
    for p in people:
        lines += _person_lines(ctx, schedule, p, upcoming)
    if not people:
        lines.append(ctx.t(N_("No shift at this time.")))
        for c in [h for h in upcoming if not h.hole][:1]:
            lines.append(
                ctx.t(
                    N_("Next shift from {at}: {who}."), at=c.at, zone=tz, who=person(ctx, c.contact)
                )
            )
    day = local_date(at, schedule.tz)
    name = quoted(schedule.name)
    on_day = f" {day.isoformat()}" if moment else ""
    fills = [a for p in people if p.contact is None for a in _fill(ctx, schedule, p)]
    actions = [
        *fills,
        Action(ctx.t(N_("Next")), f"/oncall next {name}"),
        Action(ctx.t(N_("Week")), f"/oncall view week{on_day} {name}"),
        Action(ctx.t(N_("Coverage")), f"/oncall coverage {day:%Y-%m} {name}"),
    ]
    return Reply("\n".join(lines), title=schedule.name, actions=actions)


def _fill(ctx: Context, schedule: ScheduleInfo, p: OnCall) -> list[Action]:
    """Assign / Override for a rank with nobody, to whoever may change shifts."""
    if not ctx.allows("scheduler"):
        return []
    return fill_actions(ctx, schedule, p.since, p.until, shift_ref=p.shift_ref)


def _person_lines(
    ctx: Context, schedule: ScheduleInfo, p: OnCall, upcoming: list[Change]
) -> list[str]:
    """``Rank 0 (Rotation): Luc Lambert · +1514…, until Mon…`` and who follows."""
    parts = [person(ctx, p.contact)]
    if p.override_ref is not None:
        if p.original is not None:
            parts.append(
                ctx.t(
                    N_("replacing {name} (override #{ref})"),
                    name=p.original.name,
                    ref=p.override_ref,
                )
            )
        else:
            parts.append(ctx.t(N_("override #{ref}"), ref=p.override_ref))
    tz = schedule.timezone
    nxt = next((h for h in upcoming if h.rank == p.rank), None)
    if nxt is None:  # no handover within the look-ahead
        parts.append(ctx.t(N_("until at least {until}"), until=p.until, zone=tz))
    else:
        parts.append(ctx.t(N_("until {until}"), until=nxt.at, zone=tz))
    rank = ctx.t(N_("Rank {rank} ({label}):"), rank=p.rank, label=p.shift_label)
    lines = [f"{rank} {', '.join(parts)}"]
    if nxt is not None and nxt.hole:
        lines.append("  " + ctx.t(N_("then no shift at this rank")))
    elif nxt is not None:
        who = person(ctx, nxt.contact, reach=False)
        lines.append("  " + ctx.t(N_("then {who}"), who=who))
    return lines


# --------------------------------------------------------------------------- next


async def _next(ctx: Context, tokens: Sequence[str]) -> list[Reply]:
    """The next changes of who is on call, for one schedule or each of the account's;
    with ``@contact``, that contact's turns on call (the directory's button)."""
    person = next((t for t in tokens if is_person(t)), None)
    if person is not None:
        return [await when_on_call(ctx, person, [t for t in tokens if t is not person])]
    schedules = await account_schedules(ctx)
    args = read_args(ctx, "next", tokens, schedules)
    replies = []
    async with ctx.db.read() as session:
        for sched in [args.schedule] if args.schedule else schedules:
            changes = await next_changes(session, sched, ctx.now, limit=NEXT_LIMIT)
            replies.append(_next_reply(ctx, sched, changes))
    return replies


def _next_reply(ctx: Context, schedule: ScheduleInfo, changes: list[Change]) -> Reply:
    name = quoted(schedule.name)
    actions = [
        Action(ctx.t(N_("Now")), f"/oncall who {name}"),
        Action(ctx.t(N_("Week")), f"/oncall view week {name}"),
    ]
    if not changes:
        text = ctx.t(
            N_("No change of who is on call in the next {days} days."), days=LOOKAHEAD.days
        )
        return Reply(text, title=schedule.name, actions=actions)
    lines = [ctx.t(N_("Next changes of who is on call:"))]
    for c in changes:
        who = ctx.t(N_("no shift")) if c.hole else person(ctx, c.contact)
        lines.append(
            ctx.t(
                N_("{at} · rank {rank}: {who}"),
                at=when(ctx, c.at, schedule),
                rank=c.rank,
                who=who,
            )
        )
    return Reply("\n".join(lines), title=schedule.name, actions=actions)


# --------------------------------------------------------------------------- schedules


async def _schedules(ctx: Context, tokens: Sequence[str]) -> Reply:
    """The account's schedules, their zones, and a button to each one's on-call."""
    if tokens:
        raise junk(ctx, "schedules", " ".join(tokens))
    schedules = await account_schedules(ctx)
    rows = [[ctx.t(N_("Schedule")), ctx.t(N_("Time zone"))]]
    rows += [[s.name, s.timezone] for s in schedules]
    actions = [Action(s.name, f"/oncall who {quoted(s.name)}") for s in schedules[:10]]
    assert ctx.account is not None
    text = ctx.t(N_("Schedules of account {number}:"), number=ctx.account.number)
    return Reply(text, rows=rows, actions=actions)


COMMANDS = [
    CommandSpec(
        "oncall",
        oncall,
        N_("Who is on call, the next changes, schedules, shifts and the coverage calendar."),
        N_("/oncall [who|next|schedules|view|coverage|pdf|home] [SCHEDULE] …"),
        role="viewer",
        aliases=("garde",),
        examples=(
            N_("/oncall"),
            N_('/oncall who "01 Horaire" at tomorrow 19:00'),
            N_("/oncall next"),
            N_("/oncall schedules"),
            N_('/oncall view week 03-17 "01 Horaire"'),
            N_('/oncall coverage may "02 Soirs"'),
            N_("/oncall pdf month"),
            N_("/garde qui à demain 7h30"),
        ),
    ),
]

__all__ = ["COMMANDS", "oncall"]
