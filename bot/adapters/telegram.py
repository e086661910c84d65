"""(in progress) The Telegram adapter."""

from __future__ import annotations

from typing import Any


class TelegramAdapter:
    platform = "telegram"

    @classmethod
    def from_garde(cls, garde: Any) -> TelegramAdapter | None:
        return None
