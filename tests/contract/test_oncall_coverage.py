"""/oncall coverage: the month's calendar of squares and the hours nobody holds.

March 2025 on the demo data (today 2025-03-12): « 01 Horaire » PARTIAL on 03-17 and
03-24, NONE 03-18…03-23; « 02 Soirs » PARTIAL 03-09, 10, 14, 15, 21, 23, NONE 03-22,
no shift on 03-18. Sunday 03-09 is the spring-forward day in Toronto (23 hours).
Tests whose names end in ``_fr`` need the French catalog with /tmp/i18n/oncall.py merged.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.handlers.calendar import BLANK
from tests.contract.test_oncall_read import plain, replies

SQUARES = "🟩🟨🟥⬜"
_WEEK = re.compile(r"(?P<cells>.+?)  (?P<first>\d+)(?:–(?P<last>\d+))?")


def squares(text: str) -> dict[int, str]:
    """Day of the month -> its square, read from the week lines of one calendar."""
    out: dict[int, str] = {}
    for line in text.splitlines():
        m = _WEEK.fullmatch(line)
        if not m or not any(s in line for s in SQUARES):
            continue
        cells = m["cells"].split(" ")
        inside = [c for c in cells if c != BLANK]
        first, last = int(m["first"]), int(m["last"] or m["first"])
        assert len(cells) == 7 and len(inside) == last - first + 1, line
        out.update(zip(range(first, last + 1), inside, strict=True))
    return out


def columns(line: str) -> list[int]:
    """The display column where each cell of a grid line starts (squares are two wide)."""
    out, col = [], 0
    for ch in line:
        if ch != " ":
            out.append(col)
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return out


async def test_calendar_colours_each_day_of_the_month(say):
    text = plain(await say('/oncall coverage "01 Horaire"'))
    days = squares(text)
    assert len(days) == 31
    assert days[1] == days[2] == "⬜"  # before the first shift
    assert days[12] == days[16] == "🟩"
    assert days[17] == days[24] == "🟨"
    assert {days[d] for d in range(18, 24)} == {"🟥"}
    assert "Coverage of March 2025:" in text


async def test_calendar_lists_the_uncovered_hours_of_each_day(say):
    text = plain(await say("/oncall coverage 2025-03 soirs"))
    assert "Days not fully covered (times in America/Toronto):" in text
    listed = [line for line in text.splitlines() if " covered)" in line]
    assert listed == [
        "Sun, Mar 9: 17:00 – 24:00 (partly covered)",
        "Mon, Mar 10: 00:00 – 08:00 (partly covered)",
        "Fri, Mar 14: 17:00 – 24:00 (partly covered)",
        "Sat, Mar 15: 00:00 – 08:00 (partly covered)",
        "Fri, Mar 21: 17:00 – 24:00 (partly covered)",
        "Sat, Mar 22: 00:00 – 08:00, 17:00 – 24:00 (not covered)",
        "Sun, Mar 23: 00:00 – 08:00 (partly covered)",
    ]
    days = squares(text)
    assert days[18] == "⬜" and days[22] == "🟥" and days[17] == days[19] == "🟩"


async def test_spring_forward_day_is_a_whole_local_day(say):
    """03-09 lasts 23 hours: its evening gap still reads 17:00 – 24:00, local time."""
    soirs = plain(await say('/oncall coverage march "02 Soirs"'))
    assert squares(soirs)[9] == "🟨"
    assert "Sun, Mar 9: 17:00 – 24:00 (partly covered)" in soirs
    assert "Sat, Mar 8" not in soirs  # the night over the jump is held: not a gap
    horaire = plain(await say('/oncall coverage march "01 Horaire"'))
    assert squares(horaire)[9] == "🟩"


async def test_weeks_start_on_monday_and_columns_line_up(garde):
    [reply] = await replies(garde, "/oncall coverage 2025-03 01")
    assert reply.monospace and reply.title == "01 Horaire"
    lines = reply.text.splitlines()
    header = lines[2]
    assert header.split() == ["M", "T", "W", "T", "F", "S", "S"]
    weeks = [line.split("  ")[0] for line in lines[3:9]]  # six Monday-to-Sunday weeks
    assert lines[9] == ""
    assert weeks[0] == " ".join([BLANK] * 5 + ["⬜", "⬜"])  # the 1st is a Saturday
    assert weeks[5] == " ".join(["🟩"] + [BLANK] * 6)  # the 31st a Monday
    for week in weeks:
        assert columns(week) == columns(header) == [0, 3, 6, 9, 12, 15, 18]
    [french] = await replies(garde, "/garde couverture mars 01", lang="fr")
    assert french.text.splitlines()[2].split() == ["L", "M", "M", "J", "V", "S", "D"]


async def test_every_schedule_gets_its_calendar_without_a_name(garde):
    both = await replies(garde, "/oncall coverage", user="bob")
    assert [r.title for r in both] == ["01 Horaire", "02 Soirs"]
    assert all(r.monospace for r in both)
    assert [a.command for a in both[1].actions] == [
        '/oncall coverage 2025-02 "02 Soirs"',
        '/oncall coverage 2025-04 "02 Soirs"',
        '/oncall view month 2025-03-01 "02 Soirs"',
    ]


async def test_month_forms_and_a_month_without_shifts(say):
    may = plain(await say("/oncall coverage mai 01"))
    assert "Coverage of May 2025:" in may and "No shifts this month." in may
    assert set(squares(may).values()) == {"⬜"}
    for form in ("may", "May 2025", "2025-05"):
        assert plain(await say(f"/oncall coverage {form} 01")) == may
    april = plain(await say("/oncall couverture 01 avril"))
    days = squares(april)
    assert days[1] == days[14] == "🟩" and days[15] == "⬜"
    assert "Every day with shifts is fully covered." in april


async def test_coverage_in_french_fr(say):
    text = plain(await say('/garde couverture mars "01 Horaire"', lang="fr"))
    assert "Couverture de mars 2025 :" in text
    assert "mar. 18 mars : 00 h 00 – 24 h 00 (aucune couverture)" in text
    assert "lun. 17 mars : 07 h 30 – 24 h 00 (couverture partielle)" in text
    assert "🟩 couvert · 🟨 couverture partielle · 🟥 aucune couverture · ⬜ aucun quart" in text
    assert "[◀ Mois précédent] -> /oncall coverage 2025-02" in text


async def test_home_is_who_then_the_months_of_the_next_two_weeks(ask):
    # Wed 03-12: the next 14 days stay in March; from Thu 03-27 they reach into April.
    replies = await ask("/oncall home")
    who = await ask("/oncall who")
    march = await ask("/oncall coverage")
    assert [r.text for r in replies] == [r.text for r in who + march]
    late = datetime(2025, 3, 27, 10, tzinfo=ZoneInfo("America/Toronto"))
    replies = await ask("/garde accueil", now=late)
    april = await ask("/oncall coverage 2025-04", now=late)
    assert [r.text for r in replies[-len(april) :]] == [r.text for r in april]
    assert len(replies) == len(await ask("/oncall who", now=late)) + 2 * len(april)
    [refused] = await ask("/oncall home 01")
    assert refused.text == "I did not understand “01” here. Use: /oncall home"
