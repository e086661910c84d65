"""A clock a test moves by hand: handed to ``Garde.create(clock=...)`` like the real one."""

from __future__ import annotations

from datetime import datetime, timedelta


class ManualClock:
    """Returns ``now`` until told otherwise; aware datetimes only."""

    def __init__(self, now: datetime) -> None:
        self.set(now)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("a clock gives aware datetimes")
        self.now = now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
