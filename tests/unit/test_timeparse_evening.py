"""Evenings and nights as dispatchers say them: ``tonight``, ``ce soir``, ``demain soir``."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.parsing import parse_span, parse_when

TORONTO = ZoneInfo("America/Toronto")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


def when(text: str, now: datetime):
    found, used = parse_when(text.split(), now=now, tz=TORONTO)
    assert used == len(text.split()), "the whole text is one point in time"
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tonight", at(2025, 5, 1, 19)),
        ("this evening", at(2025, 5, 1, 19)),
        ("ce soir", at(2025, 5, 1, 19)),
        ("Cette Nuit", at(2025, 5, 1, 19)),
        ("tomorrow night", at(2025, 5, 2, 19)),
        ("demain soir", at(2025, 5, 2, 19)),
    ],
)
def test_an_evening_is_read_as_its_start_and_says_so(text, expected):
    found = when(text, at(2025, 5, 1, 10))
    assert found.at == expected and found.evening


def test_a_time_after_the_evening_word_is_that_evening_or_the_small_hours_after():
    now = at(2025, 5, 1, 10)
    assert (when("demain soir 21h", now).at, when("demain soir 21h", now).evening) == (
        at(2025, 5, 2, 21),
        False,
    )
    assert when("tonight 2:00", now).at == at(2025, 5, 2, 2)
    assert when("cette nuit 23:30", now).at == at(2025, 5, 1, 23, 30)


@pytest.mark.parametrize(
    ("now", "tonight", "tomorrow_night"),
    [
        # Evening begun: tonight is now; tomorrow night is the next evening.
        (at(2025, 5, 1, 21), at(2025, 5, 1, 21), at(2025, 5, 2, 19)),
        # A minute before local midnight, and the small hours: still the same night.
        (at(2025, 5, 1, 23, 59), at(2025, 5, 1, 23, 59), at(2025, 5, 2, 19)),
        (at(2025, 5, 2, 4, 59), at(2025, 5, 2, 4, 59), at(2025, 5, 2, 19)),
        # From 5:00 the day is a new one: tonight is this evening again.
        (at(2025, 5, 2, 5), at(2025, 5, 2, 19), at(2025, 5, 3, 19)),
    ],
)
def test_tonight_around_local_midnight(now, tonight, tomorrow_night):
    assert when("tonight", now).at == tonight
    assert when("tomorrow night", now).at == tomorrow_night


def test_tonight_on_the_spring_forward_day_is_19_00_daylight_time():
    found = when("ce soir", at(2025, 3, 9, 12))
    assert found.at == at(2025, 3, 9, 19)
    assert found.at.utcoffset() == timedelta(hours=-4)  # EDT, the clocks went forward at 2:00


def test_an_override_span_from_tonight_to_tomorrow_morning():
    start, end, used = parse_span(
        ["tonight", "tomorrow", "08:00"], now=at(2025, 5, 1, 10), tz=TORONTO
    )
    assert (start.at, end.at, used) == (at(2025, 5, 1, 19), at(2025, 5, 2, 8), 3)
