"""Paged lists (messages, calls, billable calls): one page at a time, a button for the next.

The page is part of the command (``/messages week page 2``): the Next button carries the
same command with the next page number, so a press is just another command on every
platform, and each page is read fresh (a message closed meanwhile leaves ``open``).
Long texts (the account's information pages) are paged the same way by
:func:`text_pages`: a page holds at most :data:`TEXT_PAGE` characters, so that it is one
Telegram message (4,096) and one Slack section (3,000) even once escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.contract import Action
from bot.i18n import Translator
from bot.parsing import ParseError, echo, fold, whole_number
from core.errors import N_

PAGE_SIZE = 10
MAX_PAGE = 10_000
TEXT_PAGE = 2000  # characters of text on one page of a long text
_WORDS = frozenset({"page", "p"})  # the same word in French


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``number`` (1-based) of ``size`` rows."""

    number: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def take_page(args: Sequence[str], size: int = PAGE_SIZE) -> tuple[Page, list[str]]:
    """The page asked for (``page 2`` anywhere in ``args``; page 1 without) and the rest."""
    rest = list(args)
    for i, token in enumerate(rest):
        if fold(token) not in _WORDS:
            continue
        value = rest[i + 1] if i + 1 < len(rest) else ""
        number = whole_number(value, 1, MAX_PAGE)
        if number is None:
            raise ParseError(
                N_("“{text}” is not a page number. Use page 2, up to page {max}."),
                text=echo(f"{token} {value}"),
                max=MAX_PAGE,
            )
        return Page(number, size), rest[:i] + rest[i + 2 :]
    return Page(1, size), rest


def command_text(name: str, args: Sequence[str]) -> str:
    """``/name arg "two words"``: a command a button can dispatch, quoting what needs it."""
    parts = [f"/{name}", *(f'"{a}"' if not a or any(c.isspace() for c in a) else a for a in args)]
    return " ".join(parts)


def pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def page_actions(
    t: Translator, name: str, args: Sequence[str], page: Page, total: int
) -> list[Action]:
    """Previous / Next buttons for a list of ``total`` rows shown ``page`` by page."""
    actions = []
    if page.number > 1:
        back = [*args, "page", str(page.number - 1)] if page.number > 2 else list(args)
        actions.append(Action(t(N_("‹ Previous")), command_text(name, back)))
    if page.number < pages(total, page.size):
        actions.append(
            Action(t(N_("Next ›")), command_text(name, [*args, "page", str(page.number + 1)]))
        )
    return actions


def page_line(t: Translator, page: Page, total: int) -> str:
    """``Page 2 of 7`` (empty when everything fits on one page)."""
    count = pages(total, page.size)
    if count == 1:
        return ""
    return t(N_("Page {page} of {pages}"), page=page.number, pages=count)


@dataclass(frozen=True, slots=True)
class Piece:
    """A titled text, or a piece of one (``continued`` when not its beginning)."""

    title: str
    text: str
    continued: bool = False


def text_pages(texts: Sequence[tuple[str, str]], limit: int = TEXT_PAGE) -> list[list[Piece]]:
    """Titled texts laid out on pages of about ``limit`` characters: a long text is cut
    between lines (a long line between words), short ones share a page, in order."""
    pieces = [
        Piece(title, part, n > 0)
        for title, text in texts
        for n, part in enumerate(_cut(text, limit))
    ]
    out: list[list[Piece]] = []
    used = 0
    for piece in pieces:
        cost = len(piece.title) + len(piece.text)
        if not out or used + cost > limit:
            out.append([])
            used = 0
        out[-1].append(piece)
        used += cost
    return out


def _cut(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at line ends where it can."""
    parts: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        while len(line) > limit:
            at = line.rfind(" ", 0, limit + 1)
            at = at if at > 0 else limit
            if current is not None:
                parts.append(current)
                current = None
            parts.append(line[:at])
            line = line[at:].lstrip(" ")
        if current is not None and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = None
        current = line if current is None else f"{current}\n{line}"
    parts.append(current or "")
    return parts
