"""Background jobs, owned by the composition root: coverage scan, digests, escalation
steps, delivery, retention. With several replicas on PostgreSQL exactly one runs them: the
holder of a session-level advisory lock on a dedicated connection. If that replica dies, its
connection closes, the lock is released, and another replica takes it on its next try.
SQLite means one process: it always leads. One job runs on every replica: the hourly
removal of the generated files (exports, charts) each wrote in its own temporary folder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot import tables
from bot.adapters import Adapter
from bot.clock import Clock
from bot.documents import files
from bot.i18n import Catalogs
from bot.notify.delivery import DeliveryWorker
from bot.settings import Settings
from core import retention
from core.db import Database
from core.notify import alerts, escalation

log = logging.getLogger("garde.scheduler")
LOCK_KEY = 0x6761726465  # "garde"


class Leadership:
    """Whether this process runs the jobs (the advisory lock's holder)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: AsyncConnection | None = None

    async def hold(self) -> bool:
        """Keep or try to take the lead; never blocks."""
        if self.db.dialect == "sqlite":
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection died: so did the lock
                log.warning("lost the scheduler lock's connection")
                await self.release()
        conn = await self.db.engine.connect()
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}):
            log.info("this replica now runs the scheduled jobs")
            self._conn = conn
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        """Give the lead up: the lock's session is discarded, never returned to the pool
        (a pooled connection would keep holding the lock for whoever borrows it next)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.invalidate()
            finally:
                await conn.close()


class Scheduler:
    """The jobs and their timing, chosen on purpose (see each ``add_job``)."""

    def __init__(
        self,
        *,
        db: Database,
        catalogs: Catalogs,
        adapters: Sequence[Adapter],
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.leader = Leadership(db)
        self.worker = DeliveryWorker(db, catalogs, list(adapters), clock)
        self.aps = AsyncIOScheduler(timezone="UTC")
        self._deliver_lock = asyncio.Lock()
        self._deliver_again = False  # asked for while a delivery ran: it goes round again

    def start(self) -> None:
        s = self.settings
        # Coalesce: after a pause, one run catches up; a missed run is worth doing late.
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        self.aps.add_job(
            self.scan,
            "interval",
            minutes=s.alert_scan_minutes,
            id="scan",
            next_run_time=self.clock(),
            **common,
        )
        self.aps.add_job(self.digests, "interval", minutes=1, id="digests", **common)
        # Escalation deadlines are rows; polled twice a second so a page leaves within about
        # a second of its message's arrival. Two at once: a run that goes on to deliver a
        # long queue (30 pushes/s on Telegram) must not hold the next steps back; at most
        # one of the two is ever delivering (the delivery lock), the other fires steps.
        self.aps.add_job(
            self.escalate,
            "interval",
            seconds=s.escalation_seconds,
            id="escalate",
            next_run_time=self.clock(),
            **(common | {"max_instances": 2}),
        )
        # Delivery polls often: a push waits at most a couple of seconds.
        self.aps.add_job(
            self.deliver,
            "interval",
            seconds=s.delivery_seconds,
            id="deliver",
            next_run_time=self.clock(),
            **common,
        )
        self.aps.add_job(
            self.purge,
            "interval",
            hours=6,
            id="retention",
            next_run_time=self.clock(),
            **common,
        )
        # Generated files are in this machine's temporary folder: every replica prunes its own.
        self.aps.add_job(self.prune_files, "interval", hours=1, id="generated", **common)
        self.aps.start()

    async def stop(self) -> None:
        self.aps.shutdown(wait=False)
        await self.leader.release()

    async def scan(self) -> None:
        if await self.leader.hold():
            async with self.db.write() as session:
                queued = await alerts.scan_coverage(session, self.clock())
            if queued:
                log.info("coverage scan queued %d push(es)", len(queued))
                await self.deliver()

    async def digests(self) -> None:
        if await self.leader.hold():
            async with self.db.write() as session:
                await alerts.scan_digests(session, self.clock())

    async def escalate(self) -> None:
        """Fire the escalation steps that are due, then deliver their pages at once."""
        if not await self.leader.hold():
            return
        fired = 0
        while True:
            now = self.clock()
            async with self.db.read() as session:
                due = await escalation.next_due(session)
            if due is None or due > now:
                break
            async with self.db.write() as session:
                fired += (n := await escalation.run_due(session, now))
            if n < escalation.BATCH:
                break
        if fired:
            log.info("escalation: %d step(s) fired", fired)
            await self.deliver()

    async def deliver(self) -> None:
        """Deliver what is due. Asked while a delivery runs (pages just queued, say), the
        running one makes one more pass rather than leaving them to the next poll."""
        if self._deliver_lock.locked():
            self._deliver_again = True
            return
        if not await self.leader.hold():
            return
        async with self._deliver_lock:
            self._deliver_again = True
            while self._deliver_again:
                self._deliver_again = False
                await self.worker.run_once()

    async def prune_files(self) -> None:
        """Remove the generated files older than an hour (the platforms have them)."""
        removed = await asyncio.to_thread(files.prune)
        if removed:
            log.info("generated files: %d removed", removed)

    async def purge(self) -> None:
        if not await self.leader.hold():
            return
        async with self.db.write() as session:
            purged = await retention.purge(session, self.clock())
            purged.counts |= await tables.purge(session, self.clock())
        removed = await asyncio.to_thread(
            retention.remove_recordings, self.settings.recordings_dir, purged.recordings
        )
        log.info("retention: %s, %d recording file(s)", purged.counts, removed)
