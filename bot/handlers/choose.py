"""Buttons that fill a gap but cannot type a name: the contact, asked by a Form.

A reply that offers to fill an empty shift or an uncovered span (``/oncall who``,
``/oncall view``, a coverage alert's Cover it) knows everything but who will cover. Its
button runs the command without the contact: ``/assign #12`` or ``/override 2025-03-17
07:30 2025-03-18 07:30 "01 Horaire"``. The handler sees the contact missing (the first
word is a shift ref, an ISO date or ``now``, never a contact) and answers with a
:class:`~bot.contract.Form` like any command lacking an argument: a contact field (the
account's contacts as its choices) and the words the button gave, kept as they are.
Slack shows it as a modal, Telegram asks the contact with buttons, the console shows
the usage; the completed command goes through the command's usual checks. Nothing is
written until then. :func:`contact_field` is the one contact field of every form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.contract import Action, Command, FieldKind, Form, FormField, Reply
from bot.handlers.common import handle, quoted
from bot.i18n import Translator
from bot.parsing import ParseError, parse_contact, parse_when, resolve_contact
from core.errors import N_, GardeError
from core.localtime import zone
from core.oncall.schedules import ContactInfo, ScheduleInfo, account_contacts
from core.text import fold

CONTACT, GIVEN = "contact", "given"
WHO = N_("Who covers? Choose a contact or type a name.")
_NOT_A_CONTACT = re.compile(r"#[0-9]+|[0-9]{4}-[0-9]{2}-[0-9]{2}|now|maintenant")
_ISO = "%Y-%m-%d %H:%M"


def lacks_contact(args: tuple[str, ...] | list[str]) -> bool:
    """Whether a command's first word is where its contact should be but is not one."""
    return bool(args) and _NOT_A_CONTACT.fullmatch(fold(args[0])) is not None


def contact_field(
    t: Translator,
    contacts: Sequence[ContactInfo],
    value: str | None = None,
    suggested: str | None = None,
) -> FormField:
    """The CONTACT field of a form: the account's contacts as its choices (``@key``)."""
    choices = tuple(Action(c.name, handle(c.key)) for c in contacts)
    label = t(N_("Contact"))
    return FormField(CONTACT, FieldKind.CONTACT, label, t(WHO), choices, value, suggested)


async def contact_form(command: Command, ctx: Context, usage: str, title: str) -> Reply:
    """The Form of a button's command lacking its contact (or of an answer to it): the
    contact to choose, then the button's words as they are."""
    assert ctx.account is not None
    async with ctx.db.read() as session:
        contacts = await account_contacts(session, ctx.account.id)
    text, given, error = _from_now(command, ctx) or command.raw.strip(), None, None
    if command.answer is not None:
        text = command.answer.so_far
        try:
            given = handle(resolve_contact(parse_contact(command.answer.text), contacts).key)
        except GardeError as refused:
            error = ctx.t(refused.key, **refused.params)
    name, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    fields = (
        contact_field(ctx.t, contacts, given),
        FormField(GIVEN, FieldKind.WORDS, ctx.t(N_("Command")), "", value=rest, suggested=rest),
    )
    done = f"{name} {given} {rest}".rstrip() if given else text
    form = Form(done, ctx.t(title), ctx.t(usage), fields, ctx.t(N_("Save")), error=error)
    return Reply(error or ctx.t(WHO), form=form)


def _from_now(command: Command, ctx: Context) -> str | None:
    """An override button pressed after its start (an alert read late): from now on.
    None when the words stay as they are."""
    assert ctx.account is not None
    if command.answer is not None or command.name != "override" or not command.args:
        return None
    if fold(command.args[0]) in ("now", "maintenant"):
        return None
    try:
        start, used = parse_when(list(command.args), now=ctx.now, tz=zone(ctx.account.timezone))
    except ParseError:
        return None  # the command itself will say what is wrong
    if start.at > ctx.now:
        return None
    words = [command.raw.split(None, 1)[0], "now", *(quoted(a) for a in command.args[used:])]
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
