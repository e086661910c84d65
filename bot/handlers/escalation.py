"""Urgent-message escalation in chat: « Je m'en occupe », the delay, and the trail.

``/ack MESSAGE [ACCOUNT]`` (``/pris``) takes an urgent message: it is what the page's
« I'm on it » button runs, as whoever presses it, so a press is an ordinary command
through the dispatcher's checks. It needs no active account: the message is looked
for in the accounts the user holds (the page names the account, so a press never
depends on which account the chat has chosen).

``/alerts escalation MINUTES|off`` (``/alertes escalade …``) is the admins' setting, run
from :mod:`bot.handlers.alerts`; :func:`status_line` is its line in ``/alerts``.
:func:`render_trail` shows who was paged when and who took it, for ``/message ID``.
"""

from __future__ import annotations

from bot.context import Context
from bot.contract import Command, Reply
from bot.i18n import Translator
from bot.notify.pushes import PLATFORMS
from bot.parsing import echo, fold, whole_number
from bot.registry import CommandSpec
from core.errors import N_, Invalid, NotFound
from core.notify.acknowledge import Taken, acknowledge
from core.notify.escalation import Trail
from core.notify.escalation_setting import MAX_MINUTES, delay, set_delay

OFF = {"off", "non", "arreter", "desactiver"}
USAGE = N_("/ack MESSAGE-ID [ACCOUNT]")


async def ack(command: Command, ctx: Context) -> Reply:
    """Take an urgent message: the climb stops and the others are told who took it."""
    if not command.args or len(command.args) > 2:
        raise Invalid(N_("Which message? /ack MESSAGE-ID, e.g. /ack 2598662."))
    if ctx.user is None or not ctx.accounts:
        raise NotFound(N_("There is no message {id} in your accounts."), id=command.args[0])
    number = command.args[1] if len(command.args) == 2 else None
    async with ctx.db.write() as session:
        taken = await acknowledge(
            session,
            account_ids=[a.id for a, _role in ctx.accounts],
            message=command.args[0],
            number=number,
            user_id=ctx.user.id,
            name=ctx.user.name or ctx.user.username,
            origin=ctx.origin(command),
            platform=command.actor.platform,
            now=ctx.now,
        )
    return Reply(_said(taken, ctx.t))


def _said(taken: Taken, t: Translator) -> str:
    if taken.first:
        text = t(
            N_("You took urgent message {id} ({subject}). Nobody else will be paged for it."),
            id=taken.message,
            subject=taken.subject or "—",
        )
        if taken.noted:
            text += " " + t(N_("The others who were paged have been told."))
        return text
    return t(
        N_("Message {id} was already taken by {name} ({via}, {at})."),
        id=taken.message,
        name=taken.name,
        via=PLATFORMS.get(taken.via, taken.via),
        at=taken.at,
        zone=taken.zone,
    )


async def set_escalation(command: Command, ctx: Context, words: list[str]) -> Reply:
    """``/alerts escalation MINUTES|off``: the delay before the next rank is paged."""
    assert ctx.account is not None
    if len(words) != 1:
        raise Invalid(N_("Give minutes or off, e.g. /alerts escalation 10."))
    word = fold(words[0])
    minutes = whole_number(word, 1, MAX_MINUTES)
    if word in OFF:
        minutes = None
    elif minutes is None:
        raise Invalid(
            N_("“{word}” is not a delay: give minutes from 1 to {max}, or off."),
            word=echo(words[0]),
            max=MAX_MINUTES,
        )
    async with ctx.db.write() as session:
        stopped = await set_delay(
            session, ctx.account.id, minutes, origin=ctx.origin(command), now=ctx.now
        )
    if minutes is None:
        text = ctx.t(
            N_("Urgent messages of account {number} are no longer paged."),
            number=ctx.account.number,
        )
        if stopped:
            text += " " + ctx.t(N_("Escalations stopped: {count}."), count=stopped)
        return Reply(text)
    return Reply(_status(ctx.t, ctx.account.number, minutes))


async def status_line(ctx: Context) -> str:
    """What ``/alerts`` says about the escalation of the active account."""
    assert ctx.account is not None
    async with ctx.db.read() as session:
        minutes = await delay(session, ctx.account.id)
    if minutes is None:
        return ctx.t(N_("Urgent messages are not paged. Turn it on: /alerts escalation 10."))
    return _status(ctx.t, ctx.account.number, minutes)


def _status(t: Translator, number: str, minutes: int) -> str:
    return t(
        N_(
            "Urgent messages of account {number} are paged to the person on call; the next "
            "rank after {minutes} min without an answer."
        ),
        number=number,
        minutes=minutes,
    )


OUTCOMES = {
    "paged": N_("{at} · rank {rank}: {name} paged ({via})"),
    "no_chat": N_("{at} · rank {rank}: {name} skipped, no chat linked"),
    "nobody": N_("{at} · rank {rank}: nobody on call in {name}"),
    "blocked": N_("{at} · rank {rank}: the page to {name} was refused ({via}: bot blocked)"),
    "withdrawn": N_("{at} · rank {rank}: not sent to {name}, the message was taken first ({via})"),
    "exhausted": N_("{at} · nobody answered: the admins and urgent chats were told"),
}


def render_trail(trail: Trail, t: Translator, zone: str) -> list[str]:
    """The escalation of a message as lines, oldest first, for ``/message ID``."""
    lines = [t(N_("Escalation:"))]
    for line in trail.lines:
        lines.append(
            "• "
            + t(
                OUTCOMES[line.outcome],
                at=line.at,
                zone=zone,
                rank=line.rank if line.rank is not None else "",
                name=line.name,
                via=PLATFORMS.get(line.platform, line.platform),
            )
        )
    if trail.acked_at is not None:
        lines.append(
            "• "
            + t(
                N_("{at} · taken by {name} ({via})"),
                at=trail.acked_at,
                zone=zone,
                name=trail.acked_name or "",
                via=PLATFORMS.get(trail.acked_via or "", trail.acked_via or ""),
            )
        )
    elif trail.state == "climbing" and trail.due_at is not None:
        lines.append("• " + t(N_("next rank at {at}"), at=trail.due_at, zone=zone))
    elif trail.state == "stopped":
        lines.append("• " + t(N_("stopped: escalation turned off")))
    return lines


def trail_reply(trail: Trail | None, t: Translator, zone: str) -> Reply | None:
    """The trail as a reply of its own (None: the message was never paged)."""
    return None if trail is None else Reply("\n".join(render_trail(trail, t, zone)))


COMMANDS = [
    CommandSpec(
        "ack",
        ack,
        N_("Take an urgent message you were paged for (« I'm on it »)."),
        USAGE,
        role=None,
        aliases=("pris",),
        examples=("/ack 2598662",),
    ),
]
