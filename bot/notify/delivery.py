"""The delivery worker: outbox -> adapter, within the platforms' limits, losing nothing.

One push at a time per worker: take the oldest due item whose chat may receive now,
send it, then mark it sent in its own transaction. A crash between the two repeats
that one push at most; everything else waits in the outbox for the next run.

A push that edits an earlier one (``edits``: an urgent page that now says who took it)
is sent as an edit of that message when the platform gave its id; where it did not, the
earlier push was not delivered, or the platform refuses the edit (too old, deleted), the
push's own short note is posted instead. A page still queued when someone has taken its
message is withdrawn, not sent, and so is the note meant to edit it (``escalation.moot``):
the check comes right before the send, in the one worker that sends, so a page either
goes out before the note that edits it or not at all. The worker hands the adapter the
id and what to say: the adapter reads nothing of the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.adapters import Adapter
from bot.contract import PermanentFailure, RateLimited, Reply, TemporaryFailure
from bot.i18n import Catalogs, Translator
from bot.notify.pushes import render_edit, render_push
from bot.notify.ratelimit import LIMITS, Limits, RateLimiter, is_group
from core.db import Database
from core.notify import escalation, outbox

log = logging.getLogger("garde.delivery")


class DeliveryWorker:
    """Sends due pushes through the adapters that are on."""

    def __init__(
        self,
        db: Database,
        catalogs: Catalogs,
        adapters: list[Adapter],
        clock: Callable[[], datetime],
        limits: dict[str, Limits] | None = None,
    ) -> None:
        self.db, self.catalogs, self.clock = db, catalogs, clock
        self.adapters = {a.platform: a for a in adapters}
        limits = limits or LIMITS
        self.limiters = {p: RateLimiter(limits.get(p, LIMITS["console"])) for p in self.adapters}

    async def run_once(self, max_items: int = 1000) -> int:
        """Deliver what is due now (up to ``max_items``), waiting out rate limits; how many."""
        sent = 0
        while sent < max_items:
            async with self.db.read() as session:
                batch = await outbox.due(session, self.clock(), list(self.adapters), limit=200)
            if not batch:
                return sent
            progressed = False
            waits = []
            for push in batch:
                limiter = self.limiters[push.platform]
                group = is_group(push.platform, push.conversation_id)
                wait = limiter.wait(push.conversation_id, group)
                if wait > 0:
                    waits.append(wait)
                    continue
                sent += await self._deliver(push)
                # Counted when the call has returned: the platform received it by then, so
                # the windows measured here are never shorter than the ones it measures.
                limiter.sent(push.conversation_id, group)
                progressed = True
                if sent >= max_items:
                    return sent
            if not progressed:
                await asyncio.sleep(min(waits))
        return sent

    async def _deliver(self, push: outbox.Push) -> int:
        """Send one push and record the outcome; 1 if it was delivered."""
        if push.kind in escalation.MOOT_ONCE_TAKEN:
            async with self.db.write() as session:
                if await escalation.moot(session, push):
                    return 0
        adapter = self.adapters[push.platform]
        t = self.catalogs.translator(push.locale)
        try:
            replies = render_push(push, t)
            edit = await self._edit_of(push, t)
        except (KeyError, ValueError) as bad:  # a payload this version cannot say: keep it
            log.error("push %s cannot be rendered: %r", push.id, bad)
            await self._record(outbox.mark_failed, push, error="unrenderable", permanent=False)
            return 0
        try:
            ref = await self._send(adapter, push, replies, edit)
        except RateLimited as limited:
            await self._record(
                outbox.retry_later, push, error=str(limited), retry_after=limited.retry_after
            )
            return 0
        except TemporaryFailure as failure:
            await self._record(outbox.retry_later, push, error=str(failure) or "temporary")
            return 0
        except PermanentFailure as failure:
            log.warning("push %s refused for good: %s", push.id, failure)
            async with self.db.write() as session:
                now = self.clock()
                error = str(failure) or "refused"
                await outbox.mark_failed(session, push, now, error=error, permanent=True)
                if push.kind == "page":  # blocked: the climb goes on to the next rank at once
                    await escalation.page_refused(session, push.payload, now)
            return 0
        async with self.db.write() as session:
            await outbox.mark_sent(session, push.id, self.clock(), ref)
        return 1

    async def _edit_of(self, push: outbox.Push, t: Translator) -> tuple[str, list[Reply]] | None:
        """The message a push edits and what it should say now (None: post a note)."""
        if not push.edits:
            return None
        async with self.db.read() as session:
            sent = await outbox.sent_message(session, push)
        return None if sent is None else (sent.ref, render_edit(push, sent, t))

    async def _send(
        self,
        adapter: Adapter,
        push: outbox.Push,
        replies: list[Reply],
        edit: tuple[str, list[Reply]] | None,
    ) -> str | None:
        """Edit the earlier message where there is one and the platform lets it, else post
        ``replies``; the platform's id of the message either way (None: unknown)."""
        if edit is not None:
            ref, edited = edit
            try:
                await adapter.edit(ref, edited)
                return ref
            except PermanentFailure as refused:  # too old, deleted: a new note instead
                log.info("push %s: message not edited (%s), posting a note", push.id, refused)
        return await adapter.push(push.conversation_id, replies)

    async def _record(self, how: Callable, push: outbox.Push, **kw: object) -> None:
        async with self.db.write() as session:
            await how(session, push, self.clock(), **kw)
