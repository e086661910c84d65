"""Who-is-on-call and coverage at scale.

- who is on call: 200 schedules of weekly shifts (two ranks) with overrides, asked
  for one schedule at a time, with 1 month and then 2 years of history behind "now":
  the median must stay under 2 ms and not grow with history;
- coverage: 1,000 schedules x 31 days in one call, under 2 s on 2 cores.

``--scale 10`` runs who-is-on-call with 10 times the schedules (2,000: 448,000 shifts
over 2 years), to check that the history ratio stays flat at that size too.
Run: ``python -m bench.oncall`` (SQLite), or with BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from bench.common import millis, scratch_database
from core.db import Database
from core.localtime import local_midnight, shift_weeks, zone
from core.models import Account, Contact, Override, Schedule, Shift
from core.oncall.coverage import coverage
from core.oncall.schedules import ScheduleInfo
from core.oncall.who import who_is_on_call

NOW = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)
TZ = "America/Toronto"
FUTURE_WEEKS = 8


async def populate(db: Database, schedules: int, history_weeks: int) -> list[ScheduleInfo]:
    """Weekly Monday 07:30 shifts (rank 0 and 1) around NOW, an override every 3rd week."""
    rng = random.Random(schedules * 1000 + history_weeks)
    tz = zone(TZ)
    first_monday = NOW.astimezone(tz).date() - timedelta(weeks=history_weeks)
    first_monday -= timedelta(days=first_monday.weekday())
    base = local_midnight(first_monday, tz) + timedelta(hours=7, minutes=30)
    async with db.write() as s:
        account = Account(number="B1", name="Bench", timezone=TZ, locale="fr", next_ref=1)
        s.add(account)
        await s.flush()
        contact_ids = list(
            (
                await s.execute(
                    insert(Contact).returning(Contact.id),
                    [
                        {
                            "account_id": account.id,
                            "key": f"c{i}",
                            "name": f"Contact {i}",
                            "phones": [],
                        }
                        for i in range(20)
                    ],
                )
            ).scalars()
        )
        sched_ids = list(
            (
                await s.execute(
                    insert(Schedule).returning(Schedule.id),
                    [
                        {"account_id": account.id, "name": f"S{i:04}", "timezone": TZ}
                        for i in range(schedules)
                    ],
                )
            ).scalars()
        )
        ref = 1
        for sid in sched_ids:
            rows = []
            for week in range(history_weeks + FUTURE_WEEKS):
                start, end = shift_weeks(base, week, tz), shift_weeks(base, week + 1, tz)
                for rank in (0, 1):
                    rows.append(
                        {
                            "schedule_id": sid,
                            "ext_id": f"{sid}-{week}-{rank}",
                            "ref": ref,
                            "start_at": start,
                            "end_at": end,
                            "rank": rank,
                            "label": "R",
                            "role": "OC",
                            "contact_id": rng.choice(contact_ids),
                        }
                    )
                    ref += 1
            shift_ids = (
                await s.execute(insert(Shift).returning(Shift.id, Shift.start_at), rows)
            ).all()
            overrides = [
                {
                    "shift_id": shift_id,
                    "ref": 0,
                    "contact_id": rng.choice(contact_ids),
                    "start_at": start + timedelta(days=2),
                    "end_at": start + timedelta(days=4),
                    "created_at": start,
                }
                for n, (shift_id, start) in enumerate(shift_ids)
                if n % 6 == 0
            ]
            await s.execute(insert(Override), overrides)
        schedules_rows = await s.scalars(select(Schedule).order_by(Schedule.id))
        result = [ScheduleInfo.of(x) for x in schedules_rows]
    if db.dialect == "postgresql":  # what autovacuum does after a bulk load
        async with db.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    return result


async def who_benchmark(history_weeks: int, queries: int = 2000, scale: int = 1) -> list[float]:
    count = 200 * scale
    async with scratch_database(f"who{history_weeks}") as db:
        t0 = time.perf_counter()
        schedules = await populate(db, count, history_weeks)
        built = time.perf_counter() - t0
        rng = random.Random(7)
        samples = []
        async with db.read() as s:
            for _ in range(50):  # warm the statement cache
                await who_is_on_call(s, rng.choice(schedules), NOW)
            for _ in range(queries):
                sched = rng.choice(schedules)
                at = NOW + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
                t = time.perf_counter()
                answer = await who_is_on_call(s, sched, at)
                samples.append(time.perf_counter() - t)
                assert len(answer) == 2
        weeks = history_weeks + FUTURE_WEEKS
        print(
            f"who-is-on-call, {count} schedules x {weeks} weeks x 2 ranks "
            f"({count * weeks * 2:,} shifts, {history_weeks} weeks of history; built in "
            f"{built:.1f} s): {millis(samples)} over {queries} queries"
        )
        return samples


async def coverage_benchmark() -> float:
    async with scratch_database("coverage") as db:
        schedules = await populate(db, 1000, 6)
        async with db.read() as s:
            await coverage(s, schedules[:10], date(2026, 6, 1), date(2026, 6, 30))
            t = time.perf_counter()
            result = await coverage(s, schedules, date(2026, 6, 1), date(2026, 7, 1))
            elapsed = time.perf_counter() - t
        assert sum(len(days) for days in result.values()) == 31_000
        print(f"coverage, 1,000 schedules x 31 days (31,000 days): {elapsed:.3f} s")
        return elapsed


async def main(scale: int) -> None:
    import statistics

    month = await who_benchmark(history_weeks=4, scale=scale)
    years = await who_benchmark(history_weeks=104, scale=scale)
    ratio = statistics.median(years) / statistics.median(month)
    print(
        f"who-is-on-call median, 2 years of history / 1 month ({200 * scale} schedules): "
        f"{ratio:.2f}x (flat is ~1.0, goal <= 1.2)"
    )
    if scale == 1:
        await coverage_benchmark()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1, help="times the schedules (10: 2,000)")
    asyncio.run(main(parser.parse_args().scale))
