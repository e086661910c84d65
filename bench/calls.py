"""/calls first page on a busy account: 60 days x 2,000 calls/day (target: median under
15 ms), and flat against an account of 10x fewer calls (ratio <= 1.3).

Both accounts live in the same database; each page is timed through the real dispatcher
(``/calls``, the last 7 days, and ``/calls month caller NUMBER``) as a linked user would
run it. Run: ``python -m bench.calls`` (BENCH_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bench.common import millis, scratch_database, settle
from bot.app import link_console
from bot.contract import Actor, Conversation
from bot.dispatch import Dispatcher
from bot.handlers import all_commands
from bot.i18n import Catalogs
from bot.registry import Registry
from bot.settings import Settings
from core.bulk import upsert
from core.callcode import local_start
from core.localtime import zone
from core.models import Account, Call, Membership, User
from core.records.calls import call_page, caller_digits

NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)
TZ = zone("America/Toronto")
DAYS, BUSY, QUIET = 60, 2000, 200
RUNS = 200


async def populate(db, number: str, per_day: int, user_id: int) -> None:
    rng = random.Random(number)
    async with db.write() as s:
        account = Account(number=number, name=number, timezone=str(TZ))
        s.add(account)
        await s.flush()
        s.add(Membership(user_id=user_id, account_id=account.id, role="viewer"))
        rows = []
        for n in range(DAYS * per_day):
            # One call in 100 from the number searched; the rest from 10,000 others.
            caller = "5145550042" if n % 100 == 0 else f"438555{rng.randrange(10_000):04d}"
            start = NOW - timedelta(seconds=rng.randrange(DAYS * 86400))
            rows.append(
                {
                    "account_id": account.id,
                    "ext_id": f"{number}-{n}",
                    "start_at": start,
                    **local_start(start, TZ),
                    "duration_s": rng.randint(20, 600),
                    "caller_id": caller,
                    "caller_digits": caller_digits(caller),
                    "agent": "F-CAROLANE",
                    "answered": rng.random() < 0.8,
                    "recording": None,
                }
            )
        await upsert(s, Call, rows, keys=("account_id", "ext_id"))


async def timed(dispatcher: Dispatcher, text: str) -> list[float]:
    actor, conv = Actor("console", "bench"), Conversation("console", "bench")
    out = []
    for _ in range(RUNS):
        t = time.perf_counter()
        replies = await dispatcher.run(text, actor, conv, NOW, lang="en")
        out.append(time.perf_counter() - t)
    assert replies[0].rows, replies[0].text
    return out


async def main() -> None:
    async with scratch_database("calls") as db:
        t0 = time.perf_counter()
        async with db.write() as s:
            user = User(username="bench")
            s.add(user)
            await s.flush()
            uid = user.id
        await populate(db, "busy", BUSY, uid)
        await populate(db, "quiet", QUIET, uid)
        await settle(db)
        print(f"built {DAYS * (BUSY + QUIET):,} calls in {time.perf_counter() - t0:.1f} s")
        settings = Settings(database_url="sqlite://", _env_file=None)
        dispatcher = Dispatcher(db, Catalogs(), Registry(all_commands()), settings)
        medians = {}
        for number, per_day in (("busy", BUSY), ("quiet", QUIET)):
            await link_console(db, "bench", NOW, number)
            for label, text in (
                ("/calls", "/calls"),
                ("caller", "/calls month caller 514-555-0042"),
            ):
                samples = await timed(dispatcher, text)
                medians[(number, label)] = sorted(samples)[len(samples) // 2]
                print(
                    f"{label:7} first page, {per_day:,} calls/day x {DAYS} days: "
                    f"{millis(samples)} ({db.dialect})"
                )
        for number in ("busy", "quiet"):
            async with db.read() as s:
                aid = await s.scalar(select(Account.id).where(Account.number == number))
                for caller in (None, "5145550042"):
                    samples = []
                    for _ in range(RUNS):
                        t = time.perf_counter()
                        await call_page(
                            s, aid, (NOW - timedelta(30), NOW), offset=0, size=10, caller=caller
                        )
                        samples.append(time.perf_counter() - t)
                    print(f"query alone, {number}, caller={caller}: {millis(samples)}")
        for label in ("/calls", "caller"):
            ratio = medians[("busy", label)] / medians[("quiet", label)]
            print(f"{label:7} ratio {BUSY:,}/day vs {QUIET:,}/day (flat is 1.0): {ratio:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
