"""Telegram webhook: Garde's handling time per update, against PTB with an echo handler.

1,000 updates (``/oncall who 01`` from a linked scheduler, each in its own group chat)
are posted to the webhook of a running Garde (aiohttp ``AppRunner`` on 127.0.0.1, a
temporary SQLite database with the demo data, the fake Bot API of the adapter tests).
An update's time runs from the start of its POST to the arrival of its reply's
``sendMessage`` at the fake, as a request of its own or carried back in the webhook's
response (Garde's one-message replies; the fake then performs it, as Telegram does).
The same 1,000 updates then go through a bare PTB ``Application`` (``updater(None)``,
same webhook shape: secret check, ``de_json``, ``update_queue``) whose handler echoes
the text through the API: what the platform library costs alone.

Two runs each: one update at a time (latency), then 32 in flight (throughput); then 200
more with asyncio's debug mode, which logs every callback that held the event loop over
50 ms (a blocking call): their count is printed, and the garbage collector's passes that
took as long (a callback one lands in is slow without blocking anything). Figures
are for everything in one process and one event loop (load, fake API, bot), so the
ratio is the meaningful number. Run: ``python -m bench.telegram`` (BENCH_DATABASE_URL
for PostgreSQL).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import ClientSession, web
from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bench.common import scratch_database
from bot.adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH
from bot.app import Garde
from bot.settings import Settings
from core.demo import build_demo
from core.ingest.importer import import_document, read_json
from testing.fake_telegram import Call, FakeBotAPI
from testing.telegram_world import ALICE, message

UPDATES = 1000
WINDOW = 32
SECRET = "bench-secret"
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
TEXT = "/oncall who 01"
SLOW_MS = 50  # a callback longer than this is a blocking call on the loop


class Replies:
    """Futures for the sendMessage of each chat, resolved as the fake receives them."""

    def __init__(self, fake: FakeBotAPI) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.fake = fake
        fake.listener = self.heard

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future = asyncio.get_running_loop().create_future()
        self.waiting[str(chat_id)] = future
        return future

    def heard(self, call: Call) -> None:
        if call.method == "sendMessage":
            future = self.waiting.pop(str(call.params["chat_id"]), None)
            if future is not None and not future.done():
                future.set_result(call.at)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}{WEBHOOK_PATH}"


async def load(
    url: str, replies: Replies, window: int, base: int, updates: int = UPDATES
) -> tuple[list[float], float]:
    """Post ``updates`` updates, ``window`` at a time; per-update latencies and the total time."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(window)
    async with ClientSession() as http:

        async def one(i: int) -> None:
            chat_id = -(base + i)
            update = message(TEXT, user_id=ALICE, chat_id=chat_id)
            async with gate:
                arrived = replies.expect(chat_id)
                start = time.perf_counter()
                status = await replies.fake.deliver(http, url, update, {SECRET_HEADER: SECRET})
                assert status == 200, status
                latencies.append(await asyncio.wait_for(arrived, 30) - start)

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(updates)))
    return latencies, time.perf_counter() - began


async def garde_app(fake: FakeBotAPI, db_url: str, tmp: Path) -> tuple[Garde, web.Application]:
    settings = Settings(
        database_url=db_url,
        recordings_dir=tmp / "rec",
        telegram_bot_token=fake.token,
        telegram_api_url=fake.url,
        telegram_webhook_secret=SECRET,
        public_url="https://garde.example.org",
        _env_file=None,
    )
    garde = Garde.create(settings, clock=lambda: NOW)  # the demo's day
    path = build_demo(tmp / "demo", today=NOW.date())
    async with garde.db.write() as session:
        await import_document(
            session, read_json(path), base_dir=path.parent, recordings_dir=tmp / "rec", now=NOW
        )
    return garde, garde.web_app()


def echo_app(fake: FakeBotAPI) -> web.Application:
    """PTB alone: the same webhook shape, a handler that echoes the text."""
    ptb = (
        Application.builder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .updater(None)
        .concurrent_updates(256)
        .job_queue(None)
        .build()
    )

    async def echo(update: Update, _context: object) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    ptb.add_handler(MessageHandler(filters.TEXT, echo))

    async def webhook(request: web.Request) -> web.Response:
        if not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, "").encode(), SECRET.encode()
        ):
            return web.Response(status=403)
        await ptb.update_queue.put(Update.de_json(await request.json(), ptb.bot))
        return web.Response()

    async def start(_app: web.Application) -> None:
        await ptb.initialize()
        await ptb.start()

    async def stop(_app: web.Application) -> None:
        await ptb.stop()
        await ptb.shutdown()

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app


