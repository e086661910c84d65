"""The statistics query: the worked example, local days and time windows across DST changes
and local midnight, weekdays, and the per-day figures of the chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from core.callcode import local_start
from core.localtime import DayRange, zone
from core.records.stats import StatsFilter, stats_report
from tests.builders import account_id, load
from tests.stats_data import FIRST, LAST, worked_example_calls

TZ = zone("America/Toronto")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def inbound(n: int, start: str) -> dict:
    return {"id": f"x{n}", "start": start, "duration_s": 60, "assigned": True, "answered": True,
            "agent_s": 40, "wait_s": 12, "work_s": 70}  # fmt: skip


async def report(db, calls: list[dict], flt: StatsFilter, number: str = "4000"):
    doc = {"accounts": [{"number": number, "name": "A", "timezone": str(TZ), "calls": calls}]}
    await load(db, doc)
    async with db.read() as s:
        return await stats_report(s, await account_id(db, number), flt)


async def test_the_worked_example_gives_the_seeds_figures(db):
    found = await report(db, worked_example_calls(), StatsFilter(DayRange(FIRST, LAST)))
    values = {r.key: (r.value, r.share) for r in found.rows}
    assert values["total"] == (61, Decimal("100.0"))
    assert values["automated"] == (5, Decimal("8.2"))
    assert values["abandoned"] == (6, Decimal("10.7"))
    assert values["work"] == (Decimal(111), None)
    assert values["hold_time"] == (Decimal(46), None)
    assert values["wait"] == (Decimal("31.0"), None)
    assert values["within_30"] == (33, Decimal("66.0"))
    assert values["transfer_time"] == (None, None)
    assert values["busy"] == (0, None)
    assert len(found.days) == 22 and sum(f.total for _, f in found.days) == 61


def test_the_stored_local_start_is_the_wall_clock_across_dst():
    # 2025-11-02: 01:00-02:00 happens twice, both read as 01:xx; 2025-03-09 has no 02:xx.
    sunday = date(2025, 11, 2).toordinal()
    assert local_start(utc(2025, 11, 2, 5, 30), TZ) == {"local_day": sunday, "local_s": 5400}
    assert local_start(utc(2025, 11, 2, 6, 30), TZ) == {"local_day": sunday, "local_s": 5400}
    assert local_start(utc(2025, 3, 9, 7), TZ)["local_s"] == 3 * 3600  # 03:00 EDT
    # local midnight, not UTC's, starts the day; day numbers count Monday as 1 modulo 7
    assert local_start(utc(2025, 3, 10, 3, 59, 59), TZ)["local_day"] == date(2025, 3, 9).toordinal()
    assert local_start(utc(2025, 3, 10, 4), TZ) == {
        "local_day": date(2025, 3, 10).toordinal(),
        "local_s": 0,
    }
    assert date(2025, 3, 10).toordinal() % 7 == 1 and date(2025, 3, 10).weekday() == 0


async def test_time_windows_filter_by_local_start_across_dst(db):
    calls = [
        inbound(1, "2025-11-02T05:45:00Z"),  # 01:45 EDT
        inbound(2, "2025-11-02T06:15:00Z"),  # 01:15 EST (the second one)
        inbound(3, "2025-11-02T06:45:00Z"),  # 01:45 EST
        inbound(4, "2025-03-09T06:50:00Z"),  # 01:50 EST
        inbound(5, "2025-03-09T07:10:00Z"),  # 03:10 EDT
    ]
    nov = DayRange(date(2025, 11, 2), date(2025, 11, 2))
    mar = DayRange(date(2025, 3, 9), date(2025, 3, 9))
    assert (await report(db, calls, StatsFilter(nov, after=time(1, 30)))).totals.total == 2
    assert (await report(db, calls, StatsFilter(nov, before=time(1, 30)))).totals.total == 1
    assert (await report(db, calls, StatsFilter(mar, after=time(2, 30)))).totals.total == 1
    assert (await report(db, calls, StatsFilter(mar, before=time(2, 30)))).totals.total == 1
    gap = StatsFilter(mar, after=time(3), before=time(3, 10))
    assert (await report(db, calls, gap)).totals.total == 0


async def test_local_midnight_decides_the_day_even_on_a_23_hour_day(db):
    calls = [
        inbound(1, "2025-03-08T23:50"),  # local times: the day before (out)
        inbound(2, "2025-03-09T00:05"),
        inbound(3, "2025-03-09T23:50"),
        inbound(4, "2025-03-10T00:05"),
    ]
    found = await report(db, calls, StatsFilter(DayRange(date(2025, 3, 9), date(2025, 3, 10))))
    assert [(d, f.total) for d, f in found.days] == [(date(2025, 3, 9), 2), (date(2025, 3, 10), 1)]
    late = StatsFilter(DayRange(date(2025, 3, 8), date(2025, 3, 10)), after=time(23, 45))
    assert (await report(db, calls, late)).totals.total == 2
    early = StatsFilter(DayRange(date(2025, 3, 8), date(2025, 3, 10)), before=time(0, 10))
    assert (await report(db, calls, early)).totals.total == 2
    sunday = StatsFilter(DayRange(date(2025, 3, 3), date(2025, 3, 16)), weekdays=frozenset({6}))
    assert (await report(db, calls, sunday)).totals.total == 2  # the 9th is a Sunday


async def test_an_empty_filter_reads_nothing_and_shows_dashes(db):
    flt = StatsFilter(DayRange(date(2025, 3, 1), date(2025, 3, 2)), weekdays=frozenset({2}))
    found = await report(db, [inbound(1, "2025-03-01T10:00")], flt)
    assert found.totals.total == 0
    assert [(r.value, r.share) for r in found.rows[:2]] == [(0, None), (0, None)]
    assert found.rows[8].value is None  # the average work time over nothing
