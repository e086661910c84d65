"""Each call's stored class (``calls.stat_code``): written by the importer, rewritten when a
call is imported again with other figures, and the same from migration 0009's SQL (which
fills the calls imported before it) as from the Python rules."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

from sqlalchemy import select, text, update

import migrations
from core import callcode
from core.localtime import DayRange
from core.models import Call
from core.records.stats import StatsFilter, stats_report
from tests.builders import account_id, load
from tests.stats_data import FIRST, LAST
from tests.unit.test_stats import TZ, inbound


def migration(name: str = "0009_call_stat_code"):
    """A migration's module, to run its data steps on their own."""
    path = Path(migrations.__file__).parent / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"m{name[:4]}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(calls: list[dict]) -> dict:
    return {"accounts": [{"number": "4000", "name": "A", "timezone": str(TZ), "calls": calls}]}


def _grid() -> list[dict]:
    """A call on each side of every threshold and flag (1,536 of them)."""
    calls = []
    values = itertools.product(
        ["in", "out"], [6, 7], [False, True], [False, True], [False, True], [9, 10],
        [30, 31], [10, 11], [False, True], [False, True],
    )  # fmt: skip
    for n, (way, dur, ivr, assigned, answered, agent, wait, hold, moved, busy) in enumerate(values):
        if n % 2 and way == "in" and dur == 6:
            continue
        calls.append({"id": f"g{n}", "start": "2025-03-05T15:00:00Z", "direction": way,
                      "duration_s": dur, "ivr_only": ivr, "assigned": assigned,
                      "answered": answered, "agent_s": agent, "wait_s": wait, "hold_s": hold,
                      "transferred": moved, "busy": busy})  # fmt: skip
    return calls


async def test_the_migrations_sql_gives_the_python_code(db):
    await load(db, _doc(_grid()))
    async with db.write() as s:
        stored = {c.id: c.stat_code for c in await s.scalars(select(Call))}
        assert len(set(stored.values())) > 20  # the grid reaches many classes
        await s.execute(update(Call).values(stat_code=-1))
        await s.execute(text(f"UPDATE calls SET stat_code = {migration().STAT_CODE_SQL}"))
    async with db.read() as s:
        rows = list(await s.scalars(select(Call)))
    for call in rows:
        fields = {c.key: getattr(call, c.key) for c in Call.__table__.columns}
        assert call.stat_code == stored[call.id] == callcode.stat_code(fields), fields


async def test_a_call_imported_again_is_classed_again(db):
    flt = StatsFilter(DayRange(FIRST, LAST))
    quick = inbound(1, "2025-03-05T15:00:00Z") | {"wait_s": 20}
    await load(db, _doc([quick]))
    aid = await account_id(db, "4000")
    async with db.read() as s:
        before = (await stats_report(s, aid, flt)).totals
    await load(db, _doc([quick | {"wait_s": 45, "hold_s": 30, "hold_total_s": 30}]))
    async with db.read() as s:
        after = (await stats_report(s, aid, flt)).totals
    assert (before.answered, before.within_30, before.on_hold) == (1, 1, 0)
    assert (after.answered, after.within_30, after.on_hold, after.hold_total_s) == (1, 0, 1, 30)
