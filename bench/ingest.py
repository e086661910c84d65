"""Ingest throughput: ``POST /api/v1/accounts/{number}/messages`` over real HTTP.

4 concurrent clients post batches of 100 new messages (taken minutes ago, so each is
pushed) to Garde's own web app; a chat is subscribed to every message of the account, so
each batch also queues its 100 push rows in the same transaction. Prints messages per
second sustained, and checks that every message was stored once and queued once. The
process's CPU time is printed too: on a shared machine it tells what the wall clock can't.
Run: ``python -m bench.ingest`` (SQLite), BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from aiohttp import ClientSession, web
from sqlalchemy import func, select

from bench.common import scratch_database
from bot.app import Garde
from bot.settings import Settings
from core.models import Account, Message, OutboxItem
from core.notify.subscriptions import subscribe

NOW = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)
TOKEN = "bench-token"
BATCH = 100
CLIENTS = 4


def batch(start: int) -> dict:
    return {
        "messages": [
            {
                "id": str(start + n),
                "taken_at": (NOW - timedelta(minutes=5, seconds=n)).isoformat(),
                "subject": "URGENCE",
                "urgent": n % 5 == 0,
                "agent": "F-CAROLANE",
                "fields": [["Prénom", "Jean"], ["Tel", "(514) 555-0101"], ["Probleme", "fuite"]],
                "history": [{"at": NOW.isoformat(), "event": "delivered", "detail": None}],
            }
            for n in range(BATCH)
        ]
    }


async def main(batches: int) -> None:
    async with scratch_database("ingest") as db:
        async with db.write() as session:
            account = Account(number="4000", name="Bench", timezone="America/Toronto")
            session.add(account)
            await session.flush()
            await subscribe(
                session,
                account_id=account.id,
                platform="telegram",
                conversation_id="-100",
                kind="messages",
                locale="fr",
                user_id=None,
                now=NOW,
            )
        settings = Settings(database_url=db.url, ingest_token=TOKEN, _env_file=None)
        garde = Garde.create(settings, clock=lambda: NOW)
        garde.adapters = []  # the API alone
        runner = web.AppRunner(garde.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/api/v1/accounts/4000/messages"
        bodies = [batch(1_000_000 + i * BATCH) for i in range(batches)]
        queue: asyncio.Queue[dict] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)

        async def client(http: ClientSession) -> None:
            while not queue.empty():
                body = queue.get_nowait()
                headers = {"Authorization": f"Bearer {TOKEN}"}
                async with http.post(url, json=body, headers=headers) as response:
                    assert response.status == 200, await response.text()

        try:
            async with ClientSession() as http:
                t0, cpu0 = time.perf_counter(), time.process_time()
                await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
                elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            async with db.read() as session:
                stored = await session.scalar(select(func.count()).select_from(Message))
                queued = await session.scalar(select(func.count()).select_from(OutboxItem))
        finally:
            await runner.cleanup()
            await garde.close()
        total = batches * BATCH
        assert stored == total and queued == total, (stored, queued)
        print(
            f"ingest of {total:,} messages, {CLIENTS} clients × batches of {BATCH}: "
            f"{elapsed:.1f} s, {total / elapsed:,.0f} messages/s, {queued:,} pushes queued "
            f"({db.dialect}); CPU of this process (clients, server, SQLite's thread; not "
            f"PostgreSQL's): {cpu:.1f} s = {total / cpu:,.0f} messages per CPU-second"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=200)
    asyncio.run(main(parser.parse_args().batches))
