"""Coverage alert scan at scale: 5,000 schedules x 14 days (target: under 3 s here).

A first scan announces every gap (it writes the notices and the outbox rows); a
second scan, with nothing changed, must queue nothing and is the steady-state cost
paid every 5 minutes. Run: ``python -m bench.alerts`` (BENCH_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from bench.common import scratch_database
from bench.oncall import NOW, populate
from core.models import Account, OutboxItem, Shift
from core.notify.alerts import scan_coverage
from core.notify.subscriptions import subscribe

SCHEDULES = 5000


async def main() -> None:
    async with scratch_database("alerts") as db:
        t0 = time.perf_counter()
        await populate(db, SCHEDULES, 2)
        async with db.write() as s:
            account = await s.scalar(select(Account.id))
            # Next week's first contact missing in one schedule of three: gaps to announce.
            await s.execute(
                update(Shift)
                .where(Shift.schedule_id % 3 == 0, Shift.ext_id.like("%-3-0"))
                .values(contact_id=None)
            )
            await subscribe(
                s,
                account_id=account,
                platform="telegram",
                conversation_id="-1",
                kind="coverage",
                locale="fr",
                user_id=None,
                now=NOW,
            )
        print(f"built {SCHEDULES:,} schedules in {time.perf_counter() - t0:.1f} s")
        for label, at in (("first scan", NOW), ("steady scan", NOW + timedelta(minutes=5))):
            t = time.perf_counter()
            async with db.write() as s:
                queued = await scan_coverage(s, at)
            elapsed = time.perf_counter() - t
            print(
                f"{label}: {SCHEDULES:,} schedules x 14 days in {elapsed:.2f} s, "
                f"{len(queued):,} push(es) queued ({db.dialect})"
            )
        async with db.read() as s:
            total = await s.scalar(select(func.count()).select_from(OutboxItem))
        print(f"outbox rows after both scans: {total:,}")


if __name__ == "__main__":
    asyncio.run(main())
