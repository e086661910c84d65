"""The database layer: migrations match the models; concurrent writers never collide."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

import bot.tables  # noqa: F401  (the adapters' tables are part of the schema)
from core import schema
from core.models import Account, Base
from core.oncall.schedules import allocate_refs
from tests.builders import account_doc, account_id, load


async def test_migrated_schema_matches_the_models(db):
    def diff(conn):
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    assert await schema.current_revision(db) == schema.head_revision()


async def test_upgrade_twice_is_harmless(db):
    await schema.upgrade(db)
    assert await schema.current_revision(db) == schema.head_revision()


async def test_concurrent_read_then_write_units_all_commit(db):
    """Twenty writers that read first: on SQLite each takes the write lock at BEGIN."""
    await load(db, account_doc([]))
    aid = await account_id(db)

    async def writer() -> int:
        async with db.write() as s:
            await s.scalar(select(Account.next_ref).where(Account.id == aid))
            await asyncio.sleep(0.005)  # let the others start their transactions
            return await allocate_refs(s, aid, 1)

    refs = await asyncio.gather(*(writer() for _ in range(20)))
    assert sorted(refs) == list(range(1, 21))
    if db.dialect == "sqlite":
        async with db.read() as s:
            assert (await s.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
