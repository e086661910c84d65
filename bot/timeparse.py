"""Dates, times, spans and months as chat users type them, in a schedule's time zone.

Pure functions, the date and time half of :mod:`bot.parsing` (which re-exports them:
import from there); months and ranges of days build on them in :mod:`bot.periods`.
Forms are those of product.md §7, in English and French; dates are
month first, as in the portal; with no year, the occurrence nearest to now. A local time
that does not exist (clocks jumping forward) is refused; one that occurs twice (clocks
set back) is its first occurrence, flagged ``folded``. Only :mod:`zoneinfo` is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import N_, GardeError
from core.text import fold


class ParseError(GardeError):
    """The user's text could not be read; the message says what was expected instead."""


@dataclass(frozen=True)
class When:
    """One point in local time, as the user gave it.

    ``at`` is aware, in the requested zone. ``folded`` is True when that local time
    occurs twice (clocks set back) and the first occurrence was taken. ``has_time`` is
    False when only a date was given (``at`` is then the start of that day).
    """

    at: datetime
    folded: bool = False
    has_time: bool = True
    evening: bool = False  # "tonight", "ce soir"...: taken as EVENING, which a reply says


YEARS = range(1970, 2200)  # keeps every conversion far from datetime's limits
_NOW = frozenset({"now", "maintenant"})
_RELATIVE = {
    "today": 0,
    "aujourd'hui": 0,
    "aujourdhui": 0,
    "auj": 0,
    "tomorrow": 1,
    "demain": 1,
    "yesterday": -1,
    "hier": -1,
}


# "Tonight" means the evening's start: a fixed local hour, the same for every schedule,
# so that a dispatcher can predict it (a reply asked that way says which hour it took).
# Until NIGHT_ENDS the night in progress is still "tonight" (at 2 a.m., the answer is now).
EVENING = (19, 0)
NIGHT_ENDS = 5
_EVENINGS = {  # folded words -> days after today
    ("tonight",): 0,
    ("this", "evening"): 0,
    ("this", "night"): 0,
    ("ce", "soir"): 0,
    ("cette", "nuit"): 0,
    ("tomorrow", "night"): 1,
    ("tomorrow", "evening"): 1,
    ("demain", "soir"): 1,
    ("demain", "nuit"): 1,
}


def _table(*rows: str) -> dict[str, int]:
    return {word: i for i, row in enumerate(rows) for word in row.split()}


WEEKDAYS = _table(
    "mon monday lun lundi",
    "tue tues tuesday mar mardi",
    "wed wednesday mer mercredi",
    "thu thur thurs thursday jeu jeudi",
    "fri friday ven vendredi",
    "sat saturday sam samedi",
    "sun sunday dim dimanche",
)
MONTHS = _table(
    "jan january janv janvier",
    "feb february fev fevr fevrier",
    "mar march mars",
    "apr april avr avril",
    "may mai",
    "jun june juin",
    "jul july juil juillet",
    "aug august aou aout",
    "sep sept september septembre",
    "oct october octobre",
    "nov november novembre",
    "dec december decembre",
)
_TIME_WORDS = {"noon": (12, 0), "midi": (12, 0), "midnight": (0, 0), "minuit": (0, 0)}
_AMPM = frozenset({"am", "pm", "a.m.", "p.m.", "a.m", "p.m"})

YMD = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
MD = re.compile(r"([0-9]{1,2})[-/]([0-9]{1,2})")
YM = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?:([ap])\.?m\.?)?")  # 7:30, 19:00, 7:30pm
_HOUR_AMPM = re.compile(r"([0-9]{1,2})([ap])\.?m\.?")  # 7am, 11p.m.
_FRENCH = re.compile(r"([0-9]{1,2})h([0-9]{2})?")  # 7h, 7h30, 19h
_BARE = re.compile(r"[0-9]{1,2}(?::[0-9]{2})?")  # 7 or 7:30, before a separate am/pm

MONTH_FORMS = N_("“{text}” is not a month. Use a month name (may, mai), May 2025 or 2025-05.")


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day) if year in YEARS else None
    except ValueError:
        return None


def nearest(candidates: list[Any], distance: Any) -> Any:
    """The candidate nearest to now; on a tie the future one (distance > 0)."""
    return min(candidates, key=lambda c: (abs(distance(c)), distance(c) < 0))


