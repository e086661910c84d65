"""The Slack adapter: slack-bolt's ``AsyncApp`` inside Garde's aiohttp server.

Slack posts every slash command, button press, form submission and event to
``POST /slack/events``; the signature is verified over the raw body before anything
parses it, then the body is checked for the shape bolt reads
(:mod:`bot.adapters.slack.inbound`: 401 or 400, one log line; a replayed signature is
refused once verified), and bolt calls the
listeners registered by :mod:`bot.adapters.slack.listeners`. Every listener acks at
once and hands its work to :class:`~bot.adapters.slack_work.AckFirst` (Slack wants the
ack within 3 s; the reply may come later through the response_url), so bolt runs with
``process_before_response`` and never waits on a listener's polling loop; the one
exception is a form (a modal), whose refusals must come back in the ack to be shown
on its fields. A duplicate of a signed request already seen is refused (401; a Slack
retry, marked ``X-Slack-Retry-Num``, gets 200 and is not run twice).

Configuration: ``SLACK_SIGNING_SECRET`` and either ``SLACK_BOT_TOKEN`` (one workspace)
or ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` (any number of workspaces: "Add to
Slack" at ``/slack/install``, the OAuth redirect at ``/slack/oauth_redirect``,
installations in Garde's database). Every Web API client, the OAuth flow's included,
uses ``SLACK_API_URL``. Without these settings ``from_settings`` returns None: Slack is off.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import send as slack_send
from bot.adapters.slack.inbound import Inbound, Refused, refused
from bot.adapters.slack.listeners import Listeners
from bot.adapters.slack.manifest import BOT_SCOPES
from bot.adapters.slack.people import Directory
from bot.adapters.slack.store import InstallationStore, StateStore
from bot.adapters.slack.work import AckFirst
from bot.contract import PermanentFailure, Reply, TemporaryFailure
from bot.dispatch import Dispatcher
from bot.i18n import Catalogs
from bot.settings import Settings
from core.db import Database
from core.errors import N_

log = logging.getLogger("garde.slack")

CLIENT_TIMEOUT = 10  # seconds for one Web API call
STOP_GRACE = 10.0  # seconds the work after the acks may take to finish at shutdown
REPLAY_WINDOW = 600.0  # bolt accepts a timestamp 5 minutes off: remember signatures longer
STATE_LIFETIME = timedelta(minutes=10)
NOT_INSTALLED = N_("Garde is not installed in this workspace. Ask your administrator to add it.")


class ReplayGuard:
    """Refuses a signature seen within the window: a captured request cannot be replayed."""

    def __init__(self, window: float = REPLAY_WINDOW, limit: int = 200_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._window, self._limit = window, limit

    def admit(self, headers: Mapping[str, str]) -> bool:
        signature = headers.get("X-Slack-Signature")
        if not signature:
            return True  # bolt refuses it
        now = time.monotonic()
        while self._seen and (
            next(iter(self._seen.values())) < now or len(self._seen) >= self._limit
        ):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = now + self._window
        return True

    def forget(self, headers: Mapping[str, str]) -> None:
        """A request bolt refused does not block a genuine one with the same header."""
        self._seen.pop(headers.get("X-Slack-Signature", ""), None)


class _Authorize(AsyncInstallationStoreAuthorize):
    """Installed workspaces first; then SLACK_BOT_TOKEN for its own workspace, if set."""

    def __init__(self, *, fallback_token: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fallback_token = fallback_token
        self._fallback: Any = None

    async def __call__(self, *, context, enterprise_id, team_id, user_id, **kwargs):
        found = await super().__call__(
            context=context, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, **kwargs
        )
        if found is not None or not self._fallback_token:
            return found
        if self._fallback is None:
            try:
                self._fallback = await context.client.auth_test(token=self._fallback_token)
            except Exception as error:  # asked again with the next request
                log.warning("slack: SLACK_BOT_TOKEN not usable (%s)", type(error).__name__)
                return None
        if self._fallback.get("team_id") != team_id:
            return None
        return AuthorizeResult.from_auth_test_response(
            auth_test_response=self._fallback, bot_token=self._fallback_token
        )


async def _acknowledge(ack) -> None:
    """One workspace, its token in the settings: nothing to forget here."""
    await ack()


class SlackAdapter:
    """Slack in, replies out; ``push`` for the outbox."""

    platform = "slack"

    def __init__(
        self,
        *,
        settings: Settings,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        db: Database,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings, self._clock, self._db = settings, clock, db
        self.session: aiohttp.ClientSession | None = None
        # Bolt's and slack-sdk's debug lines hold payloads: never below INFO, whatever LOG_LEVEL.
        self._lib_log = logging.getLogger("garde.slack.lib")
        self._lib_log.setLevel(max(logging.INFO, self._lib_log.getEffectiveLevel()))
        self._store: InstallationStore | None = None
        if settings.slack_client_id and settings.slack_client_secret:
            self._store = InstallationStore(db, settings.slack_client_id, clock)
        self._client = self.web_client(self._bot_token())
        self.directory = Directory(db, dispatcher)
        self.work = AckFirst()
        self._replays = ReplayGuard()
        assert settings.slack_signing_secret is not None
        self._inbound = Inbound(settings.slack_signing_secret.get_secret_value())
        self.bolt = self._bolt_app(catalogs)
        Listeners(
            directory=self.directory,
            dispatcher=dispatcher,
            catalogs=catalogs,
            clock=clock,
            http=lambda: self.session,
            spawn=self.spawn,
            scoped=self._store is not None,
        ).register(self.bolt)
        if self._store is not None:  # an uninstalled workspace's token is forgotten
            self.bolt.enable_token_revocation_listeners()
        else:
            self.bolt.event("app_uninstalled")(_acknowledge)
            self.bolt.event("tokens_revoked")(_acknowledge)

    @classmethod
    def from_settings(
        cls,
        s: Settings,
        *,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        db: Database,
        clock: Callable[[], datetime],
    ) -> SlackAdapter | None:
        """The adapter, or None when the Slack settings are absent (Slack is off)."""
        multi = bool(s.slack_client_id and s.slack_client_secret)
        if s.slack_signing_secret is None or (s.slack_bot_token is None and not multi):
            return None
        return cls(settings=s, dispatcher=dispatcher, catalogs=catalogs, db=db, clock=clock)

    # ----------------------------------------------------------------- composition

    def _bot_token(self) -> str | None:
        token = self._settings.slack_bot_token
        return token.get_secret_value() if token else None

    def web_client(self, token: str | None = None) -> AsyncWebClient:
        """A Web API client on SLACK_API_URL, sharing the adapter's HTTP session."""
        return AsyncWebClient(
            token=token,
            base_url=self._settings.slack_api_url,
            timeout=CLIENT_TIMEOUT,
            session=self.session,
            logger=self._lib_log,
        )

    def _bolt_app(self, catalogs: Catalogs) -> AsyncApp:
        s = self._settings
        assert s.slack_signing_secret is not None
        common: dict[str, Any] = {
            "signing_secret": s.slack_signing_secret.get_secret_value(),
            "client": self._client,
            "process_before_response": True,  # listeners ack at once and work in tasks
            # Verified over the raw bytes before bolt sees a request (inbound.py): not twice.
            "request_verification_enabled": False,
            "logger": self._lib_log,
            "user_facing_authorize_error_message": catalogs.translator(s.default_locale)(
                NOT_INSTALLED
            ),
        }
        if self._store is None:
            return AsyncApp(**common)
        assert s.slack_client_id and s.slack_client_secret
        secret = s.slack_client_secret.get_secret_value()
        redirect = f"{s.public_url.rstrip('/')}/slack/oauth_redirect" if s.public_url else None
        oauth = AsyncOAuthSettings(
            client_id=s.slack_client_id,
            client_secret=secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            redirect_uri=redirect,
            install_page_rendering_enabled=False,  # /slack/install goes straight to Slack
            installation_store=self._store,
            installation_store_bot_only=True,
            state_store=StateStore(self._db, self._clock, STATE_LIFETIME),
            state_expiration_seconds=int(STATE_LIFETIME.total_seconds()),
            logger=self._lib_log,
        )
        authorize = _Authorize(
            fallback_token=self._bot_token(),
            logger=self._lib_log,
            installation_store=self._store,
            client_id=s.slack_client_id,
            client_secret=secret,
            bot_only=True,
            cache_enabled=True,  # no auth.test per request
            client=self._client,
        )
        return AsyncApp(
            **common,
            authorize=authorize,
            installation_store=self._store,
            installation_store_bot_only=True,
            oauth_settings=oauth,
        )

    # ----------------------------------------------------------------- the web server

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/slack/events", self._events)
        flow = self.bolt.oauth_flow
        if flow is not None:
            app.router.add_get(flow.install_path, self._install)
            app.router.add_get(flow.redirect_uri_path, self._oauth_redirect)

    async def _events(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            self._inbound.verify(raw, request.headers)  # before anything parses the body
            if not self._replays.admit(request.headers):
                if request.headers.get("X-Slack-Retry-Num"):
                    return web.Response(status=200)  # Slack's own retry: already handled
                raise Refused(401, "signature seen before (replay)")
            content_type = request.headers.get("Content-Type", "").split(";")[0] or None
            text = self._inbound.read(raw, content_type)
        except Refused as error:
            refused(error)
            return web.Response(status=error.status)
        bolt_request = AsyncBoltRequest(
            body=text, query=request.query_string, headers=dict(request.headers)
        )
        self.work.ack_started()
        try:
            response = await self.bolt.async_dispatch(bolt_request)
        finally:
            self.work.ack_finished()
        if response.status == 401:
            self._replays.forget(request.headers)
        return await to_aiohttp_response(response)

    async def _install(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        flow_response = await self.bolt.oauth_flow.handle_installation(
            await to_bolt_request(request)
        )
        return await to_aiohttp_response(flow_response)

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        flow_response = await self.bolt.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(flow_response)

    async def start(self) -> None:
        """One HTTP session for every Web API call and response_url of this process."""
        self.session = aiohttp.ClientSession()
        self._client.session = self.session

    async def stop(self) -> None:
        """Let the work after the acks finish (a while), then close the session."""
        await self.work.stop(STOP_GRACE)
        if self.session is not None:
            await self.session.close()
            self._client.session = self.session = None

    # ----------------------------------------------------------------- work after the ack

    def spawn(self, work: Any, *, urgent: bool = False) -> None:
        """Run ``work`` (a coroutine) after the ack, acks first (see slack_work)."""
        self.work.submit(work, urgent=urgent)

    async def drain(self, grace: float | None = None) -> bool:
        """Wait for the work in progress, at most ``grace`` seconds (tests, benchmarks)."""
        return await self.work.drain(grace)

    # ----------------------------------------------------------------- the outbox

    async def push(self, conversation_id: str, replies: list[Reply]) -> str | None:
        """Post to a channel: ``C456`` with SLACK_BOT_TOKEN, ``T123/C456`` with that
        workspace's installation. Raises RateLimited, TemporaryFailure, PermanentFailure.
        Where the message is (``[T123/]D789:ts``) when it was one, to edit it later."""
        team, _, channel = conversation_id.rpartition("/")
        token = await self._push_token(team)
        ref = await slack_send.push(self.web_client(token), channel, replies, mentions={})
        return f"{team}/{ref}" if ref and team else ref

    async def edit(self, ref: str, replies: list[Reply]) -> None:
        """Edit the message at ``ref`` (from :meth:`push`) with ``chat.update``."""
        team, _, where = ref.rpartition("/")
        token = await self._push_token(team)
        await slack_send.edit(self.web_client(token), where, replies)

    async def _push_token(self, team: str) -> str:
        if team and self._store is not None:
            try:
                bot = await self._store.async_find_bot(enterprise_id=None, team_id=team)
            except Exception as error:  # the database: try again later
                raise TemporaryFailure(f"installation lookup: {type(error).__name__}") from None
            if bot is not None:
                return bot.bot_token
            if not self._bot_token():
                raise PermanentFailure(f"Garde is not installed in workspace {team}")
        token = self._bot_token()
        if token is None:
            raise PermanentFailure("no SLACK_BOT_TOKEN for a channel without a workspace")
        return token
