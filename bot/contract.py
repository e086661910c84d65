"""The platform-neutral contract between adapters and handlers: plain dataclasses.

An adapter turns a Slack request, a Telegram update or a console line into a
:class:`Command`; a handler returns :class:`Reply` objects; the adapter's renderer
turns them into Block Kit, Telegram HTML or terminal text. A button is an
:class:`Action` carrying the command it dispatches when pressed, so a press is just
another command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


class Visibility(StrEnum):
    EPHEMERAL = "ephemeral"  # only the person who asked sees it (the default)
    IN_CHANNEL = "in_channel"  # everyone in the conversation
    DIRECT = "direct"  # a private message to the person


@dataclass(frozen=True, slots=True)
class Actor:
    """Who typed or pressed: a platform identity, not yet a Garde user."""

    platform: str  # "slack", "telegram", "console"
    user_id: str  # the platform's user id (Slack U…, Telegram number, console username)
    team_id: str = ""  # Slack workspace; empty elsewhere
    name: str | None = None
    locale_hint: str | None = None  # the platform's language for this user, if it says
    handle: str | None = None  # the platform's @username (Telegram), to page contacts by it


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where it was typed: a channel, group or private chat."""

    platform: str
    id: str
    kind: str = "direct"  # "direct", "group" or "channel"


@dataclass(frozen=True, slots=True)
class Command:
    """One command as a handler sees it: ``/override @luc 05-01 07:30 05-03 07:30``."""

    name: str  # canonical English name, e.g. "override"
    args: tuple[str, ...]  # tokens after the name, quotes removed
    raw: str  # the whole text as typed
    actor: Actor
    conversation: Conversation
    at: datetime  # when it was sent (aware); "now" for the handler
    comment: str | None = None  # text after `--`


@dataclass(frozen=True, slots=True)
class Action:
    """A button: its label, and the command text a press dispatches."""

    label: str
    command: str
    style: str | None = None  # "primary", "danger" or None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send: recordings, CSV, PDF, a chart.

    The content type decides how a platform shows it: ``audio/*`` plays in place
    (Telegram ``sendAudio``, Slack's player), ``image/*`` is a picture, anything else a
    document. ``title`` and ``caption`` are already translated text.
    """

    name: str  # the file name the user sees (Garde chooses it; never a user's input)
    content_type: str
    path: Path
    title: str | None = None  # audio title, or the file's title in Slack
    caption: str | None = None  # a line shown with the file
    duration_s: int | None = None  # audio length, for the players that show it
    fallback: str | None = None  # said instead when the platform cannot take the file (size)


@dataclass(slots=True)
class Reply:
    """What to say. Text is plain (renderers escape it); tables and fields are data."""

    text: str
    title: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)  # label, value
    rows: list[list[str]] = field(default_factory=list)  # a table, first row = header
    actions: list[Action] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    visibility: Visibility = Visibility.EPHEMERAL
    monospace: bool = False  # text is a grid (coverage calendar): keep it aligned


class DeliveryError(Exception):
    """A push could not be delivered now; adapters raise the kind that says what to do."""


class RateLimited(DeliveryError):
    """The platform said slow down: retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


class TemporaryFailure(DeliveryError):
    """A 5xx, a timeout, a network error: retry with backoff."""


class PermanentFailure(DeliveryError):
    """The bot was removed, blocked or the conversation is gone: do not retry."""
