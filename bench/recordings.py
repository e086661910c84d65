"""Recordings: transcoding speed, the cache, and the signed link under load.

- A 5-minute telephone WAV (8 kHz, 16-bit, mono) to MP3 (target: at least 200x faster
  than real time, under 1.5 s), then the cached second request (target: under 20 ms).
- ``GET /recordings/<token>`` of a 100 MB file from Garde's own aiohttp app: throughput,
  and peak memory over idle (target: within 20 MB); then 50 concurrent ranged downloads
  (none may fail). Run: ``python -m bench.recordings``.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp import ClientSession, web
from sqlalchemy import select

from bench.common import millis
from bot.app import Garde, link_console
from bot.contract import Actor, Conversation
from bot.documents.audio import playable
from bot.settings import Settings
from bot.web.links import LinkSigner
from bot.web.recordings import RecordingLinks
from core import schema
from core.audio import write_tones
from core.demo import build_demo
from core.ingest.importer import import_document, read_json
from core.models import Call
from core.records.recordings import RecordingStore

NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)
BIG = 100 * 1024 * 1024


def transcode(tmp: Path) -> RecordingStore:
    store = RecordingStore(tmp / "store")
    write_tones(tmp / "five.wav", [(440, 100.0), (660, 100.0), (880, 100.0)])
    name = store.put(tmp / "five.wav")
    t = time.perf_counter()
    audio = playable(store, name)
    first = time.perf_counter() - t
    wav, mp3 = store.path(name).stat().st_size, audio.path.stat().st_size
    print(
        f"transcode 5-minute WAV -> MP3: {first:.3f} s = {300 / first:.0f}x real time; "
        f"{wav / 1e6:.1f} MB -> {mp3 / 1e6:.2f} MB ({wav / mp3:.1f}x smaller)"
    )
    cached = []
    for _ in range(200):
        t = time.perf_counter()
        playable(store, name)
        cached.append(time.perf_counter() - t)
    print(f"cached second request: {millis(cached)}")
    return store


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def serve(tmp: Path) -> None:
    settings = Settings(
        recordings_dir=tmp / "store",
        public_url="https://garde.example.com",
        link_secret="bench-secret",
        _env_file=None,
    )
    store = RecordingStore(settings.recordings_dir)
    big = tmp / "big.wav"
    write_tones(big, [(440, 1.0)])
    name = store.put(big)
    cached = store.cache_path(name, "mp3")  # a 100 MB "transcode" already in the cache
    cached.parent.mkdir(parents=True, exist_ok=True)
    with cached.open("wb") as f:
        for _ in range(BIG // (1024 * 1024)):
            f.write(random.randbytes(1024 * 1024))
    url, _ = LinkSigner.of(settings).url(name, "call.mp3", NOW)  # type: ignore[union-attr]
    path = url.removeprefix(settings.public_url or "")
    app = web.Application()
    RecordingLinks(settings, lambda: NOW).mount(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        async with ClientSession() as http:
            await whole(http, base + path)
            await ranged(http, base + path)
    finally:
        await runner.cleanup()


async def whole(http: ClientSession, url: str) -> None:
    with open("/proc/self/clear_refs", "w") as f:  # noqa: ASYNC230 (procfs, instant)
        f.write("5")  # reset the peak (VmHWM) to now
    idle = rss_kb("VmRSS")
    t = time.perf_counter()
    got = 0
    async with http.get(url) as r:
        assert r.status == 200
        async for chunk in r.content.iter_chunked(256 * 1024):
            got += len(chunk)
    elapsed = time.perf_counter() - t
    assert got == BIG
    peak = rss_kb("VmHWM")
    print(
        f"link, 100 MB whole: {elapsed:.2f} s = {BIG / elapsed / 1e6:.0f} MB/s; "
        f"peak memory {(peak - idle) / 1024:.1f} MB over idle (server and client together)"
    )


async def ranged(http: ClientSession, url: str) -> None:
    rng = random.Random(7)

    async def one() -> float:
        start = rng.randrange(BIG - 2 * 1024 * 1024)
        t = time.perf_counter()
        async with http.get(url, headers={"Range": f"bytes={start}-{start + 1048575}"}) as r:
            body = await r.read()
            assert r.status == 206 and len(body) == 1048576
        return time.perf_counter() - t

    t = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(50)), return_exceptions=True)
    elapsed = time.perf_counter() - t
    failed = [r for r in results if isinstance(r, BaseException)]
    times = [r for r in results if isinstance(r, float)]
    print(
        f"50 concurrent ranged downloads (1 MB each): {len(failed)} failed, all in "
        f"{elapsed:.2f} s; {millis(times)}"
    )


async def through_dispatcher(tmp: Path) -> None:
    """``/recording ID`` on the demo data as a user runs it: first, then cached."""
    garde = Garde.create(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp / 'demo.db'}",
            recordings_dir=tmp / "demo-rec",
            _env_file=None,
        )
    )
    await schema.upgrade(garde.db)
    path = build_demo(tmp / "demo", today=date(2025, 3, 12))
    async with garde.db.write() as s:
        await import_document(
            s, read_json(path), base_dir=path.parent, recordings_dir=tmp / "demo-rec", now=NOW
        )
        call = await s.scalar(select(Call.ext_id).where(Call.recording.is_not(None)).limit(1))
    await link_console(garde.db, "demo", NOW, None)
    actor, conv = Actor("console", "demo"), Conversation("console", "demo")
    times = []
    for _ in range(101):
        t = time.perf_counter()
        [reply] = await garde.dispatcher.run(f"/recording {call}", actor, conv, NOW, lang="en")
        times.append(time.perf_counter() - t)
        assert reply.files
    await garde.close()
    print(
        f"/recording through the dispatcher: first {times[0] * 1000:.1f} ms, "
        f"cached {millis(times[1:])}"
    )


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="garde-bench-rec-") as tmp:
        await asyncio.to_thread(transcode, Path(tmp))
        await through_dispatcher(Path(tmp))
        await serve(Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
