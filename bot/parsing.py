"""Chat arguments -> values: tokens, contacts, dates, times, spans and months.

Pure functions: no I/O, no database, no chat library. Every failure is a
:class:`ParseError` whose key is an English msgid (translated in bot, formatted after
translation) and whose parameters are text the user typed or formatted local times,
never internal ids. Tokens and contacts live here; dates, times, spans and months in
:mod:`bot.timeparse` and :mod:`bot.periods`, re-exported here so that callers import
everything from this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.periods import (
    is_range_word,
    parse_clock,
    parse_month,
    parse_weekdays,
    take_month,
    take_range,
)
from bot.timeparse import ParseError, When, parse_date, parse_span, parse_when
from core.errors import N_
from core.text import fold

__all__ = [
    "ECHO_LIMIT",
    "MAX_COMMENT",
    "TOO_LONG",
    "ContactRef",
    "ParseError",
    "When",
    "echo",
    "fold",
    "is_range_word",
    "parse_clock",
    "parse_contact",
    "parse_date",
    "parse_month",
    "parse_span",
    "parse_weekdays",
    "parse_when",
    "resolve_contact",
    "split_command",
    "take_month",
    "take_range",
    "tokenize",
    "whole_number",
]


# --------------------------------------------------------------------------- tokens

# One piece of text at a time: blanks, a quoted string, a lone opening quote, a Slack
# `<...>` (mention, channel, link: may hold spaces), or a run of ordinary characters.
_PIECE = re.compile(
    r"""(?P<space>\s+)
      | ["“”„](?P<quoted>[^"“”]*)["“”] | «(?P<guillemets>[^»]*)»
      | (?P<unclosed>["“”„«])
      | (?P<angle><[^<>]*>)
      | (?P<word>[^\s"“”„«<]+|<)""",
    re.VERBOSE,
)
# `--` ends the arguments; phones often turn it into an em or en dash.
_COMMENT_MARKS = frozenset({"--", "\u2014", "\u2013"})


def tokenize(text: str) -> tuple[list[str], str | None]:
    """Split ``text`` like a shell, keeping quoted names and Slack mentions whole.

    Returns the tokens and the comment: what follows a standalone ``--`` (stripped, its
    spacing kept; ``""`` when nothing follows), or ``None`` when there is no ``--``.
    A quoted ``"--"`` is an ordinary token.
    """
    tokens: list[str] = []
    parts: list[str] = []
    quoted = False
    padded = text + " "  # a final blank ends the last token like any other
    for m in _PIECE.finditer(padded):
        if m.group("unclosed") is not None:
            raise ParseError(
                N_('This quote is not closed: {text}. Close it, e.g. "Luc Lambert".'),
                text=echo(text[m.start() :]),
            )
        if m.group("space") is None:
            inner = m.group("quoted") if m.group("quoted") is not None else m.group("guillemets")
            quoted = quoted or inner is not None
            parts.append(m.group(0) if inner is None else inner.strip())
            continue
        if parts or quoted:
            token = "".join(parts)
            if not quoted and token in _COMMENT_MARKS:
                return tokens, padded[m.end() :].strip()
            tokens.append(token)
        parts, quoted = [], False
    return tokens, None


ECHO_LIMIT = 60  # characters of the user's own input a reply shows back
MAX_COMMENT = 500  # characters of a comment (it is stored and shown back)
TOO_LONG = N_("The comment is too long: at most {max} characters.")


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """What a reply may show of the user's input: ``text`` cut at ``limit`` characters,
    an ellipsis marking the cut (a megabyte typed is not a megabyte answered)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def whole_number(token: str, low: int, high: int) -> int | None:
    """``token`` as a whole number from ``low`` to ``high`` (ASCII digits), else None.

    Digits are counted before converting: ``int()`` of 5,000 digits raises, and a
    20-digit rank overflows the database's integers.
    """
    if not (token.isascii() and token.isdigit()) or len(token.lstrip("0")) > len(str(high)):
        return None
    value = int(token)
    return value if low <= value <= high else None


# --------------------------------------------------------------------------- contacts


@dataclass(frozen=True)
class ContactRef:
    """How the user named a contact: a Slack user id, a handle (``@luc``) or a name."""

    kind: Literal["slack", "handle", "name"]
    value: str


_MENTION = re.compile(r"<@([A-Za-z0-9]+)(?:\|[^>]*)?>")
_MISSING_CONTACT = N_(
    "Contact missing. Give a handle (@luc), the start of a name (luc) or a full name in "
    'quotes ("Luc Lambert").'
)


def parse_contact(token: str) -> ContactRef:
    """Read one CONTACT token: a Slack mention, an ``@handle`` or a (prefix of a) name."""
    token = token.strip()
    if m := _MENTION.fullmatch(token):
        return ContactRef("slack", m.group(1))
    if token.startswith("@") and token[1:].strip():
        return ContactRef("handle", token[1:].strip())
    if not token.strip("@ "):
        raise ParseError(_MISSING_CONTACT)
    return ContactRef("name", token)


def resolve_contact(ref: ContactRef, contacts: Sequence[Any]) -> Any:
    """Find the one contact ``ref`` designates among ``contacts`` (directory entries).

    A handle that matches no key or Telegram username is then tried as a name, so that
    ``@helene`` still finds Hélène Roy when her handle is ``hroy``.
    """
    if not ref.value.strip():
        raise ParseError(_MISSING_CONTACT)
    if ref.kind == "slack":
        found = [c for c in contacts if c.slack_user_id and c.slack_user_id == ref.value]
        if not found:
            raise ParseError(
                N_(
                    "This Slack user is not a contact of this account. Name a contact instead "
                    '(@luc, luc or "Luc Lambert"); /directory lists them.'
                )
            )
        if len(found) > 1:
            raise ParseError(
                N_(
                    "This Slack user matches several contacts: {candidates}. "
                    'Give the full name in quotes instead, e.g. "Luc Lambert".'
                ),
                candidates=_names(found),
            )
        return found[0]
    if ref.kind == "handle":
        handle = ref.value.casefold()
        found = [c for c in contacts if handle in _handles(c)]
        if found:
            return _only(found, "@" + ref.value)
        return _by_name(ref.value, contacts, "@" + ref.value)
    return _by_name(ref.value, contacts, ref.value)


def _handles(contact: Any) -> set[str]:
    names = {contact.key or "", (contact.telegram_username or "").lstrip("@")}
    return {n.casefold() for n in names if n}


def _by_name(name: str, contacts: Sequence[Any], text: str) -> Any:
    """The contact ``name`` is the full name of, else the unique one it starts a word of."""
    wanted = fold(name)
    if not wanted:
        raise ParseError(_MISSING_CONTACT)
    exact = [c for c in contacts if fold(c.name) == wanted]
    if exact:
        return _only(exact, text)

    def starts(contact: Any) -> bool:
        full = fold(contact.name)
        words = re.split(r"[\s\-'\u2019]+", full)
        return any(w.startswith(wanted) for w in (full, *words, fold(contact.key)) if w)

    found = [c for c in contacts if starts(c)]
    if not found:
        raise ParseError(
            N_(
                "No contact matches “{text}”. Give a handle (@luc), the start of a name "
                '(luc) or a full name in quotes ("Luc Lambert"); /directory lists them.'
            ),
            text=text,
        )
    return _only(found, text)


def _only(found: list[Any], text: str) -> Any:
    if len(found) == 1:
        return found[0]
    raise ParseError(
        N_(
            "“{text}” matches several contacts: {candidates}. Type more of the name, or "
            'the full name in quotes, e.g. "Luc Lambert".'
        ),
        text=text,
        candidates=_names(found),
    )


def _names(contacts: list[Any]) -> str:
    return ", ".join(sorted((c.name or "" for c in contacts), key=lambda n: (fold(n), n)))


SHARE = frozenset({"share", "partager"})  # post the reply in the channel (Slack)


def split_command(text: str) -> tuple[str, list[str], str | None]:
    """``/oncall@GardeBot who -- note`` -> ``("oncall", ["who"], "note")``.

    The name is lower-cased, its slash and a Telegram ``@botname`` suffix removed; an
    empty text gives the name ``""`` (the dispatcher answers with help). A last word
    ``share`` (``partager``) is taken off: Slack posts such a reply in the channel, and
    on every other platform it has nothing to change (a reply there is seen by the chat).
    """
    tokens, comment = tokenize(text.strip())
    if len(tokens) > 1 and tokens[-1].casefold() in SHARE:
        tokens = tokens[:-1]
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ParseError(TOO_LONG, max=MAX_COMMENT)
    if not tokens:
        return "", [], comment
    name = tokens[0].lstrip("/").split("@", 1)[0].lower()
    return name, tokens[1:], comment
