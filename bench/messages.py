"""The inbox at scale: ``/messages today`` flat in the account's size, and a 30,000-row export.

200 accounts; the measured one holds 60 days × 500 messages a day (30,000), a second one
10× fewer (60 × 50), the other 198 hold ``--others`` messages each. Prints the median and
p95 of ``/messages today`` through the real dispatcher for both, their ratio (flat is 1.0),
then the time and the memory of ``/messages export`` over all 60 days (peak resident
memory above the idle process, measured with Linux's resettable high-water mark). The
export's CPU time (the process's, SQLite's thread included) is printed beside its
wall-clock time: on a shared machine the wall clock mostly measures the neighbours.
Run: ``python -m bench.messages`` (SQLite), BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.common import millis, scratch_database, settle
from bot.app import Garde, link_console
from bot.contract import Actor, Conversation
from bot.settings import Settings
from core.db import Database
from core.models import Account, Membership, Message, User

NOW = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)  # noon in Toronto
DAYS = 60
FIELDS = [["Prénom", "Jean"], ["Nom", "Tremblay"], ["Tel", "(514) 555-0101"], ["Probleme", "fuite"]]


def _messages(account_id: int, per_day: int, rng: random.Random) -> list[dict]:
    rows = []
    for day in range(DAYS):
        for n in range(per_day):
            taken = NOW - timedelta(days=day, seconds=rng.randrange(86_400))
            rows.append(
                {
                    "account_id": account_id,
                    "ext_id": f"{account_id}-{day}-{n}",
                    "taken_at": taken,
                    "subject": "URGENCE" if n % 9 == 0 else "RENDEZ-VOUS",
                    "urgent": n % 9 == 0,
                    "status": "open" if rng.random() < 0.3 else "closed",
                    "agent": "F-CAROLANE",
                    "fields": FIELDS,
                    "history": [{"at": taken.isoformat(), "event": "delivered", "detail": None}],
                }
            )
    return rows


async def populate(db: Database, others: int) -> None:
    rng = random.Random(7)
    async with db.write() as session:
        accounts = [
            Account(number=str(5000 + i), name=f"Client {i}", timezone="America/Toronto")
            for i in range(200)
        ]
        session.add_all(accounts)
        user = User(username="bench", name="Bench")
        session.add(user)
        await session.flush()
        for acc in accounts[:2]:
            session.add(Membership(user_id=user.id, account_id=acc.id, role="admin"))
        ids = [a.id for a in accounts]
    plan = [(ids[0], 500), (ids[1], 50)] + [(i, max(1, others // DAYS)) for i in ids[2:]]
    for account_id, per_day in plan:
        rows = _messages(account_id, per_day, rng)
        async with db.write() as session:
            for i in range(0, len(rows), 5000):
                await session.execute(insert(Message), rows[i : i + 5000])


async def timed(garde: Garde, text: str, account: str, runs: int) -> list[float]:
    await link_console(garde.db, "bench", NOW, account)
    actor, where = Actor("console", "bench"), Conversation("console", "bench")
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        replies = await garde.dispatcher.run(text, actor, where, NOW, lang="en")
        samples.append(time.perf_counter() - t0)
    assert "message(s)" in replies[0].text, replies[0].text
    return samples


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets the resident-memory high-water mark."""
    Path("/proc/self/clear_refs").write_text("5")


async def main(runs: int, others: int) -> None:
    async with scratch_database("messages") as db:
        t0 = time.perf_counter()
        await populate(db, others)
        await settle(db)
        print(f"populated in {time.perf_counter() - t0:.0f} s ({db.dialect})")
        garde = Garde.create(Settings(database_url=db.url, _env_file=None))
        try:
            await timed(garde, "/messages today", "5000", 20)  # warm caches
            big = await timed(garde, "/messages today", "5000", runs)
            small = await timed(garde, "/messages today", "5001", runs)
            print(f"/messages today, 30,000 messages: {millis(big)}")
            print(f"/messages today, 3,000 messages: {millis(small)}")
            ratio = statistics.median(big) / statistics.median(small)
            print(f"ratio 30,000 / 3,000 messages: {ratio:.2f}× (flat is 1.0)")
            await timed(garde, "/messages today urgent open", "5000", 5)
            first = (NOW - timedelta(days=DAYS)).date().isoformat()
            text = f"/messages export {first}..{NOW.date().isoformat()}"
            await link_console(garde.db, "bench", NOW, "5000")
            idle = _status("VmRSS")
            _reset_peak()
            t0, cpu0 = time.perf_counter(), time.process_time()
            [reply] = await garde.dispatcher.run(
                text, Actor("console", "bench"), Conversation("console", "bench"), NOW, lang="en"
            )
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            peak = _status("VmHWM")
            path = reply.files[0].path
            rows = sum(1 for _ in path.open(encoding="utf-8-sig")) - 1
            print(
                f"export of {rows:,} messages: {elapsed:.2f} s ({cpu:.2f} s of CPU in this "
                f"process: the figure when the machine is shared), "
                f"{path.stat().st_size / 1e6:.1f} MB of CSV, "
                f"peak memory {(peak - idle) / 1e6:.1f} MB above the idle process"
            )
            path.unlink()
        finally:
            await garde.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--others", type=int, default=600, help="messages of each other account")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.others))
