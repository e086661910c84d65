"""The override form (a Slack modal): pure functions that build it and read it back.

The form is a way of typing ``/override`` without learning its grammar: a contact
picker, date-time pickers for the start and the end, the schedule and an optional
comment. Its submission becomes exactly the command text a user could have typed
(``/override @luc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" -- malade``), times
written in the schedule's own zone, and goes through the dispatcher like any command:
the handler decides, the form only translates.

Slack's limits: 100 options per select (the first 100 contacts by name; more would
need an external select), 75 characters per option label, 150 per option value,
3,000 characters of private metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.adapters.slack.render import clip
from core.errors import N_
from core.oncall.schedules import ContactInfo, ScheduleInfo

CALLBACK_ID = "garde.override"
OPEN_ACTION = "garde.override.open"  # the App Home button that opens the form
MAX_OPTIONS = 100
MAX_OPTION_LABEL = 75
MAX_OPTION_VALUE = 150
MAX_METADATA = 3000
ISO = "%Y-%m-%d %H:%M"
SAVE = N_("Save")

Translate = Callable[..., str]


class FormError(Exception):
    """A field of the form that cannot be turned into command text (block id, message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the form was opened, kept in the modal to answer there once submitted."""

    channel_id: str = ""
    response_url: str = ""

    def dump(self) -> str:
        text = json.dumps({"c": self.channel_id, "r": self.response_url})
        return text if len(text) <= MAX_METADATA else json.dumps({"c": self.channel_id})

    @classmethod
    def load(cls, text: str | None) -> Origin:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        return cls(str(data.get("c") or ""), str(data.get("r") or ""))


def _plain(text: str, limit: int = MAX_OPTION_LABEL) -> dict:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def _handle(contact: ContactInfo) -> str:
    """How the command names the contact: its directory key, which resolves exactly."""
    text = f"@{contact.key}"
    return f'"{text}"' if " " in text else text


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


def _option(label: str, value: str) -> dict:
    return {"text": _plain(label), "value": value[:MAX_OPTION_VALUE]}


def _input(block_id: str, label: str, element: dict, *, optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }


def override_modal(
    t: Translate,
    contacts: Sequence[ContactInfo],
    schedules: Sequence[ScheduleInfo],
    now: datetime,
    origin: Origin,
) -> dict:
    """The form; it starts at the next full hour and lasts a day by default."""
    start = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    people = [_option(c.name, _handle(c)) for c in contacts[:MAX_OPTIONS]]
    places = [_option(s.name, s.name) for s in schedules[:MAX_OPTIONS]]
    schedule_select: dict[str, Any] = {"type": "static_select", "options": places}
    if places:
        schedule_select["initial_option"] = places[0]
    blocks = [
        _input("contact", t(N_("Contact")), {"type": "static_select", "options": people}),
        _input("start", t(N_("Start")), _picker(start)),
        _input("end", t(N_("End")), _picker(start + timedelta(days=1))),
        _input("schedule", t(N_("Schedule")), schedule_select),
        _input(
            "comment",
            t(N_("Comment")),
            {"type": "plain_text_input", "multiline": True, "max_length": 500},
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(t(N_("Override")), 24),
        "submit": _plain(t(SAVE), 24),
        "private_metadata": origin.dump(),
        "blocks": blocks,
    }


def _picker(at: datetime) -> dict:
    return {"type": "datetimepicker", "initial_date_time": int(at.timestamp())}


def _value(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    return (values.get(block) or {}).get("value") or {}


def override_command(
    t: Translate, values: Mapping[str, Any], schedules: Sequence[ScheduleInfo]
) -> str:
    """The ``/override`` text a submitted form stands for; FormError for a missing field."""
    required = N_("This field is required.")
    contact = (_value(values, "contact").get("selected_option") or {}).get("value")
    if not contact:
        raise FormError("contact", t(required))
    name = (_value(values, "schedule").get("selected_option") or {}).get("value")
    schedule = next((s for s in schedules if s.name[:MAX_OPTION_VALUE] == name), None)
    if schedule is None:
        names = ", ".join(f"“{s.name}”" for s in schedules)
        message = N_("There is no schedule “{name}”. Schedules: {names}.")
        raise FormError("schedule", t(message, name=name or "", names=names))
    times = []
    for field in ("start", "end"):
        stamp = _value(values, field).get("selected_date_time")
        if stamp is None:
            raise FormError(field, t(required))
        times.append(datetime.fromtimestamp(int(stamp), tz=schedule.tz).strftime(ISO))
    parts = ["/override", contact, *times, _quoted(schedule.name)]
    comment = " ".join((_value(values, "comment").get("value") or "").split())
    if comment:
        parts += ["--", comment]
    return " ".join(parts)
