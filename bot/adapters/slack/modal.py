"""A Form as a Slack modal: pure functions that build it and read it back.

A handler lacking arguments answers with a :class:`~bot.contract.Form`; Slack shows it
whole, as a modal, one input per field: a select for a contact or a schedule (its
choices), a date-time picker for a date and time, a text input for words (holding the
words a button already gave, if any). Nothing here knows a command: the fields say what
to show. The submission becomes exactly the command text a user could have typed
(``/override @luc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" -- malade``), times
written in the form's zone (or the chosen schedule's), and goes through the dispatcher
like any command: the handler decides, the modal only translates. The fields' names and
kinds travel in the modal's private metadata.

Slack's limits: 100 options per select (the first 100 choices; more would need an
external select), 75 characters per option label, 150 per option value, 3,000
characters of private metadata, 24 for a title or a button.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.slack.render import clip
from bot.contract import FieldKind, Form, FormField

CALLBACK_ID = "garde.form"
OPEN_ACTION = "garde.override.open"  # the App Home button that opens the override form
MAX_OPTIONS = 100
MAX_OPTION_LABEL = 75
MAX_OPTION_VALUE = 150
MAX_METADATA = 3000
MAX_TITLE = 24
ISO = "%Y-%m-%d %H:%M"
SELECTS = (FieldKind.CONTACT, FieldKind.SCHEDULE)
KINDS = frozenset(k.value for k in FieldKind)


class FormError(Exception):
    """A field of the form that cannot be turned into command text (block id, message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the form was opened and what it asks, kept in the modal until submitted."""

    channel_id: str = ""
    response_url: str = ""
    command: str = ""  # the command's name as typed, e.g. "/override"
    fields: tuple[tuple[str, str, bool], ...] = ()  # name, kind, optional
    zone: str = "UTC"
    zones: Mapping[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        data = {
            "c": self.channel_id,
            "r": self.response_url,
            "n": self.command,
            "f": self.fields,
            "z": self.zone,
            "zs": dict(self.zones),
        }
        text = json.dumps(data, ensure_ascii=False)
        if len(text) > MAX_METADATA:  # the response URL is the one thing to do without
            text = json.dumps({**data, "r": ""}, ensure_ascii=False)
        return text

    @classmethod
    def load(cls, text: str | None) -> Origin:
        try:
            data = json.loads(text or "{}")
            fields = tuple((str(n), str(k), bool(o)) for n, k, o in data.get("f") or ())
            zones = {str(k): str(v) for k, v in (data.get("zs") or {}).items()}
        except (ValueError, TypeError, AttributeError):
            return cls()
        return cls(
            str(data.get("c") or ""),
            str(data.get("r") or ""),
            str(data.get("n") or ""),
            fields,
            str(data.get("z") or "UTC"),
            zones,
        )

    def form(self) -> Form:
        """The form as far as reading the submission needs it."""
        fields = tuple(
            FormField(name, FieldKind(kind), "", "", optional=optional)
            for name, kind, optional in self.fields
            if kind in KINDS
        )
        return Form(self.command, "", "", fields, zone=self.zone, zones=self.zones)


def can_show(form: Form) -> bool:
    """Whether the form makes a modal: every select has something to choose."""
    return all(f.choices for f in form.fields if f.kind in SELECTS and f.value is None)


def form_modal(form: Form, channel_id: str = "", response_url: str = "") -> dict:
    """The modal of ``form``, remembering where to answer once it is submitted."""
    origin = Origin(
        channel_id,
        response_url,
        form.command.split(maxsplit=1)[0],
        tuple((f.name, str(f.kind), f.optional) for f in form.fields),
        form.zone,
        dict(form.zones),
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(form.title, MAX_TITLE),
        "submit": _plain(form.submit, MAX_TITLE),
        "private_metadata": origin.dump(),
        "blocks": [_input(f, ZoneInfo(form.zone)) for f in form.fields],
    }


def form_command(origin: Origin, values: Mapping[str, Any], required: str) -> str:
    """The command text a submitted modal stands for; FormError for a missing field."""
    form = origin.form()
    schedule = next((f for f in form.fields if f.kind is FieldKind.SCHEDULE), None)
    place = _selected(values, schedule.name) if schedule else None
    tz = ZoneInfo(form.zones.get(place or "", form.zone))
    words: dict[str, str] = {}
    for f in form.fields:
        if f.kind in SELECTS:
            word = _selected(values, f.name)
        elif f.kind is FieldKind.DATETIME:
            stamp = _value(values, f.name).get("selected_date_time")
            word = None if stamp is None else _local(int(stamp), tz)
        else:
            word = _value(values, f.name).get("value")
        if not word and not f.optional:
            raise FormError(f.name, required)
        words[f.name] = word or ""
    return form.completed(words)


def _local(stamp: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(stamp, tz=tz).strftime(ISO)


def _plain(text: str, limit: int = MAX_OPTION_LABEL) -> dict:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def _option(label: str, value: str) -> dict:
    return {"text": _plain(label), "value": value[:MAX_OPTION_VALUE]}


def _element(f: FormField, tz: ZoneInfo) -> dict:
    """The input of one field, starting at its suggested answer."""
    if f.kind in SELECTS:
        options = [_option(c.label, c.command) for c in f.choices[:MAX_OPTIONS]]
        element: dict[str, Any] = {"type": "static_select", "options": options}
        chosen = next((o for o in options if o["value"] == f.suggested), None)
        if chosen is not None:
            element["initial_option"] = chosen
        return element
    if f.kind is FieldKind.DATETIME:
        element = {"type": "datetimepicker"}
        if f.suggested:
            at = datetime.strptime(f.suggested, ISO).replace(tzinfo=tz)
            element["initial_date_time"] = int(at.timestamp())
        return element
    element = {"type": "plain_text_input", "max_length": 500}
    if f.kind is FieldKind.COMMENT:
        element["multiline"] = True
    if f.suggested:
        element["initial_value"] = f.suggested[:500]
    return element


def _input(f: FormField, tz: ZoneInfo) -> dict:
    return {
        "type": "input",
        "block_id": f.name,
        "label": _plain(f.label, 2000),
        "element": {**_element(f, tz), "action_id": "value"},
        "optional": f.optional,
    }


def _value(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    return (values.get(block) or {}).get("value") or {}


def _selected(values: Mapping[str, Any], block: str) -> str | None:
    return (_value(values, block).get("selected_option") or {}).get("value")