def figures(label: str, latencies: list[float], total: float) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies)
    found = {
        "mean": statistics.fmean(ms),
        "p50": statistics.median(ms),
        "p99": ms[int(len(ms) * 0.99) - 1],
        "rate": len(ms) / total,
    }
    print(
        f"{label:<28} mean {found['mean']:7.2f} ms  p50 {found['p50']:7.2f} ms  "
        f"p99 {found['p99']:7.2f} ms  {found['rate']:7.0f} updates/s"
    )
    return found


class SlowCallbacks(logging.Handler):
    """asyncio's debug-mode warnings "Executing <...> took 0.123 seconds", counted."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Executing"):
            self.found.append(record.getMessage())


class Collections:
    """The garbage collector's passes longer than SLOW_MS: a callback it lands in looks
    like a blocking call, so the two are told apart."""

    def __init__(self) -> None:
        self.long: list[float] = []
        self._began = 0.0

    def __call__(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        elif (took := time.perf_counter() - self._began) * 1000 > SLOW_MS:
            self.long.append(took)


async def slow_callbacks(url: str, replies: Replies) -> tuple[list[str], list[float]]:
    """Updates with the loop in debug mode: every callback that held the loop longer than
    SLOW_MS (a blocking call on the event loop) is logged by asyncio; they are returned,
    with the collector's passes that took as long."""
    loop = asyncio.get_running_loop()
    watcher, collections = SlowCallbacks(), Collections()
    logging.getLogger("asyncio").addHandler(watcher)
    gc.callbacks.append(collections)
    loop.set_debug(True)
    loop.slow_callback_duration = SLOW_MS / 1000
    try:
        await load(url, replies, 8, 40_000_000, updates=200)
    finally:
        loop.set_debug(False)
        gc.callbacks.remove(collections)
        logging.getLogger("asyncio").removeHandler(watcher)
    return watcher.found, collections.long


async def measure(make: Callable[[], Awaitable[web.Application]], fake: FakeBotAPI, name: str):
    replies = Replies(fake)
    runner, url = await serve(await make())
    try:
        await load(url, replies, 8, 10_000_000)  # warm-up: connections, caches
        one = figures(f"{name}, 1 at a time", *await load(url, replies, 1, 20_000_000))
        many = figures(f"{name}, {WINDOW} in flight", *await load(url, replies, WINDOW, 30_000_000))
        slow, collected = await slow_callbacks(url, replies)
        print(
            f"{name}: {len(slow)} callbacks held the event loop over {SLOW_MS} ms "
            f"(asyncio debug, 200 updates, 8 in flight); {len(collected)} garbage "
            "collections took as long" + "".join(f" ({x * 1000:.0f} ms)" for x in collected)
        )
        for line in slow[:5]:
            print(f"  {line[:160]}")
    finally:
        await runner.cleanup()
    return one, many


async def main() -> None:
    fake = await FakeBotAPI().start()
    print(f"{UPDATES} webhook updates ({TEXT!r}), POST -> reply's sendMessage at the fake API")
    try:
        async with scratch_database("telegram") as db:
            with tempfile.TemporaryDirectory(prefix="garde-bench-tg-") as tmp:
                garde: list[Garde] = []

                async def make_garde() -> web.Application:
                    made, app = await garde_app(fake, db.url, Path(tmp))
                    garde.append(made)
                    return app

                async def make_echo() -> web.Application:
                    return echo_app(fake)

                g1, gn = await measure(make_garde, fake, "Garde")
                e1, en = await measure(make_echo, fake, "PTB echo")
                for made in garde:
                    await made.close()
    finally:
        await fake.close()
    print(
        f"ratio Garde / echo: 1 at a time {g1['mean'] / e1['mean']:.1f}x (mean), "
        f"{WINDOW} in flight {en['rate'] / gn['rate']:.1f}x (throughput)"
    )


if __name__ == "__main__":
    asyncio.run(main())
