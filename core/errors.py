"""Domain errors that carry a translatable message, never text for a chat.

The message is an English msgid marked with :func:`N_` so that ``pybabel extract``
finds it; the bot translates it with the parameters at the render boundary. Core
code raises these; nothing here formats user-facing text.
"""

from __future__ import annotations

from typing import Any, NamedTuple


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it (translation happens in bot)."""
    return msgid


class Plural(NamedTuple):
    """A message whose words follow a number, the ``count`` parameter: the translator
    picks the form the language's plural rule wants (French: 0 and 1 are singular)."""

    singular: str
    plural: str


def Np_(singular: str, plural: str) -> Plural:
    """Mark a message with plural forms for extraction (``pybabel -k Np_:1,2``)."""
    return Plural(singular, plural)


class GardeError(Exception):
    """An expected failure that a user can act on: a message key and its parameters."""

    def __init__(self, key: str | Plural, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.params!r})"


class NotFound(GardeError):
    """A referenced thing (schedule, shift, contact, account) does not exist."""


class Invalid(GardeError):
    """The request is well-formed but not allowed by the rules (bounds, past, overlap)."""


class Forbidden(GardeError):
    """The actor's role does not allow the operation on this account."""
