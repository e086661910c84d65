"""What the benchmarks share: a scratch database and figures printed the same way."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from core import schema
from core.db import Database, is_sqlite


@asynccontextmanager
async def scratch_database(label: str, url: str | None = "") -> AsyncIterator[Database]:
    """A migrated, empty database: a temporary SQLite file, or BENCH_DATABASE_URL emptied.

    ``url=None`` forces SQLite; a URL names the server database to empty and use."""
    url = os.environ.get("BENCH_DATABASE_URL") if url == "" else url
    with tempfile.TemporaryDirectory(prefix=f"garde-bench-{label}-") as tmp:
        db = Database(url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        if url and not is_sqlite(url):
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await schema.upgrade(db)
        try:
            yield db
        finally:
            await db.dispose()


async def settle(db: Database) -> None:
    """After a bulk load, the planner statistics that PostgreSQL's autovacuum gathers by
    itself within a minute or so (``ANALYZE``). Measured before it, a page query is
    planned for an empty table: a full sort of the range instead of the index's order."""
    if not is_sqlite(db.url):
        async with db.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()


def millis(samples: list[float]) -> str:
    """Median and 95th percentile of durations in seconds, as milliseconds."""
    q = statistics.quantiles(samples, n=20)
    return f"median {statistics.median(samples) * 1000:.3f} ms, p95 {q[18] * 1000:.3f} ms"
