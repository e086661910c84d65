"""/alerts: which pushes this chat receives for the active account (admins only).

``/alerts`` lists this chat's subscriptions and the account's chats that refuse pushes;
``/alerts on coverage [at HH:MM]`` subscribes (the daily digest at that local hour);
``/alerts off [KIND]`` unsubscribes. French: ``/alertes activer couverture à 07:00``.
"""

from __future__ import annotations

from bot.context import Context
from bot.contract import Action, Command, Reply
from bot.handlers.escalation import set_escalation, status_line
from bot.parsing import fold
from bot.registry import CommandSpec
from core.errors import N_, Invalid
from core.notify.alerts import scan_coverage
from core.notify.subscriptions import (
    chat_subscriptions,
    digest_time,
    failed_subscriptions,
    subscribe,
    unsubscribe,
)

ON = {"on", "activer", "oui"}
OFF = {"off", "desactiver", "non", "arreter"}
AT = {"at", "a"}
ESCALATION = {"escalation", "escalade"}
KIND_WORDS = {
    "coverage": "coverage",
    "couverture": "coverage",
    "messages": "messages",
    "message": "messages",
    "urgent": "urgent",
    "urgents": "urgent",
    "urgence": "urgent",
    "urgences": "urgent",
    "shifts": "shifts",
    "quarts": "shifts",
}
KIND_NAMES = {
    "coverage": N_("coverage gaps"),
    "messages": N_("new messages"),
    "urgent": N_("urgent messages"),
    "shifts": N_("shift changes"),
}
USAGE = N_(
    "/alerts [on|off] [coverage|messages|urgent|shifts] [at HH:MM] · /alerts escalation MINUTES|off"
)


async def alerts(command: Command, ctx: Context) -> Reply:
    assert ctx.account is not None
    words = [fold(w) for w in command.args]
    if not words:
        return await _listing(command, ctx)
    action, rest = words[0], words[1:]
    if action in ESCALATION:
        return await set_escalation(command, ctx, list(command.args[1:]))
    if action not in ON | OFF:
        raise Invalid(N_("Say on or off, e.g. /alerts on coverage at 07:00."))
    kind = KIND_WORDS.get(rest[0]) if rest else ("coverage" if action in ON else None)
    if rest and kind is None:
        raise Invalid(
            N_(
                "“{word}” is not something to receive. Choose coverage, messages, urgent or shifts."
            ),
            word=command.args[1],
        )
    digest = None
    if len(rest) > 1:
        if rest[1] not in AT or len(rest) != 3 or action in OFF or kind != "coverage":
            raise Invalid(N_("Only coverage has a daily digest: /alerts on coverage at 07:00."))
        digest = digest_time(rest[2])
    where = command.conversation
    async with ctx.db.write() as session:
        if action in OFF:
            gone = await unsubscribe(
                session,
                account_id=ctx.account.id,
                platform=where.platform,
                conversation_id=where.id,
                kind=kind,
            )
            return Reply(
                ctx.t(
                    N_("This chat will receive nothing more for account {number}."),
                    number=ctx.account.number,
                )
                if gone
                else ctx.t(N_("This chat had no such subscription."))
            )
        await subscribe(
            session,
            account_id=ctx.account.id,
            platform=where.platform,
            conversation_id=where.id,
            kind=kind,
            locale=ctx.t.lang,
            user_id=ctx.user.id if ctx.user else None,
            now=ctx.now,
            digest_at=digest,
        )
        if kind == "coverage":  # a gap that exists already is announced now, not in 5 min
            await scan_coverage(session, ctx.now, account_ids=[ctx.account.id])
    text = ctx.t(
        N_("This chat now receives {what} for account {number}."),
        what=ctx.t(KIND_NAMES[kind]),
        number=ctx.account.number,
    )
    if digest:
        text += "\n" + ctx.t(N_("A digest of the coming days every day at {time}."), time=digest)
    return Reply(text, actions=[Action(ctx.t(N_("Stop")), f"/alerts off {kind}")])


async def _listing(command: Command, ctx: Context) -> Reply:
    assert ctx.account is not None
    where = command.conversation
    async with ctx.db.read() as session:
        mine = await chat_subscriptions(session, ctx.account.id, where.platform, where.id)
        failed = await failed_subscriptions(session, ctx.account.id)
    lines = [ctx.t(N_("Pushes to this chat for account {number}:"), number=ctx.account.number)]
    for sub in mine:
        line = "• " + ctx.t(KIND_NAMES[sub.kind])
        if sub.digest_at:
            line += " — " + ctx.t(N_("digest at {time}"), time=sub.digest_at)
        lines.append(line)
    if not mine:
        lines.append(ctx.t(N_("none. Try /alerts on coverage at 07:00.")))
    if failed:
        lines.append("")
        lines.append(ctx.t(N_("⚠️ Chats that refuse pushes (bot removed or blocked):")))
        lines += [
            f"• {s.platform} {s.conversation_id}: {ctx.t(KIND_NAMES[s.kind])} — "
            f"{s.failure or ''}".rstrip(" —")
            for s in failed
        ]
    lines += ["", await status_line(ctx)]
    return Reply("\n".join(lines))


COMMANDS = [
    CommandSpec(
        "alerts",
        alerts,
        N_("What this chat is told: coverage gaps, messages."),
        USAGE,
        role="admin",
        aliases=("alertes",),
        examples=(
            N_("/alerts"),
            N_("/alerts on coverage at 07:00"),
            N_("/alerts off coverage"),
            N_("/alerts escalation 10"),
        ),
    ),
]
