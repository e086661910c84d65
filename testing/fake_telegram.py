"""A fake Telegram Bot API on 127.0.0.1, for the real python-telegram-bot to talk to.

Garde reaches it through ``TELEGRAM_API_URL`` like a local Bot API server. It answers
the methods Garde uses, records every call with its parameters, checks what the real
API would refuse (the token, HTML that does not parse, text over 4096 characters,
``callback_data`` over 64 bytes), long-polls ``getUpdates`` and fails on demand
(429 with ``retry_after``, 403, 500). As Telegram does, it delivers an update to a
webhook and performs the call a webhook may give back in its response (``deliver``).
:class:`TelegramWorld` puts it together with a composed Garde on the demo data,
served by aiohttp, for the adapter tests and the benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

TOKEN = "123456:TEST-token-never-logged"
BOT_ID, BOT_USERNAME = 999, "GardeBot"
_JSON_PARAMS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "reply_parameters",
    "link_preview_options",
}
_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
_PIECE = re.compile(r"<(/?)([a-zA-Z-]*)[^<>]*>|&(#?[a-zA-Z0-9]+);|([<>&])")


@dataclass
class Call:
    """One Bot API call: the method, its parameters (JSON ones decoded), when it came,
    and what the fake answered (``result``: the message sent, for one)."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    result: Any = None
    via_webhook: bool = False  # carried by a webhook's response, not a request of its own


def _as_form(params: dict[str, Any]) -> dict[str, Any]:
    """A JSON call's parameters as the API's form decoding gives them (``_params``): the
    JSON-typed ones as objects, the others as text."""
    return {k: v if k in _JSON_PARAMS else str(v) for k, v in params.items()}


class ApiError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def check_html(text: str) -> str:
    """The text Telegram would show for ``text`` in parse mode HTML; ApiError if refused."""
    stack: list[str] = []
    shown: list[str] = []
    last = 0
    for m in _PIECE.finditer(text):
        shown.append(text[last : m.start()])
        last = m.end()
        closing, tag, entity, stray = m.groups()
        if stray:
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped {stray!r}")
        if entity is not None:
            shown.append(html.unescape(m.group(0)))
            continue
        if tag not in _TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag!r}")
        if closing:
            if not stack or stack.pop() != tag:
                raise ApiError(400, f"Bad Request: can't parse entities: unexpected </{tag}>")
        else:
            stack.append(tag)
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed <{stack[-1]}>")
    shown.append(text[last:])
    return "".join(shown)


class FakeBotAPI:
    """The fake server: ``url`` is its root (``TELEGRAM_API_URL``)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict] = []
        self._next_update = 1
        self._message_id = 1000
        self._failures: dict[str, list[ApiError]] = {}
        self._texts: dict[tuple[int, int], tuple] = {}  # what each message shows now
        self._closing = False
        self.listener: Callable[[Call], None] | None = None  # told of every call (benchmark)
        self.delays: dict[str, float] = {}  # method -> seconds before it answers (slow API)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeBotAPI:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        self._closing = True  # held long polls return now
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ test controls

    def add_update(self, update: dict) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": self._next_update, **update}
        self._next_update += 1
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update["update_id"]

    def next_update_id(self) -> int:
        self._next_update += 1
        return self._next_update - 1

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """The next call of ``method`` fails with this status."""
        self._failures.setdefault(method, []).append(ApiError(status, description, **parameters))

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def showing(self, chat_id: int, message_id: int) -> tuple[str, dict | None]:
        """What a message shows now: its text and keyboard, after any edit."""
        return self._texts[(chat_id, message_id)]

    def sent(self) -> list[dict[str, Any]]:
        """The parameters of every sendMessage so far."""
        return [c.params for c in self.of("sendMessage")]

    async def wait_for(self, method: str, count: int = 1, seconds: float = 10.0) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times; return those calls."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: len(self.of(method)) >= count)
        return self.of(method)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ the API

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        status, body = await self._call(request.match_info["method"], await self._params(request))
        return web.json_response(body, status=status)

    async def _call(self, method: str, params: dict[str, Any], **how: Any) -> tuple[int, dict]:
        """Record and answer one call: the HTTP status and body the API would give."""
        call = Call(method, params, **how)
        self.calls.append(call)
        if self.listener is not None:
            self.listener(call)
        await self._notify()
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        try:
            if self._failures.get(method):
                raise self._failures[method].pop(0)
            result = call.result = await self._answer(method, params)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.parameters:
                body["parameters"] = error.parameters
            return error.status, body
        return 200, {"ok": True, "result": result}

    # ------------------------------------------------------------------ the webhook

    async def deliver(
        self, http: ClientSession, url: str, update: dict, headers: dict[str, str]
    ) -> int:
        """Telegram's side of a webhook: POST ``update`` to ``url``; a 200 response that
        carries a method (``{"method": "sendMessage", …}``) is performed as the API would,
        its outcome told to nobody. The webhook's HTTP status."""
        async with http.post(url, json=update, headers=headers) as response:
            status = response.status
            carried = await response.read()
        if status == 200 and carried:
            params = json.loads(carried)
            method = params.pop("method")
            await self._call(method, _as_form(params), via_webhook=True)
        return status

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            return dict(await request.json())
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                content = value.file.read()
                params[key] = {"filename": value.filename, "size": len(content)}
            elif key in _JSON_PARAMS:
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Garde",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in {"sendMessage", "editMessageText"}:
            shown = check_html(params["text"]) if params.get("parse_mode") == "HTML" else ""
            if len(shown or params["text"]) > 4096:
                raise ApiError(400, "Bad Request: message is too long")
            self._check_buttons(params.get("reply_markup"))
            found = self._message(params, text=shown or params["text"])
            key, content = (
                (found["chat"]["id"], found["message_id"]),
                (shown, params.get("reply_markup")),
            )
            if method == "editMessageText" and self._texts.get(key) == content:
                raise ApiError(400, "Bad Request: message is not modified: the same content")
            self._texts[key] = content
            return found
        if method in {"sendDocument", "sendAudio", "sendPhoto"}:
            return self._message(params)
        if method in {
            "setWebhook",
            "deleteWebhook",
            "setMyCommands",
            "answerCallbackQuery",
            "sendChatAction",
        }:
            return True
        raise ApiError(404, "Not Found: method not found")

    def _check_buttons(self, markup: dict | None) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _message(self, params: dict[str, Any], **extra: Any) -> dict:
        chat_id = int(params.get("chat_id", 0))
        if "message_id" in params:
            message_id = int(params["message_id"])
        else:
            self._message_id += 1
            message_id = self._message_id
        chat_type = "private" if chat_id > 0 else "supergroup"
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "title": "Chat"},
            **extra,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 5.0)

        def pending() -> list[dict]:
            return [u for u in self._updates if u["update_id"] >= offset]

        if not pending() and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._changed.wait_for(lambda: bool(pending()) or self._closing)
        return pending()[: int(params.get("limit", 100) or 100)]
