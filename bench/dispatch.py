"""The command path in process: where the time of ``/oncall who`` goes, stage by stage.

The demo data of 2025-03-12 (the tests' ``garde`` fixture), ``alice`` (scheduler of
account 4000) at the console. Each stage is timed on its own, as the dispatcher runs it:

- session: open a read session and run one trivial statement (one round trip's floor);
- asker: who is asking — the identity, its user and the accounts held, with the role;
- translator, registry + parse, role check: the in-memory steps;
- handler: ``/oncall who`` given a ready context (its own reads included);
- render: the replies as Slack blocks and Telegram HTML.

Then, for ``/oncall who`` (every schedule of the account), ``/oncall who 01`` (one) and
the second half's commands on the same demo account (``/messages today``, ``/calls``,
``/stats``, ``/directory``, ``/billing``): the p50 of the whole ``Dispatcher.run``, the
CPU time each takes (wall time on a shared machine includes waiting for a core; CPU
time does not), the handler and the rendering alone, and the statements sent to the
database per command (the figure a loaded machine cannot blur; on PostgreSQL a read in
a transaction adds a BEGIN and a ROLLBACK round trip that are not statements here).
``/stats`` draws its PNG chart (in a worker thread): its budget is the chart's, not a
few milliseconds. SQLite always; PostgreSQL too when BENCH_DATABASE_URL is set (that
database is emptied). Run: ``python -m bench.dispatch``.
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

from sqlalchemy import event, text

from bench.common import scratch_database
from bot.adapters.slack import render as slack_render
from bot.adapters.telegram import render as telegram_render
from bot.app import Garde, link_console
from bot.context import Context
from bot.contract import Actor, Command, Conversation
from bot.dispatch import _refusal
from bot.parsing import split_command
from bot.registry import CommandSpec
from bot.settings import Settings
from core.demo import build_demo
from core.ingest.importer import import_document, read_json

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
USER = "alice"
ROUNDS = 400
GOAL_MS = 3.0
# The commands timed whole, and the rounds each gets (the chart of /stats takes ~100 ms).
COMMANDS = {
    "/oncall who": ROUNDS,
    "/oncall who 01": ROUNDS,
    "/messages today": ROUNDS,
    "/calls": ROUNDS,
    "/stats": 20,
    "/directory": ROUNDS,
    "/billing": ROUNDS,
}


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


async def ready(garde: Garde, line: str) -> tuple[Callable[[], Context], Command, CommandSpec]:
    """What the dispatcher has in hand before the handler runs: a context factory, the
    parsed command, and its spec."""
    d = garde.dispatcher
    actor, conv = Actor("console", USER, name=USER), Conversation("console", USER)
    asker = await d.who(actor, lang="en")
    name, args, _comment = split_command(line)
    spec = d.registry.find(name)
    assert spec is not None and asker.active is not None
    command = Command(spec.name, tuple(args), line, actor, conv, NOW)

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

    return context, command, spec


async def handler_and_render(garde: Garde, line: str, rounds: int) -> dict[str, float]:
    """The handler of ``line`` given a ready context, and the rendering of its replies."""
    context, command, spec = await ready(garde, line)
    found = await spec.handler(command, context())
    replies = found if isinstance(found, list) else [found]

    async def handler() -> None:
        await spec.handler(command, context())

    async def render() -> None:
        slack_render.render(replies)
        for reply in replies:
            telegram_render.render(reply)

    return {"handler": await p50(handler, rounds), "render": await p50(render, rounds)}


async def stages(garde: Garde) -> dict[str, float]:
    """Each stage of ``/oncall who`` timed alone, in milliseconds (p50)."""
    d = garde.dispatcher
    actor = Actor("console", USER, name=USER)
    context, _command, spec = await ready(garde, "/oncall who")
    asker = await d.who(actor, lang="en")

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

    steps = {
        "session open + 1 statement + close": session,
        "asker: identity, accounts, role, language": who,
        "translator": translator,
        "registry + parse": parse,
        "role check": role,
    }
    found = {label: await p50(step) for label, step in steps.items()}
    alone = await handler_and_render(garde, "/oncall who", ROUNDS)
    found["handler (/oncall who, its reads)"] = alone["handler"]
    found["render (Slack + Telegram)"] = alone["render"]
    return found


async def whole(garde: Garde, line: str, rounds: int) -> dict[str, float]:
    """The p50 of the whole command, its mean CPU time (every thread of the process, the
    driver's included: what the command costs when the machine is not shared), and the
    statements one run sends."""
    actor, conv = Actor("console", USER, name=USER), Conversation("console", USER)
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    async def run() -> None:
        await garde.dispatcher.run(line, actor, conv, NOW, lang="en")

    await run()
    event.listen(garde.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        await run()
    finally:
        event.remove(garde.db.engine.sync_engine, "before_cursor_execute", count)
    cpu = time.process_time()
    median = await p50(run, rounds)
    cpu_ms = (time.process_time() - cpu) * 1000 / (rounds + 20)
    return {"p50": median, "CPU": cpu_ms, "statements": float(len(sent))}


async def one_database(label: str, url: str | None) -> tuple[dict[str, float], dict]:
    async with scratch_database(f"dispatch-{label}", url) as db:
        with tempfile.TemporaryDirectory(prefix="garde-bench-dispatch-") as tmp:
            garde = await demo_garde(db.url, Path(tmp))
            try:
                found = await stages(garde)
                commands = {}
                for line, rounds in COMMANDS.items():
                    commands[line] = await whole(garde, line, rounds)
                    commands[line] |= await handler_and_render(garde, line, rounds)
            finally:
                await garde.close()
    return found, commands


async def main() -> None:
    runs = {"SQLite": await one_database("sqlite", None)}
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        runs["PostgreSQL"] = await one_database("pg", url)
    print(f"/oncall who, its stages alone, p50 of {ROUNDS} (ms)")
    print(f"{'stage':<44}" + "".join(f"{name:>12}" for name in runs))
    for label in next(iter(runs.values()))[0]:
        print(f"{label:<44}" + "".join(f"{found[label]:12.3f}" for found, _ in runs.values()))
    columns = ("p50", "CPU", "handler", "render", "statements")
    for name, (_, commands) in runs.items():
        print(f"\n{name}: each command through the dispatcher (ms; statements per command)")
        print(f"{'command':<18}" + "".join(f"{c:>12}" for c in columns))
        for line, figures in commands.items():
            print(
                f"{line:<18}"
                + "".join(f"{figures[c]:12.3f}" for c in columns[:-1])
                + (f"{figures['statements']:12.0f}")
            )
    print(f"\nmachine load (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name, (_, commands) in runs.items():
        p = commands["/oncall who"]["p50"]
        verdict = "met" if p < GOAL_MS else "NOT met"
        print(f"{name}: /oncall who p50 {p:.2f} ms (goal < {GOAL_MS} ms: {verdict})")


if __name__ == "__main__":
    asyncio.run(main())
