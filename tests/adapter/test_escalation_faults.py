"""A climb survives ``garde serve`` killed with SIGKILL: after the restart every step
happens once (the deadlines are rows; pages are outbox rows with dedupe keys).

Forty urgent messages, each on its own schedule with its own two vets on Telegram (so
the platform's per-chat limit does not slow the test). The first process pages rank 0
and is killed in the middle of delivering; the minute is then made to pass by moving
the deadlines (they are rows), and a second process pages rank 1 and delivers the rest.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from core.models import Escalation, OutboxItem
from testing.clinic import clinic, load, telegram_id, urgent
from testing.fake_telegram import FakeBotAPI
from tests.adapter.test_alert_faults import free_port

N = 40


def pages(fake: FakeBotAPI) -> Counter:
    """(chat, rank) of every page the fake received."""
    return Counter((p["chat_id"], "rank 1" in p["text"]) for p in fake.sent() if "URG" in p["text"])


async def test_sigkill_in_the_middle_of_a_climb_every_step_once(db, db_url, tmp_path: Path):
    now = datetime.now(UTC)
    await load(db, clinic(now, N, delay=1, hours=3), now, tmp_path / "rec")
    await load(db, urgent(range(N), now - timedelta(minutes=1), N), now, tmp_path / "rec")
    fake = await FakeBotAPI().start()
    fake.delays["sendMessage"] = 0.05  # delivering takes a while: the kill lands inside it
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "PORT": str(free_port()),
        "DELIVERY_SECONDS": "0.2",
        "ESCALATION_SECONDS": "0.2",
        "ALERT_SCAN_MINUTES": "60",
        "DEFAULT_LOCALE": "en",
        "RECORDINGS_DIR": str(tmp_path / "rec"),
    }
    env.pop("PUBLIC_URL", None)

    async def serve() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    try:
        first = await serve()
        await fake.wait_for("sendMessage", 10, seconds=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert len(fake.sent()) < N  # killed in the middle of rank 0's pages
        async with db.write() as s:  # the minute passes: the deadlines are rows
            await s.execute(
                update(Escalation)
                .where(Escalation.state == "climbing", Escalation.step == 1)
                .values(due_at=datetime.now(UTC))
            )
        second = await serve()
        try:
            await fake.wait_for("sendMessage", 2 * N, seconds=90)
            await asyncio.sleep(1.5)  # a repeated step or page would show up by now
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
        counts = pages(fake)
        expected = {(str(telegram_id(n, r)), bool(r)) for n in range(N) for r in (0, 1)}
        assert set(counts) == expected  # every step of every climb: none lost
        assert sum(counts.values()) - 2 * N <= 1  # at most the in-flight page twice
        async with db.read() as s:
            steps = Counter(e.step for e in await s.scalars(select(Escalation)))
            queued = Counter(
                o.kind for o in await s.scalars(select(OutboxItem)) if o.status == "sent"
            )
        assert steps == {2: N}  # each climb took exactly two steps
        assert queued == {"page": 2 * N}  # one page per step and chat, never queued twice
    finally:
        await fake.close()
