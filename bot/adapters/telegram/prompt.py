"""/override step by step in a Telegram chat: who covers, from when, until when, where.

On a phone, ``/override @luc 03-13 08:00 03-15 08:00 "01 Horaire"`` is a lot to type.
``/override`` (or ``/remplacement``) sent without its contact, start or end asks for
them in turn, with buttons for likely answers (the account's contacts; "now" and the
next usual handover times) and Cancel; a typed answer works as well. The state is the
command text gathered so far, kept in the ``prompts`` table per chat and user (so it
survives a restart and works on any Garde process); every answer is appended to it.
When the account has several schedules the last question is which one. Then the whole
``/override …`` text is dispatched like a typed command: the handler validates it and
answers as usual (a split override comes with its Confirm button).

Each answer is read with the command grammar's own parsers (:mod:`bot.parsing`) before
it is appended, so a typo is caught at its step and asked again rather than at the end.
This module reads (contacts, schedules) and never writes anything but the prompt. A
question unanswered for :data:`~bot.adapters.telegram_store.PROMPT_LIFETIME` lapses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.telegram.store import drop_prompt, load_prompt, save_prompt
from bot.contract import Action, Actor, Conversation
from bot.dispatch import Who
from bot.i18n import Translator
from bot.parsing import (
    ParseError,
    parse_contact,
    parse_span,
    parse_when,
    resolve_contact,
    tokenize,
)
from bot.parsing import split_command as split
from bot.registry import Registry
from core.accounts.identity import role_allows
from core.db import Database
from core.errors import N_, GardeError
from core.localtime import zone
from core.oncall.schedules import ScheduleInfo, account_contacts, find_schedule, list_schedules

CONTACT, START, END, SCHEDULE = "contact", "start", "end", "schedule"
# Usual handover times of answering-service schedules, offered as buttons; any other
# time is typed.
HANDOVERS = (time(7, 30), time(17, 0))
MAX_CONTACTS = 12  # contact buttons; a larger directory is typed into
TIME_CHOICES = 4

QUESTIONS = {
    CONTACT: N_("Who covers? Choose a contact or type a name."),
    START: N_("From when? Choose or type a date and time (e.g. 05-01 07:30 or now)."),
    END: N_("Until when? Choose or type a date and time (e.g. 05-03 07:30)."),
    SCHEDULE: N_("Which schedule?"),
}


@dataclass
class Ask:
    """A question to show: its text, the command so far, and answers as buttons."""

    text: str
    so_far: str
    choices: list[Action] = field(default_factory=list)  # label, answer text


@dataclass
class Done:
    """Every answer is in: the command to dispatch."""

    command: str


class OverridePrompt:
    """Asks for /override's missing arguments; the state lives in the ``prompts`` table."""

    def __init__(self, db: Database, registry: Registry) -> None:
        self.db, self.registry = db, registry

    def wants(self, text: str, now: datetime) -> bool:
        """Whether ``text`` is an /override that lacks its contact, start or end."""
        try:
            name, args, comment = split(text)
        except ParseError:
            return False
        spec = self.registry.find(name)
        if spec is None or spec.name != "override" or comment is not None:
            return False
        # Only the shape of the words matters here, not the zone they are read in.
        return _step(args, now, ZoneInfo("UTC")) in (CONTACT, START, END)

    async def begin(
        self, who: Who, actor: Actor, conv: Conversation, text: str, now: datetime
    ) -> Ask | None:
        """Start asking for what ``text`` lacks; None when there is nobody to ask for.

        An unlinked identity, no account or too small a role: the dispatcher answers
        the command as it is (with the refusal), so that nobody answers three questions
        to be told no at the end.
        """
        spec = self.registry.find(split(text)[0])
        if who.active is None or spec is None or spec.role is None:
            return None
        if not role_allows(who.active[1], spec.role):
            return None
        await save_prompt(self.db, actor, conv, text.strip(), now)
        return await self._ask(who, text.strip(), now)

    async def answer(
        self, who: Who, actor: Actor, conv: Conversation, answer: str, now: datetime
    ) -> Ask | Done | None:
        """Take one answer; None when this user has no pending question here."""
        text = await load_prompt(self.db, actor, conv, now)
        if text is None or who.active is None:
            return None
        try:
            text = await self._append(who, text, answer, now)
        except GardeError as error:
            ask = await self._ask(who, text, now)
            ask.text = f"{who.t(error.key, **error.params)}\n{ask.text}"
            return ask
        step = _step(split(text)[1], now, self._tz(who))
        if step is None or (step == SCHEDULE and len(await self._schedules(who)) < 2):
            await drop_prompt(self.db, actor, conv)
            return Done(text)
        await save_prompt(self.db, actor, conv, text, now)
        return await self._ask(who, text, now)

    async def cancel(self, actor: Actor, conv: Conversation) -> bool:
        return await drop_prompt(self.db, actor, conv)

    # ----------------------------------------------------------------------- steps

    def _tz(self, who: Who) -> ZoneInfo:
        assert who.active is not None
        return zone(who.active[0].timezone)

    async def _schedules(self, who: Who) -> list[ScheduleInfo]:
        assert who.active is not None
        async with self.db.read() as session:
            return await list_schedules(session, who.active[0].id)

    async def _append(self, who: Who, text: str, answer: str, now: datetime) -> str:
        """``text`` with ``answer`` appended, once it reads as the awaited argument."""
        assert who.active is not None
        args, tz = split(text)[1], self._tz(who)
        step = _step(args, now, tz)
        answer = answer.strip()
        if step == CONTACT:
            async with self.db.read() as session:
                contacts = await account_contacts(session, who.active[0].id)
            return f"{text} {handle(resolve_contact(parse_contact(answer), contacts).key)}"
        if step == SCHEDULE:
            async with self.db.read() as session:
                schedule = await find_schedule(session, who.active[0].id, answer)
            return f'{text} "{schedule.name}"'
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

    async def _ask(self, who: Who, text: str, now: datetime) -> Ask:
        """The question of the step ``text`` is at, with its likely answers."""
        assert who.active is not None
        args, tz = split(text)[1], self._tz(who)
        step = _step(args, now, tz) or SCHEDULE
        t = who.t
        choices: list[Action] = []
        if step == CONTACT:
            async with self.db.read() as session:
                contacts = await account_contacts(session, who.active[0].id)
            choices = [Action(c.name, handle(c.key)) for c in contacts[:MAX_CONTACTS]]
        elif step == START:
            choices = [Action(t(N_("Now")), "now"), *_times(t, now, tz, TIME_CHOICES - 1)]
        elif step == END:
            start, _ = parse_when(args[1:], now=now, tz=tz)
            choices = _times(t, start.at, tz, TIME_CHOICES)
        else:
            choices = [Action(s.name, s.name) for s in await self._schedules(who)]
        return Ask(t(QUESTIONS[step]), text, choices)


def _step(args: list[str], now: datetime, tz: ZoneInfo) -> str | None:
    """What the /override arguments ``args`` lack next; None when nothing is to be asked.

    After contact, start and end, the step is SCHEDULE if nothing follows (whether to
    ask is the caller's choice). Unreadable times end the questions: the handler says
    what is wrong with them.
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
    """The next ``count`` usual handover times after ``after``, as buttons."""
    local = after.astimezone(tz)
    found: list[Action] = []
    for days in range(0, 8):
        day = local.date() + timedelta(days=days)
        for at in HANDOVERS:
            moment = datetime.combine(day, at, tzinfo=tz)
            if moment > local and len(found) < count:
                found.append(Action(t.datetime(moment), moment.strftime("%Y-%m-%d %H:%M")))
    return found


def handle(key: str) -> str:
    """How a command names a contact exactly: ``@key`` (quoted if it has a blank)."""
    return f'"@{key}"' if " " in key else f"@{key}"
