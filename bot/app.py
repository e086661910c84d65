"""The composition root: settings -> database -> services -> adapters -> web server.

Nothing is created at import time; ``Garde.create`` builds everything from the
settings and a clock, and the command line (``bot.__main__``), the tests and the
benchmarks all use it. Each part gets what it needs through its constructor: no part
receives the whole ``Garde``. The clock is injected (``bot.clock``): tests and
benchmarks hand in a fixed moment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from bot.adapters import Adapter
from bot.clock import Clock, system_clock
from bot.dispatch import Dispatcher
from bot.handlers import all_commands
from bot.i18n import Catalogs
from bot.notify.scheduler import Scheduler
from bot.registry import Registry
from bot.settings import Settings
from bot.web import health
from bot.web.ingest import IngestApi
from bot.web.recordings import RecordingLinks
from core import schema
from core.accounts.identity import find_identity, link_console_identity, set_active_account
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
    clock: Clock = system_clock
    adapters: list[Adapter] = field(default_factory=list)  # the platforms that are on

    @classmethod
    def create(cls, settings: Settings, *, clock: Clock = system_clock) -> Garde:
        db, catalogs = Database(settings.database_url), Catalogs()
        registry = Registry(all_commands())
        dispatcher = Dispatcher(db, catalogs, registry, settings)
        adapters = _platform_adapters(settings, db, catalogs, dispatcher, clock)
        return cls(settings, db, catalogs, registry, dispatcher, clock, adapters)

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
        return self.clock()

    def adapter(self, platform: str) -> Adapter | None:
        return next((a for a in self.adapters if a.platform == platform), None)

    def web_app(self) -> web.Application:
        """The HTTP side: Garde's own routes (``bot.web``: health, the ingest API when a
        token is set), and those of every platform that is on."""
        app = web.Application()
        health.mount(app, self.db)
        token = self.settings.ingest_token
        if token is not None and token.get_secret_value():  # an empty token is no token
            self._ingest().mount(app)
        RecordingLinks(self.settings, self.clock).mount(app)
        for adapter in self.adapters:
            adapter.mount(app)
        app.on_startup.append(self._start_adapters)
        app.on_cleanup.append(self._stop_adapters)
        return app

    def scheduler(self) -> Scheduler:
        """The background jobs of this Garde (started by ``garde serve``)."""
        return Scheduler(
            db=self.db,
            catalogs=self.catalogs,
            adapters=self.adapters,
            settings=self.settings,
            clock=self.clock,
        )

    def _ingest(self) -> IngestApi:
        assert self.settings.ingest_token is not None
        return IngestApi(
            self.db,
            token=self.settings.ingest_token.get_secret_value(),
            max_bytes=self.settings.ingest_max_mb * 1024 * 1024,
            recordings_dir=self.settings.recordings_dir,
            t=self.catalogs.translator("en"),
            now=self.now,
        )

    async def _start_adapters(self, _app: web.Application) -> None:
        for adapter in self.adapters:
            await adapter.start()

    async def _stop_adapters(self, _app: web.Application) -> None:
        for adapter in reversed(self.adapters):
            await adapter.stop()

    async def close(self) -> None:
        await self.db.dispose()


def _platform_adapters(
    settings: Settings, db: Database, catalogs: Catalogs, dispatcher: Dispatcher, clock: Clock
) -> list[Adapter]:
    """The adapters whose settings are present; a platform without settings is off."""
    from bot.adapters.console import ConsoleAdapter
    from bot.adapters.slack.adapter import SlackAdapter
    from bot.adapters.telegram.adapter import TelegramAdapter

    found: list[Adapter | None] = [
        SlackAdapter.from_settings(
            settings, dispatcher=dispatcher, catalogs=catalogs, db=db, clock=clock
        ),
        TelegramAdapter.from_settings(
            settings, dispatcher=dispatcher, catalogs=catalogs, db=db, clock=clock
        ),
        ConsoleAdapter(),
    ]
    return [adapter for adapter in found if adapter is not None]


async def link_console(db: Database, username: str, now: datetime, account: str | None) -> None:
    """Link the terminal to the Garde user ``username`` and, if asked, make ``account`` its
    active one. The operator's own terminal is trusted, so this is the composition
    root's to do (``garde say``, the terminal chat, tests), not the console adapter's."""
    async with db.write() as session:
        await link_console_identity(session, username, now)
    if account is not None:
        async with db.write() as session:
            identity = await find_identity(session, "console", "", username)
            assert identity is not None
            await set_active_account(session, identity.id, account)
