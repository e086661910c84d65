"""Months and ranges of days as chat users type them: the MONTH, PERIOD and RANGE
arguments (``may``, ``last week``, ``03-01..03-15``), and the statistics filters
(``after 18:00``, ``days mon,tue``).

Pure functions, the calendar half of the time grammar; the words, dates, times and spans
they build on are :mod:`bot.timeparse`'s. Both are re-exported by :mod:`bot.parsing`:
import from there.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.timeparse import (
    MD,
    MONTH_FORMS,
    MONTHS,
    WEEKDAYS,
    YEARS,
    YM,
    YMD,
    ParseError,
    date_of,
    nearest,
    time_of,
)
from core.errors import N_
from core.localtime import DayRange
from core.text import fold


def take_month(tokens: list[str], *, now: datetime, tz: ZoneInfo) -> tuple[int, int, int]:
    """A month at the start of ``tokens``: (year, month, tokens used)."""
    if not tokens or not tokens[0].strip():
        raise ParseError(N_("Month missing. Use a month name (may, mai), May 2025 or 2025-05."))
    word = fold(tokens[0])
    if m := YM.fullmatch(word):
        year, month = int(m.group(1)), int(m.group(2))
        if year in YEARS and 1 <= month <= 12:
            return year, month, 1
    elif word.rstrip(".") in MONTHS:
        month = MONTHS[word.rstrip(".")] + 1
        if len(tokens) > 1 and re.fullmatch(r"[0-9]{4}", year_word := fold(tokens[1])):
            if int(year_word) in YEARS:
                return int(year_word), month, 2
            raise ParseError(MONTH_FORMS, text=f"{tokens[0]} {tokens[1]}")
        today = now.astimezone(tz).date()
        year = nearest(
            [today.year - 1, today.year, today.year + 1],
            lambda y: (y - today.year) * 12 + month - today.month,
        )
        return year, month, 1
    raise ParseError(MONTH_FORMS, text=tokens[0])


def parse_month(tokens: list[str], *, now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """(year, month) from ``tokens``, which must hold a month and nothing else.

    With no year: the occurrence nearest to now (a tie goes to the future).
    """
    year, month, used = take_month(tokens, now=now, tz=tz)
    if used < len(tokens):
        raise ParseError(MONTH_FORMS, text=" ".join(tokens))
    return year, month


# --------------------------------------------------------------------------- ranges

# The portal's presets: how many days back the range starts (today included).
_PRESETS = {
    "today": (0, 0),
    "aujourd'hui": (0, 0),
    "aujourdhui": (0, 0),
    "yesterday": (1, 1),
    "hier": (1, 1),
    "week": (6, 0),
    "semaine": (6, 0),
    "month": (29, 0),
    "mois": (29, 0),
}
_RANGE_FORMS = N_(
    "“{text}” is not a range. Use today, yesterday, week (the last 7 days), month (the last "
    "30 days), a date (05-01) or DATE..DATE (2025-03-01..2025-03-22)."
)


def is_range_word(token: str) -> bool:
    """True when ``token`` is a preset word (``week``, ``hier``…)."""
    return fold(token) in _PRESETS


def take_range(tokens: list[str], *, now: datetime, tz: ZoneInfo) -> tuple[DayRange, int] | None:
    """A RANGE at the start of ``tokens``: (range, tokens used), or None when the first
    token is not range-shaped (a filter word, say). A range-shaped token that names no
    real date (``2025-03-40..``) or runs backwards raises ``ParseError``.

    Forms: the presets (``today``, ``yesterday``, ``week`` = the last 7 days, ``month`` =
    the last 30 days, and French ``aujourd'hui``, ``hier``, ``semaine``, ``mois``); one
    DATE (that day); ``DATE..DATE``, also with blanks around ``..``; ``DATE..`` (to today).
    Days are local days of ``tz``.
    """
    if not tokens:
        return None
    today = now.astimezone(tz).date()
    word = fold(tokens[0])
    if word in _PRESETS:
        back, until = _PRESETS[word]
        return DayRange(today - timedelta(days=back), today - timedelta(days=until)), 1
    text, used = tokens[0], 1
    if len(tokens) > 1 and tokens[1] == "..":
        text, used = (f"{text}..{tokens[2]}", 3) if len(tokens) > 2 else (f"{text}..", 2)
    elif len(tokens) > 1 and (
        tokens[1].startswith("..") or (text.endswith("..") and _date_shaped(tokens[1], today))
    ):
        text, used = text + tokens[1], 2
    if ".." not in text:
        day = _range_day(text, today, strict=False)
        return (DayRange(day, day), 1) if day else None
    left, _, right = text.partition("..")
    first = _range_day(left, today, strict=True, whole=text)
    last = _range_day(right, today, strict=True, whole=text) if right else today
    assert first is not None and last is not None
    if last < first:
        raise ParseError(
            N_("The range ends before it starts: {text}. Put the earlier date first."), text=text
        )
    return DayRange(first, last), used


def _date_shaped(token: str, today: date) -> bool:
    try:
        return date_of(token, today) is not None
    except ParseError:
        return True


def _range_day(token: str, today: date, *, strict: bool, whole: str = "") -> date | None:
    """One end of a range; a weekday name is the last one, today included (ranges look
    back at what happened)."""
    if (name := fold(token).rstrip(".")) in WEEKDAYS:
        return today - timedelta(days=(today.weekday() - WEEKDAYS[name]) % 7)
    try:
        found = date_of(token, today) if token else None
    except ParseError:
        if strict or MD.fullmatch(fold(token)) or YMD.fullmatch(fold(token)):
            raise ParseError(_RANGE_FORMS, text=whole or token) from None
        raise
    if found is None and strict:
        raise ParseError(_RANGE_FORMS, text=whole or token)
    return found


# --------------------------------------------------------------------------- filters


def parse_clock(token: str) -> tuple[int, int]:
    """A wall-clock time alone (``08:00``, ``7:30pm``, ``19h``, ``midi``): (hour, minute);
    hour 24 is the end of the day (``24:00``)."""
    found = time_of(token) if token.strip() else None
    if found is None:
        raise ParseError(
            N_("“{text}” is not a time. Use HH:MM (08:00, 17:30), 7:30pm or 19h30."),
            text=token,
        )
    return found


def parse_weekdays(text: str) -> frozenset[int]:
    """Days of the week as ``mon,tue`` or ``lun,mar``, ranges too (``mon-fri``): the set
    of ``date.weekday()`` numbers (0 is Monday)."""
    out: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        ends = [WEEKDAYS.get(fold(end).rstrip(".")) for end in part.split("-")]
        if len(ends) > 2 or None in ends:
            raise ParseError(
                N_(
                    "“{text}” is not a day of the week. Use mon, tue, wed, thu, fri, sat, sun "
                    "(lun, mar, mer, jeu, ven, sam, dim), separated by commas: mon,wed,fri."
                ),
                text=part,
            )
        first, last = ends[0], ends[-1]
        assert first is not None and last is not None
        out.update((first + n) % 7 for n in range((last - first) % 7 + 1))
    if not out:
        raise ParseError(N_("Days missing. Give days of the week, e.g. days mon,tue,wed."))
    return frozenset(out)
