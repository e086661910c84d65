"""(in progress) The Slack adapter."""

from __future__ import annotations

from typing import Any


class SlackAdapter:
    platform = "slack"

    @classmethod
    def from_garde(cls, garde: Any) -> SlackAdapter | None:
        return None
