"""Pushes that survive the platform's faults and Garde's own crashes.

The real Telegram adapter against the fake Bot API: 429 with Retry-After, 5xx, a bot
blocked by the user; then ``garde serve`` killed with SIGKILL in the middle of a batch
and started again: every push arrives, none is lost, at most the in-flight one twice.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.notify.delivery import DeliveryWorker
from core.models import OutboxItem, Subscription
from core.notify import outbox
from core.notify.subscriptions import subscribe
from testing.fake_telegram import FakeBotAPI
from testing.telegram_world import TelegramWorld
from tests.conftest import NOW


def message_push(n: int, chat: str, sub: int | None = None) -> dict:
    return outbox.item(
        platform="telegram",
        conversation_id=chat,
        locale="en",
        kind="message",
        now=NOW,
        subscription_id=sub,
        dedupe_key=f"test:{n}",
        payload={
            "account": "4000",
            "zone": "America/Toronto",
            "id": str(n),
            "subject": f"M{n:03d}",
            "urgent": False,
            "taken_at": NOW.isoformat(),
            "fields": [],
        },
    )


def subjects(fake: FakeBotAPI) -> list[str]:
    return [m for p in fake.sent() for m in re.findall(r"M\d{3}", p["text"])]


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        yield opened


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_waits_for_retry_after_500_backs_off_blocked_stops_the_chat(world):
    db = world.garde.db
    async with db.write() as s:
        sub = await subscribe(
            s,
            account_id=1,
            platform="telegram",
            conversation_id="-100777",
            kind="messages",
            locale="en",
            user_id=None,
            now=NOW,
        )
        await outbox.enqueue(
            s,
            [
                message_push(1, "501"),
                message_push(2, "502"),
                message_push(3, "-100777", sub.id),
                message_push(4, "-100777", sub.id),
            ],
        )
    clock = [NOW]
    worker = DeliveryWorker(db, world.garde.catalogs, [world.adapter], lambda: clock[0])
    world.fake.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    world.fake.fail("sendMessage", 500, "Internal Server Error")
    world.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await worker.run_once() == 0  # all three failed, the 4th was marked with the 3rd
    async with db.read() as s:
        items = {i.dedupe_key: i for i in await s.scalars(select(OutboxItem))}
        blocked = await s.scalar(select(Subscription))
    assert items["test:1"].due_at == NOW + timedelta(seconds=7)  # Retry-After honoured
    assert items["test:2"].status == "pending" and items["test:2"].due_at > NOW
    assert {items["test:3"].status, items["test:4"].status} == {"failed"}
    assert blocked.failed_at is not None and "blocked" in blocked.failure
    clock[0] = NOW + timedelta(seconds=6)
    assert await worker.run_once() == 1  # the 500 one, after its backoff; 429 still waits
    clock[0] = NOW + timedelta(seconds=8)
    assert await worker.run_once() == 1
    tried = subjects(world.fake)  # every sendMessage, the three refused ones first
    assert sorted(tried[:3]) == ["M001", "M002", "M003"] and sorted(tried[3:]) == ["M001", "M002"]
    clock[0] = NOW + timedelta(hours=1)
    assert await worker.run_once() == 0  # nothing is retried forever


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_sigkill_in_the_middle_of_a_batch_loses_nothing(db, db_url, tmp_path):
    fake = await FakeBotAPI().start()
    fake.delays["sendMessage"] = 0.05  # a batch takes a while: the kill lands inside it
    try:
        async with db.write() as s:
            await outbox.enqueue(s, [message_push(n, str(1000 + n)) for n in range(40)])
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "PORT": str(free_port()),
            "DELIVERY_SECONDS": "0.2",
            "ALERT_SCAN_MINUTES": "60",
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

        first = await serve()
        await fake.wait_for("sendMessage", 10, seconds=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        delivered_before = len(subjects(fake))
        assert delivered_before < 40  # killed in the middle of the batch
        second = await serve()
        try:
            await fake.wait_for("sendMessage", 40, seconds=60)
            await asyncio.sleep(1.0)  # anything repeated beyond one would show up by now
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
        counts = Counter(subjects(fake))
        assert set(counts) == {f"M{n:03d}" for n in range(40)}  # none lost
        assert sum(counts.values()) - 40 <= 1  # at most the in-flight one twice
        async with db.read() as s:
            statuses = Counter(i.status for i in await s.scalars(select(OutboxItem)))
        assert statuses == {"sent": 40}
    finally:
        await fake.close()
