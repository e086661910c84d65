"""Platform adapters: each translates between one platform and the contract, nothing more.

An adapter class offers ``from_settings(settings, *, services) -> adapter | None``
(None when its settings are absent: the platform is simply off), ``mount(app)`` to
add its routes to Garde's aiohttp application, ``start()``/``stop()`` run with the server, and
``push(conversation_id, replies)`` for the outbox, raising the ``DeliveryError`` kinds
of :mod:`bot.contract` and giving back the platform's id of the message it posted (None
when it posted several, or the platform has none); ``edit(ref, replies)`` edits that
message in place, raising ``PermanentFailure`` where it cannot (too old, deleted): the
delivery worker then posts a new message. The worker hands in what to say and where;
the adapter only translates.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.contract import Reply


class Adapter(Protocol):
    platform: str

    def mount(self, app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def push(self, conversation_id: str, replies: list[Reply]) -> str | None: ...

    async def edit(self, ref: str, replies: list[Reply]) -> None: ...
