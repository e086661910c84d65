"""``/oncall pdf [week|month] [DATE] [SCHEDULE] [letter|a4]``: the view as a PDF file.

The week is the table of shifts of ``/oncall view`` (start, end, rank, shift, role,
contact, on call, comment); the month is the coverage calendar of ``/oncall coverage``
with its colours and legend, then the month's shifts. Arguments are read as ``/oncall
view`` reads them (same words, dates, schedules); the paper is Letter unless ``a4`` is
given. Everything is translated here and laid out by :mod:`bot.documents.pdf`, in a
thread: a month of four ranks takes tens of milliseconds of CPU, not for the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from babel.dates import format_skeleton

from bot.context import Context
from bot.contract import Attachment, Command, Reply
from bot.documents.files import export_path
from bot.documents.pdf import Calendar, ScheduleDocument, render
from bot.handlers.calendar import _gap_line
from bot.handlers.common import schedule_arg
from bot.handlers.oncall_views import (
    _bounds,
    _day,
    _period_days,
    _shift_rows,
    _view_reader,
    account_schedules,
    read_args,
)
from core.errors import N_
from core.localtime import zone
from core.oncall.coverage import coverage
from core.oncall.schedules import ScheduleInfo
from core.oncall.timeline import DayCoverage, DayStatus
from core.oncall.who import ShiftView, shifts_between

WORDS = {
    "week": ("period", "week"),
    "semaine": ("period", "week"),
    "month": ("period", "month"),
    "mois": ("period", "month"),
    "letter": ("paper", "letter"),
    "lettre": ("paper", "letter"),
    "a4": ("paper", "a4"),
}
HEADINGS = (N_("Ref"), N_("Start"), N_("End"), N_("Rank"), N_("Shift"), N_("Role"))
HEADINGS += (N_("Contact"), N_("On call"), N_("Comment"))
LEGEND = (
    (DayStatus.FULL, N_("covered")),
    (DayStatus.PARTIAL, N_("partly covered")),
    (DayStatus.NONE, N_("not covered")),
    (DayStatus.NO_SHIFTS, N_("no shifts")),
)


async def pdf_command(command: Command, ctx: Context, tokens: Sequence[str]) -> Reply:
    """Read the arguments, gather the view, render the PDF off the loop, attach it."""
    schedules = await account_schedules(ctx)
    args = read_args(
        ctx,
        "pdf",
        tokens,
        schedules,
        keywords=WORDS,
        reader=_view_reader(ctx, schedules[0].tz),
        expected=N_(
            "“{name}” is neither week or month, a date (03-17, today, mon), a paper size "
            "(letter, a4) nor a schedule. Schedules: {names}."
        ),
    )
    kind, value = next(iter(args.values.items()), ("", []))
    period = args.words.get("period", "month" if kind == "month" else "week")
    async with ctx.db.read() as session:
        schedule = args.schedule
        if schedule is None:  # the only one, or the only one with shifts in the period
            assert ctx.account is not None
            tz = zone(ctx.account.timezone)
            span = _bounds(period, _day(ctx, kind, value, tz), tz)
            schedule = await schedule_arg(ctx, session, None, span=span)
        day = _day(ctx, kind, value, schedule.tz)
        first, last = _period_days(period, day)
        start, end = _bounds(period, day, schedule.tz)
        shifts = await shifts_between(session, schedule, start, end)
        days = (await coverage(session, [schedule], first, last))[schedule.id]
    doc = document(ctx, schedule, period, first, last, shifts, days)
    doc.paper = args.words.get("paper", "letter")
    name = f"{_slug(schedule.name)}-{first.isoformat()}-{period}.pdf"
    path = export_path(name)
    await asyncio.to_thread(_write, path, doc)
    caption = doc.lines[0]
    return Reply(
        ctx.t(N_("{schedule}: {period}"), schedule=schedule.name, period=caption),
        files=[Attachment(name, "application/pdf", path, title=doc.title, caption=caption)],
    )


def _write(path: Path, doc: ScheduleDocument) -> None:
    path.write_bytes(render(doc))


def _slug(name: str) -> str:
    """A file name from a schedule's name: letters and digits, the rest dashes."""
    kept = "".join(c if c.isalnum() else "-" for c in name.casefold())
    return "-".join(part for part in kept.split("-") if part)[:40] or "schedule"


def document(
    ctx: Context,
    schedule: ScheduleInfo,
    period: str,
    first: date,
    last: date,
    shifts: list[ShiftView],
    days: list[DayCoverage],
) -> ScheduleDocument:
    """The PDF's content, translated: header, shifts, and the month's calendar."""
    t = ctx.t
    assert ctx.account is not None
    if period == "week":
        what = t(N_("Week from {first} to {last}"), first=_long(ctx, first), last=_long(ctx, last))
    else:
        month = format_skeleton("yMMMM", first, locale=t.locale)
        what = t(N_("Month of {month}"), month=month)
    lines = [
        what,
        t(N_("Times in {zone}."), zone=schedule.timezone),
        t(N_("Made on {at}."), at=t.datetime(ctx.now, schedule.tz)),
    ]
    doc = ScheduleDocument(
        title=t(
            N_("{account} ({number}) · {schedule}"),
            account=ctx.account.name,
            number=ctx.account.number,
            schedule=schedule.name,
        ),
        lines=lines,
        headings=[t(h) for h in HEADINGS],
        rows=[row for shift in shifts for row in _rows(ctx, schedule, shift)],
        page_label=t(N_("Page {page} of {pages}")),
        empty=t(N_("No shifts from {first} to {last}."), first=first, last=last),
    )
    if period == "month":
        doc.shifts_title = t(N_("Shifts of {month}"), month=month)
        doc.calendar = _month(ctx, schedule, first, days)
    return doc


def _rows(ctx: Context, schedule: ScheduleInfo, shift: ShiftView) -> list[list[str]]:
    """The view's rows of one shift with its role after the shift's name."""
    rows = _shift_rows(ctx, schedule, shift)
    for n, row in enumerate(rows):
        row.insert(5, shift.role if n == 0 else "")
    return rows


def _month(ctx: Context, schedule: ScheduleInfo, first: date, days: list[DayCoverage]) -> Calendar:
    names = ctx.t.locale.days["format"]["abbreviated"]  # 0 is Monday, as in Python
    notes = [
        _gap_line(ctx, schedule, d) for d in days if d.status in (DayStatus.PARTIAL, DayStatus.NONE)
    ]
    if notes:
        head = ctx.t(N_("Days not fully covered (times in {zone}):"), zone=schedule.timezone)
        notes.insert(0, head)
    return Calendar(
        weekdays=[names[i] for i in range(7)],
        first=first,
        statuses={d.day: d.status.value for d in days},
        legend=[(status.value, ctx.t(label)) for status, label in LEGEND],
        notes=notes,
    )


def _long(ctx: Context, day: date) -> str:
    return format_skeleton("yMMMEd", day, locale=ctx.t.locale)
