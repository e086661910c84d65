"""/stats: the portal's statistics report (seed 000 « Statistiques »), with a chart.

``/stats [RANGE] [after HH:MM] [before HH:MM] [days mon,tue,…]`` (French ``/statistiques
… après … avant … jours lun,mar``). RANGE is that of the lists (default: this month to
today), in local days of the account's zone; "after" keeps calls starting at or after
that local time, "before" those starting before it. The report comes as two replies of
eight rows each (a phone shows them without paging) and a PNG chart with the second.
"""

from __future__ import annotations

import asyncio
from datetime import time
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.contract import Attachment, Command, Reply
from bot.documents.chart import ChartDay, ChartLabels, render_chart
from bot.documents.files import export_path
from bot.handlers import stats_view as view
from bot.i18n import Translator
from bot.parsing import ParseError, fold, parse_clock, parse_weekdays, take_range
from bot.registry import CommandSpec
from core.errors import N_
from core.localtime import DayRange, zone
from core.records.stats import StatsFilter, StatsReport, stats_report
from core.records.statwindows import ALL_WEEKDAYS, MAX_DAYS

USAGE = N_("/stats [RANGE] [after HH:MM] [before HH:MM] [days mon,tue,…]")
AFTER = {"after", "apres"}
BEFORE = {"before", "avant"}
DAYS = {"days", "jours"}
EXAMPLE = N_("/stats 2025-03-01..2025-03-22 after 08:00 before 17:00 days mon-fri")


async def stats(command: Command, ctx: Context) -> list[Reply]:
    assert ctx.account is not None
    tz = zone(ctx.account.timezone)
    flt = read_filter(command.args, ctx, tz)
    async with ctx.db.read() as session:
        report = await stats_report(session, ctx.account.id, flt)
    t = ctx.t
    rows = [view.row_cells(r, t) for r in report.rows]
    first = Reply(
        "\n".join(_header_lines(flt, t)),
        title=t(N_("{name} — account {number}"), name=ctx.account.name, number=ctx.account.number),
        rows=[view.header(t), *rows[:8]],
    )
    chart = await asyncio.to_thread(_chart, report, t, ctx.account.number)
    return [first, Reply("", rows=[view.header(t), *rows[8:]], files=[chart])]


def read_filter(args: list[str], ctx: Context, tz: ZoneInfo) -> StatsFilter:
    """The command's arguments as a filter; a ParseError names the right form."""
    found = take_range(args, now=ctx.now, tz=tz)
    if found:
        days, used = found
    else:
        today = ctx.now.astimezone(tz).date()
        days, used = DayRange(today.replace(day=1), today), 0
    if days.days > MAX_DAYS:
        raise ParseError(N_("That range is too long: at most {max} days."), max=MAX_DAYS)
    after = before = None
    weekdays = ALL_WEEKDAYS
    rest = args[used:]
    while rest:
        word, value = fold(rest[0]), rest[1] if len(rest) > 1 else ""
        if word in AFTER | BEFORE:
            hour, minute = parse_clock(value)
            if word in AFTER:
                after = time(hour % 24, minute) if hour < 24 else _too_late(value)
            else:
                before = None if hour == 24 else time(hour, minute)
        elif word in DAYS:
            weekdays = parse_weekdays(value)
        else:
            raise ParseError(
                N_("“{text}” is not understood here. Use {usage}, e.g. {example}."),
                text=rest[0],
                usage=ctx.t(USAGE),
                example=ctx.t(EXAMPLE),
            )
        rest = rest[2:]
    if after and before and after >= before:
        raise ParseError(
            N_(
                "“after {after}” must be earlier than “before {before}”, "
                "e.g. after 08:00 before 17:00."
            ),
            after=after.strftime("%H:%M"),
            before=before.strftime("%H:%M"),
        )
    return StatsFilter(days, after, before, weekdays)


def _too_late(text: str) -> time:
    raise ParseError(N_("“after {text}” keeps no call: give a time before 24:00."), text=text)


def _header_lines(flt: StatsFilter, t: Translator) -> list[str]:
    """The portal's header: the range, the time window, the weekdays."""
    lines = [
        t(
            N_("From {first} to {last}"),
            first=view.long_date(flt.days.first, t),
            last=view.long_date(flt.days.last, t),
        )
    ]
    if flt.after or flt.before:
        lines.append(
            t(
                N_("Calls after {after} and before {before}"),
                after=view.clock(flt.after or time(0), t),
                before=view.clock(flt.before, t) if flt.before else t(N_("midnight")),
            )
        )
    else:
        lines.append(t(N_("Calls at any time of day")))
    days = t(N_("all")) if flt.weekdays == ALL_WEEKDAYS else view.weekday_names(flt.weekdays, t)
    lines.append(t(N_("Days of the week: {days}"), days=days))
    return lines


def _chart(report: StatsReport, t: Translator, number: str) -> Attachment:
    """Draw the report's chart into a new PNG file (in a worker thread)."""
    days = [
        ChartDay(
            view.short_date(day, t),
            f.answered,
            f.abandoned + f.unanswered,
            f.automated,
            100 * f.within_30 / f.answered if f.answered else None,
        )
        for day, f in report.days
    ]
    labels = ChartLabels(
        title=t(N_("Calls per day")),
        answered=t(N_("Answered")),
        abandoned=t(N_("Abandoned or unanswered")),
        automated=t(N_("Automated")),
        within_30=t(N_("Answered within 30 s")),
        calls=t(N_("Calls")),
        percent=lambda v: view.percent_whole(v, t),
    )
    first, last = report.filter.days.first, report.filter.days.last
    name = f"stats-{number}-{first.isoformat()}-{last.isoformat()}.png"
    path = export_path(name)
    render_chart(days, labels, path)
    return Attachment(name, "image/png", path, title=labels.title, caption=labels.title)


COMMANDS = [
    CommandSpec(
        "stats",
        stats,
        N_("The statistics report of the account, with a chart."),
        USAGE,
        aliases=("statistiques",),
        examples=(
            "/stats",
            "/stats 2025-03-01..2025-03-22",
            "/stats month after 08:00 before 17:00 days mon-fri",
        ),
    ),
]
