"""Urgent-message escalation: how fast a page reaches the person on call, and 1,000 climbs.

1. **Page latency**: a running Garde (the real scheduler and Telegram adapter against the
   fake Bot API, real clock) receives 500 urgent messages through the importer, 20 a
   second, for 50 vets on call; each message's time runs from its import's commit to
   its page's ``sendMessage`` at the fake. Goal: p99 under 2 s.
2. **1,000 climbs at once**: 1,000 escalations fall due at the same instant; the steps
   are run as the scheduler's leader runs them (batches of 200); each step's lag is
   the time from the deadline to the commit of its batch. Goal: every step within 5 s,
   no duplicate page. Then the same with **two replicas** (two engines, as two
   processes have) running the due steps at once: still one page per step.

Run: ``python -m bench.escalation`` (BENCH_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import select

from bench.common import scratch_database
from bot.app import Garde
from bot.settings import Settings
from core.db import Database
from core.models import OutboxItem
from core.notify import escalation
from testing.clinic import clinic, load, subject, urgent
from testing.fake_telegram import FakeBotAPI

VETS = 50
MESSAGES = 500
CLIMBS = 1000


async def page_latency(db: Database) -> None:
    fake = await FakeBotAPI().start()
    settings = Settings(
        database_url=str(db.engine.url.render_as_string(hide_password=False)),
        telegram_bot_token=fake.token,
        telegram_api_url=fake.url,
        _env_file=None,
    )
    garde = Garde.create(settings)
    runner = web.AppRunner(garde.web_app(), access_log=None)
    await runner.setup()  # starts the adapter (polling the fake)
    await load(garde.db, clinic(datetime.now(UTC), VETS, delay=10), datetime.now(UTC))
    jobs = garde.scheduler()
    jobs.start()
    arrived: dict[str, float] = {}
    try:
        for n in range(MESSAGES):
            now = datetime.now(UTC)
            await load(garde.db, urgent(range(n, n + 1), now, VETS), now)
            arrived[subject(n)] = time.perf_counter()
            await asyncio.sleep(1 / 20)
        await fake.wait_for("sendMessage", MESSAGES, seconds=120)
        await asyncio.sleep(0.5)  # the last sends get their answers before the shutdown
    finally:
        await jobs.stop()
        await runner.cleanup()
        await garde.close()
        await fake.close()
    lags = sorted(
        c.at - arrived[c.params["text"].split(": ", 1)[1][:8]] for c in fake.of("sendMessage")
    )
    p99 = lags[int(len(lags) * 0.99) - 1]
    print(
        f"page latency, {MESSAGES} urgent messages at 20/s: "
        f"median {statistics.median(lags):.2f} s, p99 {p99:.2f} s, max {lags[-1]:.2f} s "
        f"(goal: p99 < 2 s; {db.dialect})"
    )


async def climbs(db: Database, url: str, replicas: int) -> None:
    t0 = datetime(2025, 3, 12, 7, 0, tzinfo=UTC)
    await load(db, clinic(t0, VETS, delay=1), t0)
    for start in range(0, CLIMBS, 250):  # one import per 250 messages
        await load(db, urgent(range(start, start + 250), t0, VETS), t0)
    engines = [db] + [Database(url) for _ in range(replicas - 1)]
    try:
        for step, due in ((1, t0), (2, t0 + timedelta(minutes=1))):
            began = time.monotonic()
            lags: list[float] = []

            async def runner(
                replica: Database,
                at: datetime = due,
                began: float = began,
                lags: list[float] = lags,
            ) -> None:
                while True:
                    async with replica.write() as s:
                        fired = await escalation.run_due(s, at)
                    lags.extend([time.monotonic() - began] * fired)
                    if fired == 0:
                        return

            await asyncio.gather(*(runner(e) for e in engines))
            async with db.read() as s:
                keys = Counter(
                    (o.payload["escalation"], o.payload["step"])
                    for o in await s.scalars(select(OutboxItem).where(OutboxItem.kind == "page"))
                )
            dupes = sum(c - 1 for c in keys.values())
            print(
                f"{CLIMBS:,} climbs, step {step}, {replicas} runner(s): {len(lags):,} steps fired, "
                f"slowest {max(lags):.2f} s after its deadline (goal < 5 s); "
                f"pages so far {sum(keys.values()):,}, duplicates {dupes} ({db.dialect})"
            )
    finally:
        for extra in engines[1:]:
            await extra.dispose()


async def main() -> None:
    async with scratch_database("escalation-latency") as db:
        await page_latency(db)
    for replicas in (1, 2):
        async with scratch_database(f"escalation-climbs-{replicas}") as db:
            await climbs(db, db.engine.url.render_as_string(hide_password=False), replicas)


if __name__ == "__main__":
    asyncio.run(main())
