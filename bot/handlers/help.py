"""/help: generated from the registry, so a new command is documented where it is declared."""

from __future__ import annotations

from bot.context import Context
from bot.contract import Command, Reply
from bot.registry import CommandSpec
from core.errors import N_, NotFound


async def help_(command: Command, ctx: Context) -> Reply:
    """/help lists the commands this user may run; /help COMMAND explains one."""
    if command.args:
        spec = ctx.registry.find(command.args[0])
        if spec is None:
            raise NotFound(
                N_("There is no command /{name}. /help lists them."),
                name=command.args[0].lstrip("/"),
            )
        fields = [(ctx.t(N_("Usage")), ctx.t(spec.usage))]
        if spec.aliases:
            fields.append((ctx.t(N_("Also")), ", ".join(f"/{a}" for a in spec.aliases)))
        if spec.examples:
            fields.append((ctx.t(N_("Examples")), "\n".join(ctx.t(e) for e in spec.examples)))
        return Reply(ctx.t(spec.summary), title=f"/{spec.name}", fields=fields)
    rows = [[ctx.t(N_("Command")), ctx.t(N_("What it does"))]]
    rows += [
        [ctx.t(spec.usage), ctx.t(spec.summary)]
        for spec in ctx.registry.specs()
        if spec.role is None or ctx.allows(spec.role) or ctx.account is None
    ]
    return Reply(ctx.t(N_("Commands (/help COMMAND for details):")), rows=rows)


COMMANDS = [
    CommandSpec(
        "help",
        help_,
        N_("The commands, or one of them in detail."),
        N_("/help [COMMAND]"),
        role=None,
        aliases=("aide",),
        needs_link=False,
    ),
]
