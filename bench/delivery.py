"""Outbox delivery against the platforms' limits: delivered rate over allowed rate.

Pushes queued for many chats are delivered by the real worker through the real
Telegram adapter to the fake Bot API. Telegram allows 30 messages/s overall and 1/s per
chat: with 300 chats the allowed rate is 30/s. The goal is a ratio close to 1.0 and
never above (the fake also counts the most messages seen in any 1-second window).
Run: ``python -m bench.delivery [PUSHES]`` (default 3,000: about 100 s at 30/s).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import scratch_database
from bot.app import Garde
from bot.notify.delivery import DeliveryWorker
from bot.settings import Settings
from core.notify import outbox
from testing.fake_telegram import FakeBotAPI

NOW = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)
CHATS = 300


async def main(pushes: int) -> None:
    fake = await FakeBotAPI().start()
    with tempfile.TemporaryDirectory() as tmp:
        async with scratch_database("delivery") as db:
            settings = Settings(
                database_url=db.url,
                telegram_bot_token=fake.token,
                telegram_api_url=fake.url,
                recordings_dir=Path(tmp),
                _env_file=None,
            )
            garde = Garde.create(settings)
            items = [
                outbox.item(
                    platform="telegram",
                    conversation_id=str(10_000 + n % CHATS),
                    locale="en",
                    kind="message",
                    now=NOW,
                    dedupe_key=f"bench:{n}",
                    payload={
                        "account": "B",
                        "zone": "UTC",
                        "id": str(n),
                        "subject": f"M{n}",
                        "urgent": False,
                        "taken_at": NOW.isoformat(),
                        "fields": [],
                    },
                )
                for n in range(pushes)
            ]
            async with garde.db.write() as s:
                await outbox.enqueue(s, items)
            adapter = garde.adapter("telegram")
            await adapter.start()
            worker = DeliveryWorker(garde.db, garde.catalogs, [adapter], lambda: NOW)
            t0 = time.perf_counter()
            sent = await worker.run_once(max_items=pushes)
            elapsed = time.perf_counter() - t0
            await adapter.stop()
            await garde.close()
    times = sorted(c.at for c in fake.of("sendMessage"))
    await fake.close()
    peak = max(sum(1 for u in times[i : i + 40] if u < t + 1.0) for i, t in enumerate(times))
    allowed = min(30.0, float(CHATS))
    rate = sent / elapsed
    print(
        f"delivered {sent:,} pushes to {CHATS} Telegram chats in {elapsed:.1f} s: "
        f"{rate:.1f}/s; allowed {allowed:.0f}/s; ratio {rate / allowed:.3f}; "
        f"most in any 1 s window: {peak}"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
