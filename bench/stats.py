"""The statistics report and its chart at scale.

- the report over 60 days of an account with 120,000 calls (a second account holds
  60,000 more in the same weeks): median under 150 ms, and at most 3× a bare
  ``SELECT count(*)`` over the same rows, measured in the same run;
- the same with a time window and weekdays (business hours, Monday to Friday);
- the chart of 60 days: under 300 ms.

Run: ``python -m bench.stats`` (SQLite), or with BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bench.common import millis, scratch_database
from bot.documents.chart import ChartDay, ChartLabels, render_chart
from core.callcode import local_start
from core.db import Database
from core.localtime import DayRange, zone
from core.models import Account, Call
from core.records import daystats
from core.records.stats import StatsFilter, stats_report

TZ = zone("America/Toronto")
LAST = date(2025, 3, 31)  # 60 days over the spring-forward weekend
RANGE = DayRange(LAST - timedelta(days=59), LAST)
RUNS = 30


def _call(rng: random.Random, account_id: int, n: int, start: datetime) -> dict:
    answered = rng.random() < 0.8
    return {
        "account_id": account_id,
        "ext_id": f"b{n}",
        "start_at": start,
        **local_start(start, TZ),
        "duration_s": rng.choice([3, 6, 7, 45, 120, 300]),
        "direction": "out" if rng.random() < 0.1 else "in",
        "ivr_only": rng.random() < 0.05,
        "assigned": answered or rng.random() < 0.3,
        "answered": answered,
        "agent_s": rng.randint(0, 400),
        "wait_s": rng.randint(0, 90),
        "hold_s": rng.choice([0, 0, 0, 10, 11, 40]),
        "hold_total_s": rng.randint(0, 120),
        "work_s": rng.randint(0, 600),
        "transferred": rng.random() < 0.05,
        "transfer_s": rng.randint(0, 240),
        "busy": rng.random() < 0.02,
    }


async def populate(db: Database, number: str, calls: int) -> int:
    """``calls`` calls spread evenly over the 60 local days of RANGE, in time order."""
    rng = random.Random(calls)
    lo, hi = RANGE.bounds(TZ)
    step = (hi - lo) / calls
    async with db.write() as s:
        account = Account(number=number, name="Bench", timezone=str(TZ), locale="fr", next_ref=1)
        s.add(account)
        await s.flush()
        rows = [_call(rng, account.id, n, lo + step * n) for n in range(calls)]
        for i in range(0, calls, 5000):
            await s.execute(insert(Call), rows[i : i + 5000])
        await daystats.recount(s, account.id)  # as the importer does
        return account.id


async def _time(make, runs: int = RUNS) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        samples.append(time.perf_counter() - started)
    return samples


async def main() -> None:
    async with scratch_database("stats") as db:
        account = await populate(db, "B1", 120_000)
        await populate(db, "B2", 60_000)
        async with db.engine.connect() as conn:
            # as autovacuum leaves a table after a large import (PostgreSQL's index-only
            # scans need the visibility map it writes)
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE" if db.dialect == "sqlite" else "VACUUM ANALYZE"))
        lo, hi = RANGE.bounds(TZ)
        count_query = select(func.count()).where(
            Call.account_id == account, Call.start_at >= lo, Call.start_at < hi
        )
        # the least a report reading the calls can do: the five aggregates it needs over
        # the same rows of the report's index (its local days), no grouping at all
        days = (RANGE.first.toordinal(), RANGE.last.toordinal())
        floor_query = select(
            func.count(), *(func.sum(c) for c in (Call.work_s, Call.hold_total_s, Call.wait_s,
                                                  Call.transfer_s))
        ).where(Call.account_id == account, Call.local_day.between(*days))  # fmt: skip
        whole = StatsFilter(RANGE)
        office = StatsFilter(RANGE, clock(8), clock(17), frozenset(range(5)))

        async def count() -> int:
            async with db.read() as s:
                return await s.scalar(count_query)

        async def floor() -> None:
            async with db.read() as s:
                (await s.execute(floor_query)).one()

        async def report(flt: StatsFilter):
            async with db.read() as s:
                return await stats_report(s, account, flt)

        assert await count() == 120_000
        assert (await report(whole)).totals.total > 0
        # interleaved, so that both see the same machine
        counts, floors, reports, filtered = [], [], [], []
        for _ in range(RUNS):
            counts += await _time(count, 1)
            floors += await _time(floor, 1)
            reports += await _time(lambda: report(whole), 1)
            filtered += await _time(lambda: report(office), 1)
        ratio = statistics.median(reports) / statistics.median(counts)
        print(f"bare count(*) of the 120,000 rows: {millis(counts)}")
        print(
            f"count(*) + 4 sums, no grouping (the floor): {millis(floors)}; "
            f"ratio {statistics.median(floors) / statistics.median(counts):.2f}×"
        )
        print(f"report, 60 days, 120,000 calls: {millis(reports)}; ratio to count(*) {ratio:.2f}×")
        print(f"report, 08:00-17:00 Mon-Fri: {millis(filtered)}")
        days = (await report(whole)).days
    chart_days = [
        ChartDay(d.isoformat()[5:], f.answered, f.abandoned + f.unanswered, f.automated,
                 100 * f.within_30 / f.answered if f.answered else None)
        for d, f in days
    ]  # fmt: skip
    labels = ChartLabels("Calls per day", "Answered", "Abandoned", "Automated",
                         "Answered within 30 s", "Calls", lambda v: f"{v:.0f}%")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="garde-bench-chart-") as tmp:
        samples = []
        for n in range(15):
            started = time.perf_counter()
            await asyncio.to_thread(render_chart, chart_days, labels, Path(tmp) / f"{n}.png")
            samples.append(time.perf_counter() - started)
    print(f"chart, 60 days (in a worker thread): {millis(samples)}")


if __name__ == "__main__":
    asyncio.run(main())
