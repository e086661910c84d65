"""The terminal chat: ``garde say`` for one command, and the interactive demo chat.

A console line is a command like any other; replies are rendered as plain text,
each button on its own line as ``[Label] -> /command args``; phone numbers
(``Reply.phones``) stay the text the reply shows (a terminal dials nothing). A Form (a command that
lacks arguments) is shown as what is missing and the command's usage line: a terminal
types the whole command again more easily than it answers questions. The console acts as
the Garde user it is started for (linked by :func:`bot.app.link_console`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import datetime

from bot.contract import Actor, Conversation, PermanentFailure, Reply
from bot.dispatch import Dispatcher
from core.text import visible


def render(replies: list[Reply]) -> str:
    """Replies as terminal text; a control character is spelled out (``\\x1b``), never
    sent raw to the terminal (text typed in chat, or stored before import stripped them)."""
    return visible("\n\n".join(_render_one(r) for r in replies))


def _render_one(reply: Reply) -> str:
    lines = []
    if reply.title:
        lines += [reply.title, "=" * len(reply.title)]
    if reply.text:
        lines.append(reply.text)
    lines += [f"{label}{reply.colon}{value}" for label, value in reply.fields]
    if reply.rows:
        widths = [max(len(row[i]) for row in reply.rows) for i in range(len(reply.rows[0]))]
        lines += [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in reply.rows
        ]
    lines += [f"📎 {f.name} ({f.path})" for f in reply.files]
    lines += [f"[{a.label}] -> {a.command}" for a in reply.actions]
    if reply.form is not None:
        lines.append(reply.form.usage)
    return "\n".join(lines)


def _actor(username: str) -> tuple[Actor, Conversation]:
    return Actor("console", username, name=username), Conversation("console", username)


async def say(
    dispatcher: Dispatcher,
    username: str,
    text: str,
    now: datetime,
    lang: str | None = None,
    account: str | None = None,
) -> str:
    """Run one command as ``username`` and return the rendered reply; ``account`` is the
    account it acts on, for this command only (the stored active account stays)."""
    actor, conversation = _actor(username)
    replies = await dispatcher.run(text, actor, conversation, now, lang=lang, account=account)
    return render(replies)


async def chat(dispatcher: Dispatcher, username: str, clock: Callable[[], datetime]) -> None:
    """The interactive demo chat on this terminal, until end of input."""
    actor, conversation = _actor(username)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, _read_line)
        if line is None:
            return
        if line.strip():
            replies = await dispatcher.run(line, actor, conversation, clock())
            print(render(replies), end="\n\n", flush=True)


def _read_line() -> str | None:
    try:
        return input("garde> ")
    except EOFError:
        return None
    finally:
        sys.stdout.flush()


class ConsoleAdapter:
    """Pushes to a console chat (``/alerts on coverage`` typed in the terminal) are
    printed on the terminal of ``garde serve``."""

    platform = "console"

    def mount(self, app: object) -> None:  # no routes: the terminal is not on the web
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def push(self, conversation_id: str, replies: list[Reply]) -> str | None:
        # The conversation id is Garde's own address (a username here): not for the reader.
        print(f"\n🔔 {render(replies)}\n", flush=True)
        return None  # a terminal's lines cannot be edited: no id to keep

    async def edit(self, ref: str, replies: list[Reply]) -> None:
        raise PermanentFailure("a terminal cannot edit what it printed")
