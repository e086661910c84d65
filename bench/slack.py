"""Slack slash-command acks under load: Garde's ``/slack/events`` against a bare handler.

This process runs what ``garde serve`` runs (the aiohttp app of ``Garde.web_app()`` via
``AppRunner`` on 127.0.0.1, a temporary SQLite database with the demo data of today,
Slack on) and, beside it, a bare aiohttp handler that answers 200 at once. A second
process plays Slack: a fake Web API (auth.test, users.info, the response_url the
replies are posted to) and the load, signed slash commands ``/oncall who`` from 1, 10
and 100 concurrent clients, a fixed count each, against both servers in turn.

Ack = the HTTP response of ``POST /slack/events``. Printed per level: acks/s, p50 and
p99 ack latency for both, the throughput ratio, and for Garde the time until every
reply had reached its response_url. Goals: p99 under 100 ms at 100 clients, Garde at
least 50 % of the bare handler's throughput. Then the CPU time each reply took, in
Garde's process (every thread: the server, its SQLite threads) and in Slack's (the load
and the fake API), from the ack to the reply's arrival: whatever the number of server
processes, this machine's cores cannot make replies faster than their count divided by
the sum, which is printed as the ceiling.

Run: ``python -m bench.slack`` (``--count N`` requests per client, default 30;
``--profile FILE`` profiles Garde's process during the load with cProfile and prints
where its time went, the slowest functions first).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import hashlib
import hmac
import multiprocessing
import os
import pstats
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
LEVELS = (1, 10, 100)


# --------------------------------------------------------------------------- Slack's side


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


class SlackSide:
    """The fake Web API and the load generator (the child process)."""

    def __init__(self) -> None:
        self.replies = 0
        self.url = ""
        self._serial = 0
        self._expected = 0
        self._all_in = asyncio.Event()

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/api/auth.test", self._auth_test)
        app.router.add_route("*", "/api/users.info", self._users_info)
        app.router.add_post("/response", self._response)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return runner

    async def _auth_test(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": True, "team_id": "T0001", "user_id": "UGARDE", "bot_id": "BGARDE"}
        )

    async def _users_info(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "user": {"locale": "fr-CA"}})

    async def _response(self, request: web.Request) -> web.Response:
        await request.read()
        self.replies += 1
        if self.replies >= self._expected:
            self._all_in.set()
        return web.Response(text="ok")

    def body(self) -> str:
        self._serial += 1  # Slack's trigger_id makes every body (and signature) unique
        return urlencode(
            {
                "team_id": "T0001",
                "channel_id": "C0BENCH",
                "channel_name": "bench",
                "user_id": "U0ALICE",
                "user_name": "alice",
                "command": "/oncall",
                "text": "who",
                "response_url": f"{self.url}/response",
                "trigger_id": f"{self._serial}.{time.time_ns()}",
            }
        )

    async def load(self, url: str, clients: int, count: int) -> tuple[float, list[float], int]:
        """``clients`` concurrent clients, ``count`` requests each: (seconds, latencies, errors)."""
        latencies: list[float] = []
        errors = 0
        connector = aiohttp.TCPConnector(limit=clients)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def client() -> None:
                nonlocal errors
                for _ in range(count):
                    body = self.body()
                    began = time.perf_counter()
                    async with session.post(url, data=body, headers=_signed(body)) as response:
                        await response.read()
                    latencies.append(time.perf_counter() - began)
                    errors += response.status != 200

            began = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            return time.perf_counter() - began, latencies, errors

    async def delivered(self, expected: int, within: float = 60.0) -> float:
        """Seconds until ``expected`` replies reached the response_url."""
        began = time.perf_counter()
        self._expected = expected
        if self.replies < expected:
            self._all_in.clear()
            try:
                await asyncio.wait_for(self._all_in.wait(), within)
            except TimeoutError:
                print(f"  only {self.replies} of {expected} replies arrived")
        return time.perf_counter() - began


async def _slack_side(conn, count: int, rounds: int) -> None:
    side = SlackSide()
    runner = await side.start()
    conn.send(side.url + "/api/")
    targets = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    garde, bare = targets["garde"], targets["bare"]
    for url in (bare, garde):  # warm up: connections, auth.test, caches, the database
        await side.load(url, 4, 5)
    await side.delivered(20)
    results = []
    for clients in LEVELS:
        row: dict = {"clients": clients, "bare": [], "garde": [], "delivered": [], "cpu": []}
        for _ in range(rounds):  # alternate, so that a noisy second hits both alike
            for name, url in (("bare", bare), ("garde", garde)):
                side.replies = 0
                cpu = (_cpu_of(os.getppid()), time.process_time())
                seconds, latencies, errors = await side.load(url, clients, count)
                row[name].append((len(latencies) / seconds, latencies, errors))
                if name == "garde":
                    row["delivered"].append(seconds + await side.delivered(len(latencies)))
                    garde_cpu = _cpu_of(os.getppid()) - cpu[0]
                    slack_cpu = time.process_time() - cpu[1]
                    row["cpu"].append((garde_cpu / len(latencies), slack_cpu / len(latencies)))
        results.append(row)
    conn.send(results)
    await runner.cleanup()


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """Seconds of CPU process ``pid`` has used, every thread (Linux's /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _child(conn, count: int, rounds: int) -> None:
    asyncio.run(_slack_side(conn, count, rounds))


# --------------------------------------------------------------------------- Garde's side


async def _garde(api_url: str, tmp: Path):
    from bot.app import Garde
    from bot.settings import Settings
    from core.demo import build_demo
    from core.ingest.importer import import_document, read_json

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp / 'bench.db'}",
        recordings_dir=tmp / "rec",
        slack_signing_secret=SECRET,
        slack_bot_token=TOKEN,
        slack_api_url=api_url,
        _env_file=None,
    )
    garde = Garde.create(settings)
    await garde.prepare_database()
    now = datetime.now(UTC)
    doc = build_demo(tmp / "demo", today=now.date())
    async with garde.db.write() as session:
        await import_document(
            session, read_json(doc), base_dir=doc.parent, recordings_dir=tmp / "rec", now=now
        )
    return garde


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


