"""/override's form: what an /override lacking its contact, start or end asks for.

On a phone ``/override @luc 03-13 08:00 03-15 08:00 "01 Horaire"`` is a lot to type,
and Slack offers pickers. So ``/override`` (or ``/remplacement``) sent without its
contact, start or end answers with a :class:`~bot.contract.Form`: the fields in the
order the command takes them, those already given with their words, and the likely
answers (the account's contacts; "now" and the next usual handover times; its
schedules). Each adapter asks it its own way; this module decides what is missing and
what an answer means, once for every platform.

Asked one question at a time (Telegram), each answer comes back as
:attr:`Command.answer <bot.contract.Command.answer>`: it is read with the command
grammar's own parsers before it is added, so a typo is caught at its step and asked
again (the Form's ``error``) rather than at the end. A contact answered is written as
its ``@key``, a schedule as its quoted name. When the account has several schedules the
last question is which one. A Form with nothing left to ask is the whole command, which
the adapter then runs like a typed one: the handler validates it and answers as usual.
This module reads (contacts, schedules) and writes nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.contract import Action, Command, FieldKind, Form, FormField, Reply
from bot.handlers.choose import CONTACT, WHO, contact_field
from bot.handlers.common import handle
from bot.i18n import Translator
from bot.parsing import (
    ParseError,
    parse_contact,
    parse_span,
    parse_when,
    resolve_contact,
    split_command,
    tokenize,
)
from core.errors import N_, GardeError
from core.localtime import zone
from core.oncall.schedules import ContactInfo, ScheduleInfo, account_contacts, list_schedules
from core.oncall.schedules import match_schedule as match

START, END, SCHEDULE = "start", "end", "schedule"
# Usual handover times of answering-service schedules, offered as answers; any other
# time is typed (or picked).
HANDOVERS = (time(7, 30), time(17, 0))
TIME_CHOICES = 4
ISO = "%Y-%m-%d %H:%M"

QUESTIONS = {
    CONTACT: WHO,
    START: N_("From when? Choose or type a date and time (e.g. 05-01 07:30 or now)."),
    END: N_("Until when? Choose or type a date and time (e.g. 05-03 07:30)."),
    SCHEDULE: N_("Which schedule?"),
}


def wants_form(command: Command, now: datetime) -> bool:
    """Whether the /override ``command`` is to be asked: an answer to its form, or a
    command lacking its contact, start or end (and no comment typed after them)."""
    if command.answer is not None:
        return True
    # Only the shape of the words matters here, not the zone they are read in.
    return command.comment is None and _step(list(command.args), now, ZoneInfo("UTC")) in (
        CONTACT,
        START,
        END,
    )


async def override_form(command: Command, ctx: Context, usage: str) -> Reply:
    """The Form of what ``command`` lacks; its text says what is missing (or wrong)."""
    assert ctx.account is not None
    tz = zone(ctx.account.timezone)
    async with ctx.db.read() as session:
        contacts = await account_contacts(session, ctx.account.id)
        schedules = await list_schedules(session, ctx.account.id)
    error = None
    if command.answer is None:
        text = command.raw.strip()
    else:
        text = command.answer.so_far
        try:
            text = _append(text, command.answer.text, ctx.now, tz, contacts, schedules)
        except GardeError as refused:
            error = ctx.t(refused.key, **refused.params)
    args = split_command(text)[1]
    if args and command.answer is None:
        resolve_contact(parse_contact(args[0]), contacts)  # a wrong name says so now
    fields = _fields(ctx, args, tz, contacts, schedules)
    form = Form(
        command=text,
        title=ctx.t(N_("Override")),
        usage=ctx.t(usage),
        fields=fields,
        submit=ctx.t(N_("Save")),
        zone=ctx.account.timezone,
        zones={s.name: s.timezone for s in schedules},
        error=error,
    )
    return Reply(error or _missing(ctx, args, tz), form=form)


def _missing(ctx: Context, args: list[str], tz: ZoneInfo) -> str:
    """What the command still lacks, in the words a typed command would be answered."""
    try:
        parse_contact(args[0] if args else "")
        parse_span(args[1:], now=ctx.now, tz=tz)
    except ParseError as error:
        return ctx.t(error.key, **error.params)
    return ctx.t(QUESTIONS[SCHEDULE])


def _fields(
    ctx: Context,
    args: list[str],
    tz: ZoneInfo,
    contacts: list[ContactInfo],
    schedules: list[ScheduleInfo],
) -> tuple[FormField, ...]:
    """Contact, start, end, schedule and comment, with what ``args`` already gives."""
    t, now = ctx.t, ctx.now
    contact = start_words = end_words = extra = None
    suggested = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    start_at, end_at = suggested, suggested + timedelta(days=1)
    if args:
        ref = resolve_contact(parse_contact(args[0]), contacts)
        contact = handle(ref.key)
    rest = args[1:]
    if rest:
        when, used = parse_when(rest, now=now, tz=tz)
        start_words, start_at, end_at = rest[:used], when.at, when.at + timedelta(days=1)
        if used < len(rest):
            _, end, spanned = parse_span(rest, now=now, tz=tz)
            end_words, end_at, extra = rest[used:spanned], end.at, rest[spanned:]
    words = " ".join
    return (
        contact_field(t, contacts, args[0] if args else None, contact),
        FormField(
            START,
            FieldKind.DATETIME,
            t(N_("Start")),
            t(QUESTIONS[START]),
            (Action(t(N_("Now")), "now"), *_times(t, now, tz, TIME_CHOICES - 1)),
            words(start_words) if start_words else None,
            start_at.astimezone(tz).strftime(ISO),
        ),
        FormField(
            END,
            FieldKind.DATETIME,
            t(N_("End")),
            t(QUESTIONS[END]),
            tuple(_times(t, start_at, tz, TIME_CHOICES)),
            words(end_words) if end_words else None,
            end_at.astimezone(tz).strftime(ISO),
        ),
        FormField(
            SCHEDULE,
            FieldKind.SCHEDULE,
            t(N_("Schedule")),
            t(QUESTIONS[SCHEDULE]),
            tuple(Action(s.name, s.name) for s in schedules),
            words(extra) if extra else None,
            schedules[0].name if schedules else None,
            optional=len(schedules) < 2,  # the only schedule needs no question
        ),
        FormField(
            "comment",
            FieldKind.COMMENT,
            t(N_("Comment")),
            t(N_("Comment")),
            optional=True,
        ),
    )


def _append(
    text: str,
    answer: str,
    now: datetime,
    tz: ZoneInfo,
    contacts: list[ContactInfo],
    schedules: list[ScheduleInfo],
) -> str:
    """``text`` with ``answer`` added, once it reads as the argument it lacks next."""
    args = split_command(text)[1]
    step = _step(args, now, tz)
    answer = answer.strip()
    if step == CONTACT:
        return f"{text} {handle(resolve_contact(parse_contact(answer), contacts).key)}"
    if step == SCHEDULE:
        found = match(schedules, answer)
        if found is None:
            names = ", ".join(f"“{s.name}”" for s in schedules)
            raise ParseError(
                N_("There is no schedule “{name}”. Schedules: {names}."), name=answer, names=names
            )
        return f'{text} "{found.name}"'
    words, _ = tokenize(answer)
    if step == START:
        _, used = parse_when(words, now=now, tz=tz)
        if used < len(words):  # start and end in one answer: fine too
            _, _, used = parse_span(words, now=now, tz=tz)
    else:
        _, _, used = parse_span([*args[1:], *words], now=now, tz=tz)
        used -= len(args) - 1
    if used != len(words):
        raise ParseError(
            N_("I did not understand “{text}”. Give one date and time, e.g. 05-01 07:30."),
            text=answer,
        )
    return f"{text} {' '.join(words)}"


def _step(args: list[str], now: datetime, tz: ZoneInfo) -> str | None:
    """What the /override arguments ``args`` lack next; None when nothing is to be asked.

    After contact, start and end, the step is SCHEDULE if nothing follows. Unreadable
    times end the questions: the handler says what is wrong with them.
    """
    if not args:
        return CONTACT
    rest = args[1:]
    if not rest:
        return START
    try:
        _, used = parse_when(rest, now=now, tz=tz)
        if used >= len(rest):
            return END
        _, _, used = parse_span(rest, now=now, tz=tz)
    except ParseError:
        return None
    return SCHEDULE if used == len(rest) else None


def _times(t: Translator, after: datetime, tz: ZoneInfo, count: int) -> list[Action]:
    """The next ``count`` usual handover times after ``after``, as answers."""
    local = after.astimezone(tz)
    found: list[Action] = []
    for days in range(0, 8):
        day = local.date() + timedelta(days=days)
        for at in HANDOVERS:
            moment = datetime.combine(day, at, tzinfo=tz)
            if moment > local and len(found) < count:
                found.append(Action(t.datetime(moment), moment.strftime(ISO)))
    return found
