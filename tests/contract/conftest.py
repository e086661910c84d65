"""Contract tests: commands in, rendered replies out, through the real dispatcher.

``say`` is the path of ``garde say``: the console adapter, the dispatcher, the
handlers and the database, with the demo data of a fixed day (Wednesday 2025-03-12,
the week after the spring-forward weekend in Toronto).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.adapters import console
from bot.app import Garde
from bot.settings import Settings
from core.demo import build_demo
from core.importer import import_document, read_json

TODAY = date(2025, 3, 12)
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("America/Toronto"))

Say = Callable[..., Awaitable[str]]


@pytest.fixture
async def garde(db, db_url: str, tmp_path: Path):
    """A composed Garde on the test database, with the demo data loaded."""
    app = Garde.create(
        Settings(database_url=db_url, recordings_dir=tmp_path / "rec", _env_file=None)
    )
    path = build_demo(tmp_path / "demo", today=TODAY)
    async with app.db.write() as session:
        await import_document(
            session, read_json(path), base_dir=path.parent, recordings_dir=tmp_path / "rec", now=NOW
        )
    yield app
    await app.close()


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
        await console.prepare(garde.db, user, now, account)
        return await console.say(garde.dispatcher, user, text, now, lang=lang)

    return run