def date_of(token: str, today: date) -> date | None:
    """The date ``token`` names, None if it is not date-shaped; ParseError if impossible."""
    word = fold(token)
    name = word.rstrip(".")
    if word in _RELATIVE:
        return today + timedelta(days=_RELATIVE[word])
    if name in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[name] - today.weekday()) % 7)
    if m := YMD.fullmatch(word):
        found = _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    elif m := MD.fullmatch(word):
        month, day = int(m.group(1)), int(m.group(2))
        years = (today.year - 1, today.year, today.year + 1)
        options = [d for y in years if (d := _make_date(y, month, day))]
        found = nearest(options, lambda d: (d - today).days) if options else None
    else:
        return None
    if found is None:
        raise ParseError(
            N_(
                "“{text}” is not a valid date. Dates are month first: MM-DD (05-31) or "
                "YYYY-MM-DD (2025-05-31), with a month from 1 to 12 and a day that month has."
            ),
            text=token,
        )
    return found


def time_of(token: str) -> tuple[int, int] | None:
    """(hour, minute) ``token`` names (hour 24 = next midnight), None if not time-shaped."""
    word = fold(token)
    if word in _TIME_WORDS:
        return _TIME_WORDS[word]
    if m := _CLOCK.fullmatch(word):
        hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3)
    elif m := _HOUR_AMPM.fullmatch(word):
        hour, minute, half = int(m.group(1)), 0, m.group(2)
    elif m := _FRENCH.fullmatch(word):
        hour, minute, half = int(m.group(1)), int(m.group(2) or 0), None
    else:
        return None
    if half and 1 <= hour <= 12:
        hour = hour % 12 + (12 if half == "p" else 0)
    elif half or not (hour < 24 or (hour == 24 and minute == 0)):
        hour = -1
    if hour < 0 or minute > 59:
        raise ParseError(
            N_(
                "“{text}” is not a valid time. Hours go from 0 to 23 (1 to 12 with am or "
                "pm) and minutes from 00 to 59, e.g. 07:30, 7:30am or 19h30."
            ),
            text=token,
        )
    return hour, minute


def _read_time(tokens: list[str]) -> tuple[tuple[int, int], int] | None:
    """A time at the start of ``tokens`` and how many tokens it took (``7:30 pm`` = 2)."""
    if len(tokens) > 1 and fold(tokens[1]) in _AMPM and _BARE.fullmatch(fold(tokens[0])):
        joined = time_of(tokens[0] + tokens[1])  # a time, or ParseError if out of range
        if joined is not None:
            return joined, 2
    found = time_of(tokens[0])
    return None if found is None else (found, 1)


