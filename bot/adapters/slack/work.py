"""The work after the acks: a few workers, and the acks go first.

Slack gives an ack 3 seconds and a reply 30 minutes (a response_url lives that long),
so when requests arrive faster than replies can be made, acking comes first: while
requests are being acked, one worker still makes a reply every ``BUSY_PAUSE`` seconds
(replies never stop), the others wait until no request has come for ``QUIET`` seconds. A burst
of commands is acked at the web server's pace and answered right after, instead of
every ack waiting behind the replies of the requests before it. The number of workers also
bounds how many units of work hold a database connection at once.

Urgent work (opening a form: its trigger expires 3 seconds after the click) does not
queue. ``drain`` waits for everything in progress (shutdown, tests, benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("garde.slack")

WORKERS = 8
BUSY_PAUSE = 0.05  # seconds the first worker waits for the acks between two replies
QUIET = 0.02  # seconds without a request before the other workers start


class AckFirst:
    """A work queue whose extra workers yield to requests being acked."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._size = workers
        self._queue: asyncio.Queue[Coroutine[Any, Any, None]] | None = None
        self._workers: list[asyncio.Task] = []
        self._urgent: set[asyncio.Task] = set()
        self._acking = 0
        self._no_acks: asyncio.Event | None = None
        self._quiet: asyncio.TimerHandle | None = None
        self._pending = 0  # queued or running, urgent work included
        self._idle: asyncio.Event | None = None

    # ----------------------------------------------------------------- requests

    def ack_started(self) -> None:
        self._acking += 1
        if self._quiet is not None:
            self._quiet.cancel()
            self._quiet = None
        if self._no_acks is not None:
            self._no_acks.clear()

    def ack_finished(self) -> None:
        self._acking -= 1
        if self._acking == 0 and self._no_acks is not None:
            self._quiet = asyncio.get_running_loop().call_later(QUIET, self._calm)

    def _calm(self) -> None:
        self._quiet = None
        if self._acking == 0 and self._no_acks is not None:
            self._no_acks.set()

    # ----------------------------------------------------------------- work

    def submit(self, work: Coroutine[Any, Any, None], *, urgent: bool = False) -> None:
        """Run ``work`` after the ack; ``urgent`` work starts at once."""
        self._start()
        assert self._queue is not None and self._idle is not None
        self._pending += 1
        self._idle.clear()
        if urgent:
            task = asyncio.create_task(self._run(work))
            self._urgent.add(task)
            task.add_done_callback(self._urgent.discard)
        else:
            self._queue.put_nowait(work)

    async def _run(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:  # the work guards itself; this is the last line
            log.exception("slack: work after an ack failed")
        finally:
            self._pending -= 1
            if self._pending == 0 and self._idle is not None:
                self._idle.set()

    def _start(self) -> None:
        if self._queue is not None:
            return
        self._queue = asyncio.Queue()
        self._idle = asyncio.Event()
        self._idle.set()
        self._no_acks = asyncio.Event()
        if self._acking == 0:
            self._no_acks.set()
        self._workers = [asyncio.create_task(self._work(i)) for i in range(self._size)]

    async def _work(self, index: int) -> None:
        assert self._queue is not None and self._no_acks is not None
        while True:
            if index:
                await self._no_acks.wait()
            work = await self._queue.get()
            if index:
                await self._no_acks.wait()
            elif not self._no_acks.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._no_acks.wait(), BUSY_PAUSE)
            await self._run(work)

    async def drain(self, grace: float | None = None) -> bool:
        """Wait until no work is queued or running (at most ``grace`` s); True if done."""
        if self._idle is None or self._idle.is_set():
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True

    async def stop(self, grace: float) -> None:
        """Finish what can be finished within ``grace`` seconds, then cancel the rest."""
        await self.drain(grace)
        for task in [*self._workers, *self._urgent]:
            task.cancel()
        await asyncio.gather(*self._workers, *self._urgent, return_exceptions=True)
        if self._queue is not None:
            while not self._queue.empty():
                self._queue.get_nowait().close()  # never awaited: no warning
        self._workers, self._queue, self._no_acks, self._idle = [], None, None, None
        self._pending = 0
