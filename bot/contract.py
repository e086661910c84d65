"""The platform-neutral contract between adapters and handlers: plain dataclasses.

An adapter turns a Slack request, a Telegram update or a console line into a
:class:`Command`; a handler returns :class:`Reply` objects; the adapter's renderer
turns them into Block Kit, Telegram HTML or terminal text. A button is an
:class:`Action` carrying the command it dispatches when pressed, so a press is just
another command. A handler that lacks arguments may answer with a :class:`Form`
(carried by its reply): the fields still to give, their kinds and likely answers, and
the command gathered so far; each adapter asks it its own way (a Slack modal, Telegram
questions one at a time, a usage line on the console), and the completed command text
goes through the dispatcher like any typed one.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    answer: Answer | None = None  # set when the args end with an answer to a Form


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to the next question of a Form asked step by step: the command text
    gathered so far, and what was answered (typed or pressed), not yet read."""

    so_far: str
    text: str


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


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number the reply's text shows: ``shown`` as written there
    (``+1 514-555-0101``), ``dial`` what a phone calls (``+15145550101``, E.164). Each
    renderer makes ``shown`` tappable where its platform can (Slack: a ``tel:`` link)."""

    shown: str
    dial: str


class FieldKind(StrEnum):
    CONTACT = "contact"  # a contact of the account: choices are ``@key`` handles
    DATETIME = "datetime"  # a local date and time, written ``YYYY-MM-DD HH:MM``
    SCHEDULE = "schedule"  # a schedule's name
    TEXT = "text"  # free words
    COMMENT = "comment"  # free words written after ``--``
    WORDS = "words"  # command words as typed (quotes kept), written back unchanged


@dataclass(frozen=True, slots=True)
class FormField:
    """One argument a Form asks for; every text is already translated."""

    name: str  # stable id, e.g. "contact"
    kind: FieldKind
    label: str  # "Contact": a modal's field label
    question: str  # "Who covers? …": the question when asked one at a time
    choices: tuple[Action, ...] = ()  # likely answers: label, the words answered
    value: str | None = None  # the words already given; None while missing
    suggested: str | None = None  # a default answer (a picker's start), as command words
    optional: bool = False  # a step-by-step form does not ask it


@dataclass(frozen=True, slots=True)
class Form:
    """A command to complete: ``command`` holds the words gathered so far, ``fields``
    every argument in the order the command takes them (given ones with their value).

    ``zone`` is the zone a DATETIME is written in; ``zones`` overrides it per answer of
    a SCHEDULE field (a schedule keeping another zone reads its times in that zone).
    ``error`` says why the last answer was not taken (it is asked again).
    """

    command: str
    title: str
    usage: str  # the command's grammar, translated, with the name as typed
    fields: tuple[FormField, ...]
    submit: str = "OK"
    zone: str = "UTC"
    zones: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def next_field(self) -> FormField | None:
        """The first field a step-by-step form still asks; None when nothing is left."""
        return next((f for f in self.fields if f.value is None and not f.optional), None)

    def completed(self, values: Mapping[str, str]) -> str:
        """The command text with every field's words: ``values`` (by field name) or
        the value already given; empty fields are left out, a comment goes last."""
        words, comment = [self.command.split(maxsplit=1)[0]], ""
        for f in self.fields:
            value = " ".join((values.get(f.name) or f.value or "").split())
            if not value:
                continue
            if f.kind is FieldKind.COMMENT:
                comment = value
            elif f.kind in (FieldKind.SCHEDULE, FieldKind.TEXT) and " " in value:
                words.append(value if value.startswith('"') else f'"{value}"')
            else:
                words.append(value)
        return " ".join(words + (["--", comment] if comment else []))


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
    form: Form | None = None  # what is missing, to ask; ``text`` then says what it is
    phones: list[Phone] = field(default_factory=list)  # numbers in the text, to link
    colon: str = ": "  # between a field's label and its value, as the reply's language writes it


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
