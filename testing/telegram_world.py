"""A running Garde with Telegram on, against the fake Bot API: for tests and the benchmark.

:meth:`TelegramWorld.open` composes Garde from its own Settings (token, API root =
the fake, webhook or polling), loads the demo data of 2025-03-12 as the ``garde``
fixture does, fixes Garde's clock, and serves Garde's aiohttp app on 127.0.0.1 with
an ``AppRunner`` (which starts the adapter: getMe, setMyCommands, setWebhook or
polling). Updates are built as Telegram sends them.

Demo people on Telegram: Alice (``ALICE``, linked, scheduler of 4000, French user
profile); anyone else is unlinked.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

from bot.adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH, TelegramAdapter
from bot.app import Garde
from bot.clock import Clock
from bot.settings import Settings
from core.demo import build_demo
from core.ingest.importer import import_document, read_json
from testing.fake_telegram import BOT_USERNAME, FakeBotAPI
from tests.conftest import NOW, TODAY

SECRET = "webhook-s3cret-never-logged"
PUBLIC_URL = "https://garde.example.org"
ALICE = 100200300  # linked to the demo user alice (scheduler of account 4000)
STRANGER = 555000111  # linked to nobody
GROUP = -1001234567890

_ids = itertools.count(1)


@functools.cache
def demo_document() -> Path:
    """The demo document of TODAY, built once per process (it is read, never changed)."""
    where = Path(tempfile.mkdtemp(prefix="garde-demo-"))
    atexit.register(shutil.rmtree, where, True)
    return build_demo(where, today=TODAY)


def sender(user_id: int = ALICE, *, lang: str | None = "en", name: str = "Alice") -> dict:
    found = {"id": user_id, "is_bot": False, "first_name": name, "last_name": "Roy"}
    return found | ({"language_code": lang} if lang else {})


def chat(chat_id: int) -> dict:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": "Plomberie"}
    return {"id": chat_id, "type": "private", "first_name": "Alice"}


def message(
    text: str, *, user_id: int = ALICE, chat_id: int | None = None, lang: str | None = "en"
) -> dict:
    """An update with a text message, as Telegram sends it (commands carry an entity)."""
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(NOW.timestamp()),
        "chat": chat(chat_id if chat_id is not None else user_id),
        "from": sender(user_id, lang=lang),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0])
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": next(_ids), "message": body}


def press(
    data: str,
    *,
    user_id: int = ALICE,
    chat_id: int | None = None,
    message_id: int = 1,
    lang: str | None = "en",
) -> dict:
    """An update for a button pressed under the bot's message ``message_id``."""
    where = chat_id if chat_id is not None else user_id
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": sender(user_id, lang=lang),
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(NOW.timestamp()),
                "chat": chat(where),
                "from": {"id": 999, "is_bot": True, "first_name": "Garde"},
                "text": "…",
            },
        },
    }


def buttons(params: dict) -> dict[str, str]:
    """label -> callback_data of a sent message's inline keyboard."""
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


@dataclass
class TelegramWorld:
    garde: Garde
    fake: FakeBotAPI
    adapter: TelegramAdapter
    base_url: str
    http: ClientSession

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        db_url: str,
        tmp_path: Path,
        *,
        webhook: bool = True,
        now: datetime = NOW,
        load_demo: bool = True,
        clock: Clock | None = None,
        handler_cancellation: bool = False,
        **more: Any,
    ) -> AsyncIterator[TelegramWorld]:
        fake = await FakeBotAPI().start()
        settings = Settings(
            database_url=db_url,
            recordings_dir=tmp_path / "rec",
            telegram_bot_token=fake.token,
            telegram_api_url=fake.url,
            telegram_webhook_secret=SECRET,
            telegram_bot_username=BOT_USERNAME,
            public_url=PUBLIC_URL if webhook else None,
            _env_file=None,
            **more,  # other settings (INGEST_TOKEN…)
        )
        garde = Garde.create(settings, clock=clock or (lambda: now))
        if load_demo:
            path = demo_document()
            async with garde.db.write() as session:
                await import_document(
                    session,
                    read_json(path),
                    base_dir=path.parent,
                    recordings_dir=tmp_path / "rec",
                    now=NOW,
                )
        adapter = garde.adapter("telegram")
        assert isinstance(adapter, TelegramAdapter)
        adapter.poll_timeout = 2
        # handler_cancellation: a request whose client leaves is cancelled (a proxy's timeout)
        runner = web.AppRunner(
            garde.web_app(), access_log=None, handler_cancellation=handler_cancellation
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with ClientSession() as http:
                yield cls(garde, fake, adapter, f"http://127.0.0.1:{port}", http)
        finally:
            await runner.cleanup()
            await garde.close()
            await fake.close()

    async def post(self, update: dict, secret: str | None = SECRET) -> int:
        """POST an update to Garde's webhook as Telegram would; the HTTP status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return await self.fake.deliver(self.http, self.base_url + WEBHOOK_PATH, update, headers)

    async def answered(self, update: dict) -> tuple[int, bytes]:
        """POST ``update`` to Garde's webhook; the response's status and body, untouched
        (what the webhook gives back, before Telegram would act on it)."""
        async with self.http.post(
            self.base_url + WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}
        ) as response:
            return response.status, await response.read()

    async def exchange(self, update: dict, method: str = "sendMessage", count: int = 1) -> list:
        """Post ``update`` and wait for ``count`` more ``method`` calls; their parameters."""
        before = len(self.fake.of(method))
        assert await self.post(update) == 200
        calls = await self.fake.wait_for(method, before + count)
        return [c.params for c in calls[before:]]

    async def expect(self, update: dict, **counts: int) -> dict[str, list[dict]]:
        """Post ``update`` and wait for that many more calls of each method."""
        before = {method: len(self.fake.of(method)) for method in counts}
        assert await self.post(update) == 200
        found = {}
        for method, count in counts.items():
            calls = await self.fake.wait_for(method, before[method] + count)
            found[method] = [c.params for c in calls[before[method] :]]
        return found

    async def say(self, text: str, **kw: Any) -> dict:
        """Send a message and return the (first) sendMessage it caused."""
        return (await self.exchange(message(text, **kw)))[0]
