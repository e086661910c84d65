"""The composition root: settings -> database -> services -> web server.

Nothing is created at import time; ``Garde.create`` builds everything from the
settings, and the command line (``bot.__main__``) and the tests both use it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import text

from bot.dispatch import Dispatcher
from bot.handlers import all_commands
from bot.i18n import Catalogs
from bot.registry import Registry
from bot.settings import Settings
from core import schema
from core.db import Database

log = logging.getLogger("garde")


class SchemaBehind(Exception):
    """The database has an older schema than this code: run ``garde db upgrade``."""


@dataclass
class Garde:
    """Everything a running Garde holds, handed to the parts that need it."""

    settings: Settings
    db: Database
    catalogs: Catalogs
    registry: Registry
    dispatcher: Dispatcher

    @classmethod
    def create(cls, settings: Settings) -> Garde:
        db, catalogs = Database(settings.database_url), Catalogs()
        registry = Registry(all_commands())
        return cls(settings, db, catalogs, registry, Dispatcher(db, catalogs, registry, settings))

    async def prepare_database(self) -> bool:
        """Create the schema of an empty database; return True if it was empty.

        A database behind the code's schema is not changed behind the operator's
        back: that raises ``SchemaBehind``.
        """
        current = await schema.current_revision(self.db)
        if current is None:
            await schema.upgrade(self.db)
            return True
        if current != schema.head_revision():
            raise SchemaBehind(current)
        return False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def web_app(self) -> web.Application:
        """The HTTP side: health now; Slack, Telegram and ingest routes as they land."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        return app

    async def _healthz(self, _request: web.Request) -> web.Response:
        try:
            async with self.db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # the probe reports, it does not crash the server
            log.exception("health check: database unreachable")
            return web.json_response({"status": "unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    async def close(self) -> None:
        await self.db.dispose()
