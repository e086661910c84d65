"""Buttons that fill a gap but cannot type a name: ask for the contact with buttons.

A reply that offers to fill an empty shift or an uncovered span (``/oncall who``,
``/oncall view``, a coverage alert's Cover it) knows everything but who will cover. Its
button runs the command without the contact: ``/assign #12`` or ``/override 2025-03-17
07:30 2025-03-18 07:30 "01 Horaire"``. The handler sees the contact missing (the first
word is a shift ref, an ISO date or ``now``, never a contact) and answers with the
account's contacts as buttons, each the same command with that contact first: the
second press makes the change, through the command's usual checks. Typing the command
with a name works as well. Nothing is written until then.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.contract import Action, Command, Reply
from bot.handlers.common import quoted
from bot.parsing import ParseError, parse_when
from core.errors import N_
from core.localtime import zone
from core.oncall.schedules import ScheduleInfo, account_contacts
from core.text import fold

MAX_CONTACTS = 12  # a longer directory is typed into
_NOT_A_CONTACT = re.compile(r"#[0-9]+|[0-9]{4}-[0-9]{2}-[0-9]{2}|now|maintenant")
_ISO = "%Y-%m-%d %H:%M"


def lacks_contact(args: tuple[str, ...] | list[str]) -> bool:
    """Whether a command's first word is where its contact should be but is not one."""
    return bool(args) and _NOT_A_CONTACT.fullmatch(fold(args[0])) is not None


async def choose_contact(command: Command, ctx: Context) -> Reply:
    """The account's contacts as buttons, each running ``command`` with it first."""
    assert ctx.account is not None
    async with ctx.db.read() as session:
        contacts = await account_contacts(session, ctx.account.id)
    rest = _from_now(command, ctx) or command.raw.strip().split(None, 1)[1]
    shown = contacts[:MAX_CONTACTS]
    lines = [ctx.t(N_("Who covers it? Choose a contact below."))]
    if len(contacts) > len(shown):
        lines.append(
            ctx.t(
                N_("Or send the command with a name: {command}"),
                command=f"/{command.name} NAME {rest}",
            )
        )
    actions = [Action(c.name, f"/{command.name} {quoted('@' + c.key)} {rest}") for c in shown]
    return Reply(
        "\n".join(lines),
        fields=[(ctx.t(N_("Command")), f"/{command.name} {rest}")],
        actions=actions,
    )


def _from_now(command: Command, ctx: Context) -> str | None:
    """An override button pressed after its start (an alert read late): from now on.
    None when the words stay as they are."""
    assert ctx.account is not None
    if command.name != "override" or fold(command.args[0]) in ("now", "maintenant"):
        return None
    try:
        start, used = parse_when(list(command.args), now=ctx.now, tz=zone(ctx.account.timezone))
    except ParseError:
        return None  # the command itself will say what is wrong
    if start.at > ctx.now:
        return None
    words = ["now", *(quoted(a) for a in command.args[used:])]
    if command.comment:
        words += ["--", command.comment]
    return " ".join(words)


def fill_actions(
    ctx: Context,
    schedule: ScheduleInfo,
    start: datetime,
    end: datetime,
    *,
    shift_ref: int | None,
) -> list[Action]:
    """Assign (the whole shift) and Override (the span) for a stretch with nobody."""
    out = []
    if shift_ref is not None:
        out.append(
            Action(ctx.t(N_("Assign #{ref}"), ref=shift_ref), f"/assign #{shift_ref}", "primary")
        )
    out.append(Action(ctx.t(N_("Override")), override_command(schedule, start, end, ctx.now)))
    return out


def override_command(schedule: ScheduleInfo, start: datetime, end: datetime, now: datetime) -> str:
    """``/override 2025-03-17 07:30 2025-03-18 07:30 "01 Horaire"``: the span, contact left
    out; a start already past is ``now`` (an override cannot start in the past)."""
    tz: ZoneInfo = schedule.tz
    first = "now" if start <= now else start.astimezone(tz).strftime(_ISO)
    return f"/override {first} {end.astimezone(tz).strftime(_ISO)} {quoted(schedule.name)}"
