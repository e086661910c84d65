"""The clock Garde reads "now" from: injected by the composition root, so that tests,
benchmarks and the demo hand in a fixed moment instead of patching anything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]  # returns an aware datetime


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def fixed(at: datetime) -> Clock:
    """A clock stopped at ``at`` (aware)."""
    if at.tzinfo is None:
        raise ValueError("a clock gives aware datetimes")
    return lambda: at
