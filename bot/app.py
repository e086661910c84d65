"""The composition root: settings -> database -> services -> web server.

Nothing is created at import time; ``Garde.create`` builds everything from the
settings, and the command line (``bot.__main__``) and the tests both use it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import text

from bot.adapters import Adapter
from bot.dispatch import Dispatcher
from bot.handlers import all_commands
from bot.i18n import Catalogs
from bot.registry import Registry
from bot.settings import Settings
from bot.web.recordings import RecordingLinks
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
    adapters: list[Adapter] = field(default_factory=list)  # the platforms that are on

    @classmethod
    def create(cls, settings: Settings) -> Garde:
        db, catalogs = Database(settings.database_url), Catalogs()
        registry = Registry(all_commands())
        garde = cls(settings, db, catalogs, registry, Dispatcher(db, catalogs, registry, settings))
        garde.adapters = _platform_adapters(garde)
        return garde

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

    def adapter(self, platform: str) -> Adapter | None:
        return next((a for a in self.adapters if a.platform == platform), None)

    def web_app(self) -> web.Application:
        """The HTTP side: health, and the routes of every platform that is on."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        RecordingLinks(self.settings, lambda: self.now()).mount(app)
        for adapter in self.adapters:
            adapter.mount(app)
        app.on_startup.append(self._start_adapters)
        app.on_cleanup.append(self._stop_adapters)
        return app

    async def _start_adapters(self, _app: web.Application) -> None:
        for adapter in self.adapters:
            await adapter.start()

    async def _stop_adapters(self, _app: web.Application) -> None:
        for adapter in reversed(self.adapters):
            await adapter.stop()

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


def _platform_adapters(garde: Garde) -> list[Adapter]:
    """The adapters whose settings are present; a platform without settings is off."""
    from bot.adapters.console import ConsoleAdapter
    from bot.adapters.slack.adapter import SlackAdapter
    from bot.adapters.telegram.adapter import TelegramAdapter

    found = (SlackAdapter.from_garde(garde), TelegramAdapter.from_garde(garde), ConsoleAdapter())
    return [adapter for adapter in found if adapter is not None]
