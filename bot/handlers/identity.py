"""Linking a chat identity to a Garde user, and the language it speaks: /link, /start, /lang."""

from __future__ import annotations

from bot.context import Context
from bot.contract import Command, Reply
from bot.i18n import normalize
from bot.registry import CommandSpec
from core.accounts.identity import redeem_link_code, set_identity_locale
from core.errors import N_, Invalid


async def link(command: Command, ctx: Context) -> Reply:
    """/link CODE: this chat identity acts as the user the code was made for."""
    if len(command.args) != 1:
        raise Invalid(N_("Send the code you were given: /link CODE (e.g. /link K7M2QX9PTA)."))
    actor = command.actor
    async with ctx.db.write() as session:
        user = await redeem_link_code(
            session,
            command.args[0],
            platform=actor.platform,
            team_id=actor.team_id,
            external_id=actor.user_id,
            now=ctx.now,
        )
    return Reply(
        ctx.t(
            N_("Linked: you act as {name} ({username}). Try /oncall or /help."),
            name=user.name or user.username,
            username=user.username,
        )
    )


async def start(command: Command, ctx: Context) -> Reply:
    """Telegram's /start [CODE]: the deep link of ``garde link-code`` links; alone, it greets."""
    if command.args:
        return await link(command, ctx)
    if ctx.identity is None:
        return Reply(
            ctx.t(
                N_(
                    "Hello! Garde shows your on-call schedules, messages and calls here. "
                    "This chat is not linked yet: ask your administrator for a link code, "
                    "then send /link CODE."
                )
            )
        )
    return Reply(
        ctx.t(
            N_("Hello {name}! /oncall shows who is on call; /help lists everything."),
            name=ctx.identity.user.name or ctx.identity.user.username,
        )
    )


async def lang(command: Command, ctx: Context) -> Reply:
    """/lang fr|en: the language of this chat identity's replies."""
    choice = normalize(command.args[0]) if len(command.args) == 1 else None
    if choice is None:
        raise Invalid(N_("Choose fr or en: /lang fr or /lang en."))
    assert ctx.identity is not None
    async with ctx.db.write() as session:
        await set_identity_locale(session, ctx.identity.id, choice)
    # Confirmed in the language just chosen.
    return Reply(ctx.catalogs.translator(choice)(N_("I will answer in English from now on.")))


COMMANDS = [
    CommandSpec(
        "link",
        link,
        N_("Link this chat to your Garde user."),
        N_("/link CODE"),
        role=None,
        aliases=("lier",),
        needs_link=False,
    ),
    CommandSpec(
        "start",
        start,
        N_("Start: link with a code, or a greeting."),
        N_("/start [CODE]"),
        role=None,
        needs_link=False,
    ),
    CommandSpec(
        "lang",
        lang,
        N_("Choose the language of the replies."),
        N_("/lang fr|en"),
        role=None,
        aliases=("langue",),
    ),
]
