"""Test fixtures: a real database for every test, SQLite by default.

With ``DATABASE_URL`` pointing at PostgreSQL (``.ci/run`` does), the same tests run
there: the schema is migrated once, and every test starts from empty tables.
On SQLite each test gets its own file, copied from one migrated template.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.adapters import console
from bot.app import Garde, link_console
from bot.contract import Actor, Conversation, Reply
from bot.settings import Settings
from core import schema
from core.db import Database, is_sqlite
from core.demo import build_demo
from core.ingest.importer import import_document, read_json
from core.models import Base
from testing.clock import ManualClock

PG_URL = os.environ.get("DATABASE_URL", "")
USE_PG = bool(PG_URL) and not is_sqlite(PG_URL)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; tests copy it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "garde.db"

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await schema.upgrade(db)
        await db.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def pg_ready() -> bool:
    """Migrate the PostgreSQL test database once (from scratch) per session."""
    if not USE_PG:
        return False

    async def build() -> None:
        db = Database(PG_URL)
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await schema.upgrade(db)
        await db.dispose()

    asyncio.run(build())
    return True


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, migrated, empty database for one test."""
    if USE_PG:
        request.getfixturevalue("pg_ready")
        return PG_URL
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "garde.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    if USE_PG:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with database.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    await database.dispose()


@pytest.fixture
def now() -> datetime:
    """A fixed clock for tests that do not care which day it is."""
    return datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


# The composed application with the demo data of a fixed day (Wednesday 2025-03-12,
# the week after the spring-forward weekend in Toronto), for contract and adapter tests.
TODAY = date(2025, 3, 12)
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("America/Toronto"))

Say = Callable[..., Awaitable[str]]


@pytest.fixture
def clock() -> ManualClock:
    """Garde's clock in the composed app of the ``garde`` fixture; tests move it by hand."""
    return ManualClock(NOW)


@pytest.fixture
async def garde(db, db_url: str, tmp_path: Path, clock: ManualClock):
    """A composed Garde on the test database, with the demo data loaded."""
    app = Garde.create(
        Settings(database_url=db_url, recordings_dir=tmp_path / "rec", _env_file=None),
        clock=clock,
    )
    path = build_demo(tmp_path / "demo", today=TODAY)
    async with app.db.write() as session:
        await import_document(
            session, read_json(path), base_dir=path.parent, recordings_dir=tmp_path / "rec", now=NOW
        )
    yield app
    await app.close()


Ask = Callable[..., Awaitable[list[Reply]]]


@pytest.fixture
def ask(garde: Garde) -> Ask:
    """Run a command through the real dispatcher as a demo user and return its ``Reply``
    objects (``demo`` admin, ``alice`` scheduler, ``bob`` viewer).
    Contract tests assert on these; ``say`` gives the console's rendering of the same."""

    async def run(
        text: str,
        *,
        user: str = "demo",
        now: datetime = NOW,
        lang: str | None = "en",
        account: str | None = None,
    ) -> list[Reply]:
        await link_console(garde.db, user, now, account)
        actor = Actor("console", user, name=user)
        conversation = Conversation("console", user)
        return await garde.dispatcher.run(text, actor, conversation, now, lang=lang)

    return run


@pytest.fixture
def say(garde: Garde) -> Say:
    """Run a command as a demo user (``demo`` admin, ``alice`` scheduler, ``bob`` viewer)."""

    async def run(
        text: str,
        *,
        user: str = "demo",
        now: datetime = NOW,
        lang: str | None = "en",
        account: str | None = None,
    ) -> str:
        await link_console(garde.db, user, now, account)
        return await console.say(garde.dispatcher, user, text, now, lang=lang)

    return run