async def _bare(_request: web.Request) -> web.Response:
    await _request.read()
    return web.Response(status=200)


def _ms(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000 if len(samples) > 1 else 0.0


async def main(count: int, rounds: int, freeze: bool, profile: str | None = None) -> None:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    slack = ctx.Process(target=_child, args=(child, count, rounds), daemon=True)
    slack.start()
    loop = asyncio.get_running_loop()
    api_url = await loop.run_in_executor(None, parent.recv)
    with tempfile.TemporaryDirectory(prefix="garde-bench-slack-") as tmp:
        garde = await _garde(api_url, Path(tmp))
        garde_runner, garde_url = await _serve(garde.web_app())
        bare_app = web.Application()
        bare_app.router.add_post("/slack/events", _bare)
        bare_runner, bare_url = await _serve(bare_app)
        if freeze:  # what `garde serve` would do once started: see --gc-freeze
            gc.collect()
            gc.freeze()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        parent.send({"garde": garde_url, "bare": bare_url})
        results = await loop.run_in_executor(None, parent.recv)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        await garde_runner.cleanup()
        await bare_runner.cleanup()
        await garde.close()
    slack.join(10)
    gc_note = ", gc.freeze() after start" if freeze else ""
    print(
        f"Slack slash commands (/oncall who): {count} requests per client, "
        f"median of {rounds} rounds, SQLite, demo data{gc_note}"
    )
    print("| clients | bare acks/s | Garde acks/s | ratio | Garde p50 | Garde p99 | bare p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in results:
        bare_rate = statistics.median(r[0] for r in row["bare"])
        rate = statistics.median(r[0] for r in row["garde"])
        bare_lat = [x for r in row["bare"] for x in r[1]]
        lat = [x for r in row["garde"] for x in r[1]]
        row["errors"] = sum(r[2] for r in row["garde"]) + sum(r[2] for r in row["bare"])
        print(
            f"| {row['clients']} | {bare_rate:,.0f} | {rate:,.0f} | {rate / bare_rate:.0%} "
            f"| {statistics.median(lat) * 1000:.1f} ms | {_ms(lat, 99):.1f} ms "
            f"| {_ms(bare_lat, 99):.1f} ms |"
        )
    for row in results:
        replies = row["clients"] * count
        took = statistics.median(row["delivered"])
        print(
            f"{row['clients']} clients: every reply at its response_url {took:.2f} s after "
            f"the first request ({replies / took:,.0f} replies/s)"
            + (f"; {row['errors']} non-200 answers" if row["errors"] else "")
        )
    cores = os.cpu_count() or 1
    for row in results:
        garde_ms = statistics.median(c[0] for c in row["cpu"]) * 1000
        slack_ms = statistics.median(c[1] for c in row["cpu"]) * 1000
        print(
            f"{row['clients']} clients: CPU per reply, Garde {garde_ms:.2f} ms + Slack's side "
            f"{slack_ms:.2f} ms: {cores} cores make at most "
            f"{cores * 1000 / (garde_ms + slack_ms):,.0f} replies/s, however many processes"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30, help="requests per client")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per level (median)")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once started: the collector stops scanning startup objects",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile Garde's process into FILE")
    args = parser.parse_args()
    asyncio.run(main(args.count, args.rounds, args.gc_freeze, args.profile))
