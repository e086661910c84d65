"""What the report stores beside each call stays true: the local day and time follow the
account's zone when it changes and the call when it moves; the per-day counts follow
imports, retention and migration 0010; and the calls are read in group order.

A report of whole days reads the per-day counts; the same report with ``after 00:00``
reads the calls themselves: the two must always agree (``both``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select, update

from core import retention
from core.localtime import DayRange
from core.models import Call, CallDayStat
from core.records.stats import StatsFilter, _query, stats_report
from tests.builders import account_id, load
from tests.unit.test_callcode import migration
from tests.unit.test_stats import inbound


def _doc(calls: list[dict], tz: str = "America/Toronto") -> dict:
    return {"accounts": [{"number": "4000", "name": "A", "timezone": tz, "calls": calls}]}


async def both(db, first: date, last: date) -> list[int]:
    """The inbound total of each local day, after checking the two readings agree."""
    aid = await account_id(db)
    async with db.read() as s:
        kept = await stats_report(s, aid, StatsFilter(DayRange(first, last)))
        read = await stats_report(s, aid, StatsFilter(DayRange(first, last), after=time(0)))
    assert kept.days == read.days and kept.rows == read.rows
    return [f.total for _, f in kept.days]


async def test_a_zone_change_moves_the_stored_calls_to_their_new_local_days(db):
    # 03:30 UTC on 2025-03-10 is 23:30 on the 9th in Toronto, 04:30 on the 10th in Paris
    await load(db, _doc([inbound(1, "2025-03-10T03:30:00Z"), inbound(2, "2025-03-10T12:00Z")]))
    assert await both(db, date(2025, 3, 9), date(2025, 3, 10)) == [1, 1]
    await load(db, _doc([], tz="Europe/Paris"))  # the zone alone changes
    assert await both(db, date(2025, 3, 9), date(2025, 3, 10)) == [0, 2]
    aid = await account_id(db)
    early = StatsFilter(DayRange(date(2025, 3, 10), date(2025, 3, 10)), time(4), time(5))
    async with db.read() as s:
        assert (await stats_report(s, aid, early)).totals.total == 1


async def test_a_call_imported_again_at_another_time_leaves_its_old_day(db):
    await load(db, _doc([inbound(1, "2025-03-05T15:00:00Z"), inbound(2, "2025-03-05T16:00Z")]))
    assert (await both(db, date(2025, 3, 5), date(2025, 3, 20)))[::15] == [2, 0]
    await load(db, _doc([inbound(1, "2025-03-20T15:00:00Z")]))
    assert (await both(db, date(2025, 3, 5), date(2025, 3, 20)))[::15] == [1, 1]


async def test_retention_recounts_the_local_days_it_cuts_into(db):
    now = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    cut = now - retention.KEEP  # 2025-03-02 12:00 UTC, 07:00 in Toronto
    # local starts: 1st 01:00 and 22:00, 2nd 06:00 and 08:00, 3rd 08:00
    starts = [cut - timedelta(hours=h) for h in (30, 9, 1)] + [
        cut + timedelta(hours=h) for h in (1, 25)
    ]
    await load(db, _doc([inbound(n, s.isoformat()) for n, s in enumerate(starts)]))
    assert await both(db, date(2025, 3, 1), date(2025, 3, 3)) == [2, 2, 1]
    async with db.write() as s:
        await retention.purge(s, now)
    assert await both(db, date(2025, 3, 1), date(2025, 3, 3)) == [0, 1, 1]


async def test_migration_0010_fills_what_the_importer_writes(db):
    starts = ["2025-03-09T06:50:00Z", "2025-03-09T07:10Z", "2025-11-02T05:45Z", "2025-11-02T06:15Z"]
    await load(db, _doc([inbound(n, s) for n, s in enumerate(starts)]))
    await load(
        db,
        {
            "accounts": [
                {
                    "number": "5000",
                    "name": "B",
                    "timezone": "Asia/Kolkata",
                    "calls": [inbound(9, "2025-03-09T20:00:00Z")],
                }
            ]
        },
    )
    columns = (Call.id, Call.local_day, Call.local_s)
    async with db.read() as s:
        written = (await s.execute(select(*columns))).all()
        counted = (await s.execute(select(CallDayStat))).scalars().all()
        counted = sorted((c.account_id, c.local_day, c.stat_code, c.calls) for c in counted)
    async with db.write() as s:
        await s.execute(update(Call).values(local_day=0, local_s=0))
        await s.execute(delete(CallDayStat))
    module = migration("0010_call_local_start")
    async with db.engine.begin() as conn:
        await conn.run_sync(module.fill)
        await conn.run_sync(module.count_days)
    async with db.read() as s:
        assert sorted((await s.execute(select(*columns))).all()) == sorted(written)
        again = (await s.execute(select(CallDayStat))).scalars().all()
        assert sorted((c.account_id, c.local_day, c.stat_code, c.calls) for c in again) == counted
    # two Toronto days; 20:00 UTC on the 9th is 01:30 on the 10th in Kolkata
    mar9 = date(2025, 3, 9).toordinal()
    assert [(d, n) for _, d, _, n in counted] == [
        (mar9, 2),
        (date(2025, 11, 2).toordinal(), 2),
        (mar9 + 1, 1),
    ]


async def test_the_calls_are_read_in_group_order_with_no_sort(db):
    if db.dialect != "sqlite":
        return  # PostgreSQL hash-aggregates; its plan is the planner's choice
    for shape in [(0, True, False), (5, True, True), (2, False, True)]:
        sql = _query(*shape).compile(db.engine.sync_engine)
        values = dict.fromkeys(["account", "first", "last", "after", "before"], 1) | {
            f"r{n}": n for n in range(shape[0])
        }
        bound = sql.construct_params(values)
        async with db.engine.connect() as conn:
            found = await conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql}", tuple(bound[k] for k in sql.positiontup or ())
            )
            plan = " ".join(r[-1] for r in found)
        assert "COVERING INDEX ix_calls_stats_local" in plan and "TEMP B-TREE" not in plan, plan
