"""What the webhook lets through to python-telegram-bot: JSON of the shape Garde reads.

PTB builds its objects without checking types (``"text": 12345`` becomes a message
whose text is a number), and the standard JSON parser raises ``RecursionError`` on an
update nested 5,000 levels deep. So the body is parsed here, a too-deep or malformed
one refused with 400, and the fields Garde reads (ids, chat type, sender, text,
button data) must have Telegram's types; anything else in the update is left to PTB.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


class _User(_Shape):
    id: int
    is_bot: bool = False
    first_name: str = ""
    last_name: str | None = None
    language_code: str | None = None


class _Chat(_Shape):
    id: int
    type: str


class _Entity(_Shape):
    type: str
    offset: int
    length: int


class _Message(_Shape):
    message_id: int
    date: int
    chat: _Chat
    sender: _User | None = Field(None, alias="from")
    text: str | None = None
    entities: list[_Entity] | None = None


class _Callback(_Shape):
    id: str
    sender: _User = Field(alias="from")
    data: str | None = None
    message: _Message | None = None


class _Update(_Shape):
    update_id: int
    message: _Message | None = None
    edited_message: _Message | None = None
    callback_query: _Callback | None = None


def read_update(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """``(update, None)``, or ``(None, why)`` for a body that is not an update Garde reads."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None, "not JSON, or nested too deeply"
    try:
        _Update.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        return None, f"{'.'.join(map(str, first['loc'])) or 'update'}: {first['type']}"
    return data, None