def _wall(day: date, hour_minute: tuple[int, int]) -> datetime:
    """The naive local ``day`` at ``hour_minute``; 24:00 is the next day's midnight."""
    hour, minute = hour_minute
    return datetime.combine(day, time(hour % 24, minute)) + timedelta(days=hour // 24)


def _localize(wall: datetime, tz: ZoneInfo, has_time: bool) -> When:
    """Naive local ``wall`` in ``tz``: the first of two occurrences, never a gap.

    The wall time is sent to UTC with fold=0 and back: a time in a spring-forward gap
    does not come back unchanged. A date alone whose midnight is in a gap starts when
    the day really starts (e.g. 01:00).
    """
    first = wall.replace(tzinfo=tz)
    at = first.astimezone(UTC).astimezone(tz)
    if at.replace(tzinfo=None) != wall:
        if not has_time:
            return When(at, False, False)
        after = "%H:%M" if at.date() == wall.date() else "%Y-%m-%d %H:%M"
        raise ParseError(
            N_(
                "{date} {time} does not exist in {zone}: the clocks jump forward that day. "
                "Use {suggestion} instead."
            ),
            date=wall.date(),
            time=wall.strftime("%H:%M"),
            zone=str(tz),
            suggestion=at.strftime(after),
        )
    folded = first.utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()
    return When(at, folded, has_time)


def _read_when(
    tokens: list[str], now: datetime, tz: ZoneInfo
) -> tuple[When, int, tuple[int, int] | None]:
    """Like :func:`parse_when`, plus the (hour, minute) when a time was given alone."""
    if not tokens or not tokens[0].strip():
        raise ParseError(N_("Date or time missing. Use e.g. 05-01 07:30, tomorrow 19h or now."))
    local_now = now.astimezone(tz)
    if fold(tokens[0]) in _NOW:
        return When(local_now, False, True), 1, None
    if (evening := _read_evening(tokens, local_now, tz)) is not None:
        return (*evening, None)
    day = date_of(tokens[0], local_now.date())
    if day is not None:
        found = _read_time(tokens[1:]) if len(tokens) > 1 else None
        if found is None:
            return _localize(_wall(day, (0, 0)), tz, False), 1, None
        return _localize(_wall(day, found[0]), tz, True), 1 + found[1], None
    found = _read_time(tokens)
    if found is None:
        raise ParseError(
            N_(
                "“{text}” is not a date or a time. Use MM-DD HH:MM (05-01 07:30), YYYY-MM-DD, "
                "today, tomorrow, a day name (mon, lundi), 7:30am, 19h30 or now."
            ),
            text=tokens[0],
        )
    return _localize(_wall(local_now.date(), found[0]), tz, True), found[1], found[0]


def _read_evening(tokens: list[str], local_now: datetime, tz: ZoneInfo) -> tuple[When, int] | None:
    """``tonight``, ``ce soir``, ``demain soir`` [TIME]: that evening at EVENING, or at
    TIME when one follows; "tonight" once the evening has begun (or before NIGHT_ENDS,
    the night still running) is now."""
    words = tuple(fold(t) for t in tokens[:2])
    used = next((n for n in (2, 1) if len(words) >= n and words[:n] in _EVENINGS), 0)
    if not used:
        return None
    today = local_now.date() - timedelta(days=1 if local_now.hour < NIGHT_ENDS else 0)
    day = today + timedelta(days=_EVENINGS[words[:used]])
    found = _read_time(tokens[used:]) if len(tokens) > used else None
    if found is not None:  # "tonight 2:00" is the small hours after this evening
        after = timedelta(days=1 if found[0][0] < NIGHT_ENDS else 0)
        return _localize(_wall(day + after, found[0]), tz, True), used + found[1]
    start = _localize(_wall(day, EVENING), tz, True)
    if start.at <= local_now:
        return When(local_now, False, True), used
    return When(start.at, start.folded, True, evening=True), used


def parse_when(tokens: list[str], *, now: datetime, tz: ZoneInfo) -> tuple[When, int]:
    """Read one point in time from the start of ``tokens``; return it and tokens used.

    A date alone is that day's start (``has_time`` False); a time alone is today; a date
    token may be followed by a time token (``am``/``pm`` may stand apart: ``7:30 pm``).
    """
    when, used, _ = _read_when(tokens, now, tz)
    return when, used


def _after(later: When, earlier: When) -> bool:
    return later.at.astimezone(UTC) > earlier.at.astimezone(UTC)


def _show(when: When) -> datetime | date:
    """A point in time for a message: the translator writes it as every reply does
    (``Wed, Dec 2 8:05 a.m.``, ``mer. 2 déc.`` for a date alone)."""
    return when.at if when.has_time else when.at.date()


def parse_span(tokens: list[str], *, now: datetime, tz: ZoneInfo) -> tuple[When, When, int]:
    """Read START END from the start of ``tokens``; the end is always after the start.

    "After" as instants: compare in UTC, since aware datetimes that share a tzinfo
    compare by wall time and ignore fold (``now`` may be the second 01:30 of the night).

    An end given as a time alone belongs to the start's day, or to the next day when it
    would not be after the start (``19:00 07:00`` is overnight).
    """
    if not tokens:
        raise ParseError(
            N_("Start and end missing. Give both, e.g. 05-01 19:00 05-02 07:00 or 19:00 07:00.")
        )
    start, used, _ = _read_when(tokens, now, tz)
    if used == len(tokens):
        raise ParseError(
            N_("End missing after {start}. Give the end too, e.g. 05-02 07:00 or 07:00."),
            start=_show(start),
        )
    end, more, alone = _read_when(tokens[used:], now, tz)
    if alone is not None:  # a time alone: on the start's day, else the day after
        wall = _wall(start.at.date(), alone)
        if wall <= start.at.replace(tzinfo=None):
            wall += timedelta(days=1)
        end = _localize(wall, tz, True)
        if not _after(end, start):  # the start is the second of two equal local times:
            second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC).astimezone(tz)
            end = When(second, False, True)  # so is the end, or it is tomorrow's
            if not _after(end, start):
                end = _localize(wall + timedelta(days=1), tz, True)
    if not _after(end, start):
        raise ParseError(
            N_(
                "The end ({end}) is not after the start ({start}). Give the start first, "
                "then a later end, e.g. 05-01 19:00 05-02 07:00."
            ),
            start=_show(start),
            end=_show(end),
        )
    return start, end, used + more


def parse_date(token: str, *, now: datetime, tz: ZoneInfo) -> date:
    """A date token alone: MM-DD, YYYY-MM-DD, MM/DD, today, tomorrow, a day name…"""
    if not token.strip():
        raise ParseError(
            N_(
                "Date missing. Use MM-DD (05-01), YYYY-MM-DD, today, tomorrow "
                "or a day name (mon, lundi)."
            )
        )
    found = date_of(token, now.astimezone(tz).date())
    if found is None:
        raise ParseError(
            N_(
                "“{text}” is not a date. Use MM-DD (05-01), YYYY-MM-DD, today, "
                "tomorrow or a day name (mon, lundi)."
            ),
            text=token,
        )
    return found
