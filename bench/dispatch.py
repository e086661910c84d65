"""The command path in process: where the time of ``/oncall who`` goes, stage by stage.

The demo data of 2025-03-12 (the tests' ``garde`` fixture), ``alice`` (scheduler of
account 4000) at the console. Each stage is timed on its own, as the dispatcher runs it:

- session: open a read session and run one trivial statement (one round trip's floor);
- asker: who is asking — the identity, its user and the accounts held, with the role;
- translator, registry + parse, role check: the in-memory steps;
- handler: ``/oncall who`` given a ready context (its own reads included);
- render: the replies as Slack blocks and Telegram HTML.

Then the p50 of the whole ``Dispatcher.run`` for ``/oncall who`` (every schedule of the
account) and ``/oncall who 01`` (one), with the CPU time each takes (wall time on a
shared machine includes waiting for a core; CPU time does not). SQLite always; PostgreSQL too when
BENCH_DATABASE_URL is set (that database is emptied). Run: ``python -m bench.dispatch``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.common import scratch_database
from bot.adapters.slack import render as slack_render
from bot.adapters.telegram import render as telegram_render
from bot.app import Garde, link_console
from bot.context import Context
from bot.contract import Actor, Command, Conversation
from bot.dispatch import _refusal
from bot.parsing import split_command
from bot.settings import Settings
from core.demo import build_demo
from core.ingest.importer import import_document, read_json

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
USER = "alice"
ROUNDS = 400
GOAL_MS = 3.0


async def p50(step: Callable[[], Awaitable[object]], rounds: int = ROUNDS) -> float:
    """The median duration of ``step`` in milliseconds, after a warm-up."""
    for _ in range(20):
        await step()
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        await step()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


async def demo_garde(db_url: str, tmp: Path) -> Garde:
    settings = Settings(database_url=db_url, recordings_dir=tmp / "rec", _env_file=None)
    garde = Garde.create(settings, clock=lambda: NOW)
    path = build_demo(tmp / "demo", today=NOW.date())
    async with garde.db.write() as session:
        await import_document(
            session, read_json(path), base_dir=path.parent, recordings_dir=tmp / "rec", now=NOW
        )
    await link_console(garde.db, USER, NOW, None)
    return garde


async def stages(garde: Garde) -> dict[str, float]:
    """Each stage of ``/oncall who`` timed alone, in milliseconds (p50)."""
    d = garde.dispatcher
    actor, conv = Actor("console", USER, name=USER), Conversation("console", USER)
    asker = await d.who(actor, lang="en")
    spec = d.registry.find("oncall")
    assert spec is not None and asker.active is not None
    command = Command(spec.name, (), "/oncall who", actor, conv, NOW)

    def context() -> Context:
        ctx = Context(
            d.db,
            d.catalogs,
            asker.t,
            NOW,
            d.settings,
            d.registry,
            asker.identity,
            accounts=asker.accounts,
        )
        ctx.account, ctx.role = asker.active
        return ctx

    replies = await spec.handler(command, context())
    assert isinstance(replies, list)

    async def session() -> None:
        async with d.db.read() as s:
            await s.execute(text("SELECT 1"))

    async def who() -> None:
        await d.who(actor, lang="en")

    async def translator() -> None:
        d.catalogs.translator("fr")

    async def parse() -> None:
        name, _args, _comment = split_command("/oncall who")
        d.registry.find(name)

    async def role() -> None:
        _refusal(spec, context(), asker.active, asker.t)

    async def handler() -> None:
        await spec.handler(command, context())

    async def render() -> None:
        slack_render.render(replies)
        for reply in replies:
            telegram_render.render(reply)

    steps = {
        "session open + 1 statement + close": session,
        "asker: identity, accounts, role, language": who,
        "translator": translator,
        "registry + parse": parse,
        "role check": role,
        "handler (/oncall who, its reads)": handler,
        "render (Slack + Telegram)": render,
    }
    return {label: await p50(step) for label, step in steps.items()}


async def whole(garde: Garde, line: str) -> tuple[float, float]:
    """The p50 of the whole command, and its mean CPU time (every thread of the process,
    the driver's included): what the command costs when the machine is not shared."""
    actor, conv = Actor("console", USER, name=USER), Conversation("console", USER)

    async def run() -> None:
        await garde.dispatcher.run(line, actor, conv, NOW, lang="en")

    cpu = time.process_time()
    median = await p50(run)
    return median, (time.process_time() - cpu) * 1000 / (ROUNDS + 20)


async def one_database(label: str, url: str | None) -> dict[str, float]:
    async with scratch_database(f"dispatch-{label}", url) as db:
        with tempfile.TemporaryDirectory(prefix="garde-bench-dispatch-") as tmp:
            garde = await demo_garde(db.url, Path(tmp))
            try:
                found = await stages(garde)
                for line in ("/oncall who", "/oncall who 01"):
                    found[f"WHOLE {line}"], found[f"  CPU time of {line}"] = await whole(
                        garde, line
                    )
            finally:
                await garde.close()
    return found


async def main() -> None:
    runs = {"SQLite": await one_database("sqlite", None)}
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        runs["PostgreSQL"] = await one_database("pg", url)
    labels = list(next(iter(runs.values())))
    print(f"/oncall who through the dispatcher in process, p50 of {ROUNDS} (ms), goal < {GOAL_MS}")
    print(f"{'stage':<44}" + "".join(f"{name:>12}" for name in runs))
    for label in labels:
        print(f"{label:<44}" + "".join(f"{found[label]:12.3f}" for found in runs.values()))
    print(f"machine load (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name, found in runs.items():
        verdict = "met" if found["WHOLE /oncall who"] < GOAL_MS else "NOT met"
        print(f"{name}: /oncall who p50 {found['WHOLE /oncall who']:.2f} ms, goal {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
