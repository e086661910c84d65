"""Command names (English, with French aliases) -> handlers, and help generated from them.

Each handler module lists its :class:`CommandSpec` objects in ``COMMANDS``; the
composition root builds one :class:`Registry` from all of them. Adapters use the
registry too: Slack's manifest and Telegram's command menu list what is here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from difflib import get_close_matches

from bot.context import Context
from bot.contract import Command, Reply
from core.text import fold

Handler = Callable[[Command, Context], Awaitable[Reply | list[Reply]]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A chat command: its names, what it needs, and its help (msgids)."""

    name: str
    handler: Handler
    summary: str  # one line, a msgid
    usage: str  # the grammar, a msgid: "/override CONTACT START END [SCHEDULE] …"
    role: str | None = "viewer"  # least role on the active account; None: no account needed
    aliases: tuple[str, ...] = ()  # French names, each also a command of its own
    needs_link: bool = True  # False: answers unlinked identities too (link, help, lang)
    examples: tuple[str, ...] = ()  # command texts shown in the help, msgids (French: aliases)


class Registry:
    """Looks commands up by any of their names, case-insensitively."""

    def __init__(self, specs: Iterable[CommandSpec]) -> None:
        self._specs: list[CommandSpec] = []
        self._by_name: dict[str, CommandSpec] = {}
        for spec in specs:
            for name in (spec.name, *spec.aliases):
                if name in self._by_name:
                    raise ValueError(f"command name {name!r} registered twice")
                self._by_name[name] = spec
            self._specs.append(spec)

    def find(self, name: str) -> CommandSpec | None:
        return self._by_name.get(name.lower().lstrip("/"))

    def closest(self, name: str) -> str | None:
        """The command name or alias nearest to a mistyped ``name`` (``overide`` ->
        ``override``, ``remplacment`` -> ``remplacement``), None when none is close."""
        found = get_close_matches(fold(name, keyword=True), self._by_name, n=1, cutoff=0.75)
        return found[0] if found else None

    def specs(self) -> list[CommandSpec]:
        """Every command, in registration order (the order help lists them)."""
        return list(self._specs)
