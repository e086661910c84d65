"""The platforms' sending limits, kept on our side so that a push is never refused for
going too fast: Telegram 30 messages/s overall, 1/s per chat, 20/min per group;
Slack about 1/s per channel.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    overall_per_second: int | None  # None: no overall limit
    chat_interval: float  # seconds between two messages to one chat
    group_per_minute: int | None  # extra limit for group chats


LIMITS = {
    "telegram": Limits(overall_per_second=30, chat_interval=1.0, group_per_minute=20),
    "slack": Limits(overall_per_second=None, chat_interval=1.0, group_per_minute=None),
    "console": Limits(overall_per_second=None, chat_interval=0.0, group_per_minute=None),
}


def is_group(platform: str, conversation_id: str) -> bool:
    """Telegram groups and channels have negative chat ids."""
    return platform == "telegram" and conversation_id.startswith("-")


class RateLimiter:
    """How long to wait before the next message to a chat, by sliding windows."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.clock = limits, clock
        self._overall: deque[float] = deque()
        self._last: dict[str, float] = {}
        self._groups: dict[str, deque[float]] = defaultdict(deque)

    def wait(self, conversation_id: str, group: bool) -> float:
        """Seconds until a message to ``conversation_id`` is within every limit (0: now)."""
        now, lim = self.clock(), self.limits
        waits = [0.0]
        if conversation_id in self._last:
            waits.append(self._last[conversation_id] + lim.chat_interval - now)
        if lim.overall_per_second is not None:
            _trim(self._overall, now - 1.0)
            if len(self._overall) >= lim.overall_per_second:
                waits.append(self._overall[0] + 1.0 - now)
        if group and lim.group_per_minute is not None:
            window = self._groups[conversation_id]
            _trim(window, now - 60.0)
            if len(window) >= lim.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        return max(waits)

    def sent(self, conversation_id: str, group: bool) -> None:
        now = self.clock()
        self._last[conversation_id] = now
        self._overall.append(now)
        if group:
            self._groups[conversation_id].append(now)


def _trim(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()
