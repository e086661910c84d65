"""Rate limits and scheduler leadership: what keeps pushes within the platforms' rules,
and exactly one replica running the jobs."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys

from sqlalchemy import func, select

from bot.notify.ratelimit import LIMITS, RateLimiter, is_group
from bot.notify.scheduler import Leadership
from core.db import Database
from core.models import OutboxItem
from tests.builders import account_doc, load, subscription
from tests.unit.test_alerts import NOW, SCHEDULE


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def drive(limiter: RateLimiter, clock: Clock, chats: list[str], seconds: float) -> list[float]:
    """Send as fast as the limiter allows, round-robin over ``chats``; the send times."""
    times: list[float] = []
    end = clock.t + seconds
    i = 0
    while clock.t < end:
        chat = chats[i % len(chats)]
        wait = limiter.wait(chat, is_group("telegram", chat))
        if wait > 0:
            clock.t += min(wait, 0.001)
            continue
        limiter.sent(chat, is_group("telegram", chat))
        times.append(clock.t)
        i += 1
    return times


def test_telegram_overall_limit_is_30_per_second_never_more():
    clock = Clock()
    limiter = RateLimiter(LIMITS["telegram"], clock)
    times = drive(limiter, clock, [str(n) for n in range(100)], 10.0)
    assert 295 <= len(times) <= 300
    # In every sliding second, at most 30 messages.
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) == 30


def test_one_message_per_second_per_chat_and_20_per_minute_per_group():
    clock = Clock()
    limiter = RateLimiter(LIMITS["telegram"], clock)
    private = drive(limiter, clock, ["42"], 10.0)
    assert len(private) == 10 and all(b - a >= 1.0 for a, b in itertools.pairwise(private))
    group = drive(RateLimiter(LIMITS["telegram"], clock), clock, ["-1001"], 120.0)
    assert len(group) == 40  # 20 a minute over two minutes


async def test_only_one_leader_and_another_takes_over(db_url):
    first, second = Database(db_url), Database(db_url)
    a, b = Leadership(first), Leadership(second)
    try:
        if first.dialect == "sqlite":  # one process: it always leads
            assert await a.hold() and await b.hold()
            return
        assert await a.hold()
        assert not await b.hold()
        assert await a.hold()  # keeps it
        await a.release()  # the holder's connection closes (a replica dies)
        assert await b.hold()
        assert not await a.hold()
    finally:
        await a.release()
        await b.release()
        await first.dispose()
        await second.dispose()


async def test_two_processes_scanning_at_once_queue_each_alert_once(db, db_url, tmp_path):
    """Two `garde alerts scan` processes started together (two replicas' scans)."""
    await load(db, account_doc([SCHEDULE]))
    await subscription(db, "coverage", now=NOW)
    env = {**os.environ, "DATABASE_URL": db_url}
    cmd = ["-m", "bot", "--lang", "en", "alerts", "scan", "--now", NOW.isoformat()]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, *cmd, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
        )
        for _ in range(2)
    ]
    outs = [(await p.communicate())[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    # Each process saw the gap; between them the alert was queued once.
    counts = sorted(next(line for line in o.splitlines() if " queued; " in line) for o in outs)
    assert counts == [
        "0 pushes queued; the running server delivers them.",
        "1 push queued; the running server delivers it.",
    ] or all("1 push queued" in o for o in outs)
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxItem)) == 1
