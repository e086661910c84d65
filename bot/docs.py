"""The command reference (``docs/commands.md``), generated from the registry.

``garde docs`` prints it; ``make docs`` writes it. Like ``/help`` and Slack's manifest,
it comes from the commands' own declarations, so it cannot drift from the code: a
test fails when the committed file differs from what the registry says today.
"""

from __future__ import annotations

from bot.i18n import Catalogs, Translator
from bot.registry import CommandSpec, Registry

TABLE = ["| command | French | what it does | least role |", "| --- | --- | --- | --- |"]
HEADER = """# Chat commands

Generated from the command registry (`bot/registry.py` and `bot/handlers/`) by
`make docs`: do not edit by hand. The same commands work in Slack, Telegram and the
terminal chat; each has English and French names. `/help COMMAND` shows the same in chat.

Roles: `viewer` reads, `scheduler` also changes shifts, `admin` also manages alerts and
link codes. A command acts on the active account (`/account NUMBER` switches).
"""


def commands_markdown(registry: Registry, catalogs: Catalogs) -> str:
    """The reference: a summary table, then one section per command, English and French."""
    en, fr = catalogs.translator("en"), catalogs.translator("fr")
    lines = [HEADER, *TABLE]
    for spec in registry.specs():
        french = ", ".join(f"`/{a}`" for a in spec.aliases) or "—"
        lines.append(f"| `/{spec.name}` | {french} | {en(spec.summary)} | {_role(spec)} |")
    for spec in registry.specs():
        lines += ["", f"## /{spec.name}", "", en(spec.summary), "", "```", en(spec.usage), "```"]
        lines += _examples(spec, en)
        if spec.aliases:
            lines += ["", f"In French: {fr(spec.summary)}", "", "```", fr(spec.usage), "```"]
            lines += _examples(spec, fr)
    return "\n".join(lines) + "\n"


def _role(spec: CommandSpec) -> str:
    if spec.role is not None:
        return f"`{spec.role}`"
    return "any linked user" if spec.needs_link else "anyone, linked or not"


def _examples(spec: CommandSpec, t: Translator) -> list[str]:
    if not spec.examples:
        return []
    return ["", *[f"    {t(example)}" for example in spec.examples]]
