"""A local stand-in for Slack, and a Garde wired to it, for the Slack adapter's tests.

:class:`FakeSlack` is an aiohttp server on 127.0.0.1 (a random port) that the real
slack-sdk reaches through ``SLACK_API_URL``: the Web API methods Garde calls, the
upload URL it hands out for files, and response_url endpoints. It records every call
(method, parameters merged from query, form and JSON, the bearer token) and can be
told to fail for a channel. :class:`SlackEnv` composes a Garde with the demo data on
the test database, Slack pointed at the fake, and signs requests exactly as Slack does
(``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.slack.adapter import SlackAdapter
from bot.app import Garde
from bot.clock import Clock
from bot.settings import Settings
from core.demo import build_demo
from core.ingest.importer import import_document, read_json
from tests.conftest import NOW, TODAY

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0001"
ALICE = "U0ALICE"  # scheduler of account 4000, linked in the demo
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """The Slack Web API, the file upload host and response_urls, recording everything."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.tokens: dict[str, str] = {BOT_TOKEN: TEAM}  # bot token -> its team
        self.locales: dict[str, str] = {}  # user id -> Slack locale
        self.failures: dict[str, Failure] = {}  # channel -> how chat.postMessage fails
        self.posted: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.edit_failures: dict[str, Failure] = {}  # channel -> how chat.update fails
        self.uploads: dict[str, bytes] = {}
        self.oauth_codes: dict[str, dict[str, Any]] = {}  # code -> oauth.v2.access answer
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/response/{name}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{name}", self._response)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ----------------------------------------------------------------- queries

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[dict]:
        """Poll until ``count`` calls of ``method`` arrived (the work after the ack is async)."""
        deadline = time.monotonic() + within
        while len(self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"no {count} × {method} within {within}s; saw {seen}")
            await asyncio.sleep(0.005)
        return self.calls_to(method)

    # ----------------------------------------------------------------- the server

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(dict(await request.post()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        self.calls.append(Call(method, params, token))
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        if method != "oauth.v2.access" and token not in self.tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return await handler(params, token, request)

    async def _auth_test(self, params, token, request) -> web.Response:
        return web.json_response(
            {
                "ok": True,
                "url": "https://demo.slack.com/",
                "team": "Demo",
                "user": "garde",
                "team_id": self.tokens[token],
                "user_id": "UGARDE",
                "bot_id": "BGARDE",
                "is_enterprise_install": False,
            }
        )

    async def _chat_postMessage(self, params, token, request) -> web.Response:
        failure = self.failures.get(params.get("channel", ""))
        if failure is not None:
            body = {"ok": False, "error": failure.error or "internal_error"}
            if failure.status >= 500 and failure.error is None:
                return web.Response(status=failure.status, text="upstream trouble")
            return web.json_response(body, status=failure.status, headers=failure.headers)
        # Posting to a user's id writes in the app's direct chat: Slack answers its D… id.
        channel = params["channel"]
        if channel[:1] in ("U", "W"):
            channel = "D" + channel
        ts = self._ts()
        self.posted[(channel, ts)] = params
        return web.json_response({"ok": True, "channel": channel, "ts": ts})

    async def _chat_update(self, params, token, request) -> web.Response:
        """Edits a message the bot posted (``message_not_found`` for any other); a
        failure set for the channel answers instead (``cant_update_message``...)."""
        key = (params.get("channel", ""), params.get("ts", ""))
        failure = self.edit_failures.get(key[0])
        if failure is not None:
            body = {"ok": False, "error": failure.error or "internal_error"}
            return web.json_response(body, status=failure.status, headers=failure.headers)
        if key not in self.posted:
            return web.json_response({"ok": False, "error": "message_not_found"})
        self.posted[key] = params
        return web.json_response({"ok": True, "channel": key[0], "ts": key[1]})

    async def _views_open(self, params, token, request) -> web.Response:
        return web.json_response({"ok": True, "view": {"id": f"V{next(self._ids)}"}})

    async def _views_publish(self, params, token, request) -> web.Response:
        return web.json_response({"ok": True, "view": {"id": f"V{next(self._ids)}"}})

    async def _users_info(self, params, token, request) -> web.Response:
        user = params.get("user", "")
        locale = self.locales.get(user, "en-US")
        return web.json_response({"ok": True, "user": {"id": user, "locale": locale}})

    async def _conversations_open(self, params, token, request) -> web.Response:
        return web.json_response({"ok": True, "channel": {"id": "D" + params["users"]}})

    async def _files_getUploadURLExternal(self, params, token, request) -> web.Response:
        file_id = f"F{next(self._ids)}"
        upload = f"{self.url}/upload/{file_id}"
        return web.json_response({"ok": True, "upload_url": upload, "file_id": file_id})

    async def _files_completeUploadExternal(self, params, token, request) -> web.Response:
        files = json.loads(params["files"])
        return web.json_response({"ok": True, "files": [{"id": f["id"]} for f in files]})

    async def _oauth_v2_access(self, params, token, request) -> web.Response:
        basic = request_basic(request.headers.get("Authorization", ""))
        answer = self.oauth_codes.get(params.get("code", ""))
        if basic != (CLIENT_ID, CLIENT_SECRET) or answer is None:
            return web.json_response({"ok": False, "error": "invalid_code"})
        self.tokens[answer["access_token"]] = answer["team"]["id"]
        return web.json_response({"ok": True, **answer})

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads)}")

    async def _response(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.calls.append(Call("response_url", payload, None))
        return web.Response(text="ok")

    def _ts(self) -> str:
        """A message's ts: unique, as Slack's are within a channel."""
        return f"{time.time():.0f}.{next(self._ids):06d}"


def request_basic(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


# --------------------------------------------------------------------------- Garde + signing


def sign(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack sends with ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackEnv:
    """A Garde (demo data of 2025-03-12, clock fixed) with Slack on, served on 127.0.0.1."""

    def __init__(self, fake: FakeSlack, garde: Garde, client: TestClient) -> None:
        self.fake, self.garde, self.client = fake, garde, client
        adapter = garde.adapter("slack")
        assert isinstance(adapter, SlackAdapter)
        self.adapter = adapter

    async def post(self, body: str, content_type: str, headers: dict | None = None):
        headers = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        return await self.client.post("/slack/events", data=body.encode(), headers=headers)

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = ALICE,
        team: str = TEAM,
        channel: str = "C0GENERAL",
        response: str = "cmd",
        headers: dict | None = None,
    ):
        """A slash command as Slack posts it (form-encoded)."""
        body = urlencode(
            {
                "token": "deprecated-verification-token",
                "team_id": team,
                "team_domain": "demo",
                "channel_id": channel,
                "channel_name": "directmessage" if channel.startswith("D") else "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A0GARDE",
                "response_url": self.fake.response_url(response),
                "trigger_id": "1337.42.abcd",
            }
        )
        return await self.post(body, "application/x-www-form-urlencoded", headers)

    async def interact(self, payload: dict):
        """An interactivity payload (button press, form submission) as Slack posts it."""
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(
        self,
        value: str,
        *,
        user: str = ALICE,
        team: str = TEAM,
        response="btn",
        channel: str = "C0GENERAL",
        message_ts: str | None = None,
    ):
        """A button press; on an ephemeral answer, or on the bot's message ``message_ts``
        in ``channel`` (a page in a direct chat, say)."""
        container: dict[str, Any] = {"type": "message", "is_ephemeral": message_ts is None}
        if message_ts is not None:
            container |= {"message_ts": message_ts, "channel_id": channel}
        return await self.interact(
            {
                "type": "block_actions",
                "team": {"id": team, "domain": "demo"},
                "user": {"id": user, "username": user.lower(), "team_id": team},
                "api_app_id": "A0GARDE",
                "trigger_id": "1337.43.abcd",
                "channel": {"id": channel, "name": "general" if channel[0] == "C" else "dm"},
                "container": container,
                "response_url": self.fake.response_url(response),
                "actions": [
                    {
                        "type": "button",
                        "action_id": "garde.cmd.0",
                        "block_id": "b1",
                        "value": value,
                        "text": {"type": "plain_text", "text": "Confirm"},
                        "action_ts": "1741788000.000100",
                    }
                ],
            }
        )

    async def event(self, event: dict, *, team: str = TEAM):
        body = json.dumps(
            {
                "token": "deprecated-verification-token",
                "team_id": team,
                "api_app_id": "A0GARDE",
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{int(time.time() * 1000)}",
                "event_time": int(time.time()),
            }
        )
        return await self.post(body, "application/json")

    async def settle(self) -> None:
        await self.adapter.drain(5.0)


async def load_demo(garde: Garde, tmp_path: Path) -> None:
    path = build_demo(tmp_path / "demo", today=TODAY)
    async with garde.db.write() as session:
        await import_document(
            session, read_json(path), base_dir=path.parent, recordings_dir=tmp_path / "rec", now=NOW
        )


@asynccontextmanager
async def slack_env(
    db_url: str,
    tmp_path: Path,
    *,
    multi: bool = False,
    token: bool | None = None,
    clock: Clock | None = None,
    ingest_token: str | None = None,
) -> AsyncIterator[SlackEnv]:
    """The fake Slack, a Garde pointed at it (one workspace, or "Add to Slack", with or
    without a SLACK_BOT_TOKEN of its own too), served; its clock fixed at NOW unless one
    is given (a ManualClock the test moves), the ingest API on with ``ingest_token``."""
    fake = FakeSlack()
    await fake.start()
    slack: dict[str, Any] = {"slack_signing_secret": SECRET, "slack_api_url": fake.api_url}
    if multi:
        slack |= {"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET}
    if token or (token is None and not multi):
        slack |= {"slack_bot_token": BOT_TOKEN}
    settings = Settings(
        database_url=db_url,
        recordings_dir=tmp_path / "rec",
        public_url="https://garde.example.com",
        default_locale="fr",
        ingest_token=ingest_token,
        _env_file=None,
        **slack,
    )
    garde = Garde.create(settings, clock=clock or (lambda: NOW))
    await load_demo(garde, tmp_path)
    client = TestClient(TestServer(garde.web_app()))
    await client.start_server()
    env = SlackEnv(fake, garde, client)
    try:
        yield env
    finally:
        await env.settle()
        await client.close()
        await garde.close()
        await fake.stop()
