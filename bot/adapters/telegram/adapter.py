"""Garde as a Telegram bot: python-telegram-bot's ``Application`` inside Garde's server.

Two ways in, chosen by ``PUBLIC_URL``:

- **Webhook** (``PUBLIC_URL`` set): the Application is built with ``updater(None)``;
  Garde's aiohttp server takes ``POST /telegram/webhook``, checks the
  ``X-Telegram-Bot-Api-Secret-Token`` header in constant time (403 otherwise), refuses
  an update of the wrong shape with 400 (:mod:`bot.adapters.telegram.inbound`), then
  has the Application process the update (in its chat's order) while the request
  waits, at most a second: the reply's last message rides the HTTP response as a
  ``sendMessage`` call when it can (:mod:`bot.adapters.telegram.answer`), anything else
  goes through the Bot API, and a slow command is answered 200 and goes on after.
  ``setWebhook`` is called at start with that secret
  (``TELEGRAM_WEBHOOK_SECRET``, else one derived from the token, the same on every
  Garde process). Stopping leaves the webhook in place for the other processes.
- **Long polling** (no ``PUBLIC_URL``: a laptop, a demo): the Application keeps PTB's
  own ``Updater`` and runs ``start_polling`` in the background. PTB's loop already
  does what a hand-written one would have to: delete a stale webhook, long-poll with
  an offset, back off on network errors, confirm the last offset when stopping.

Updates are handled concurrently across chats and in order within one chat
(:class:`ChatOrder`), so a quick second answer to a question never overtakes the
first. ``TELEGRAM_API_URL`` (root, default https://api.telegram.org) becomes PTB's
``base_url``/``base_file_url`` (``<root>/bot``, ``<root>/file/bot``): a local Bot API
server or the tests' fake work the same way.

The token is part of every Bot API URL, so it must never reach a log: httpx logs
request URLs at INFO and PTB logs its base URL at DEBUG, hence those loggers are kept
at WARNING/INFO; a token refused at start is reported without it.

What a message or a press does is :mod:`bot.adapters.telegram.updates`; how a reply is
sent, :mod:`bot.adapters.telegram.chat`; how it looks, :mod:`bot.adapters.telegram.render`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import warnings
from collections.abc import Awaitable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.telegram.answer import BUDGET, CURRENT, Slot
from bot.adapters.telegram.chat import TelegramChat
from bot.adapters.telegram.inbound import read_update
from bot.clock import Clock
from bot.contract import PermanentFailure, RateLimited, Reply, TemporaryFailure
from bot.dispatch import Dispatcher
from bot.i18n import Catalogs
from bot.settings import Settings
from core.db import Database

log = logging.getLogger("garde.telegram")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")  # what Telegram accepts in a command menu
SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
MENU_SIZE = 100
CONCURRENT_UPDATES = 256
# Updates Telegram may have in flight at once: a webhook request lasts until its update is
# handled (its reply rides the response), so the most Telegram allows, not its 40.
WEBHOOK_CONNECTIONS = 100
STOP_GRACE = 10.0  # seconds the updates in hand get to finish when Garde stops


class TelegramStartError(Exception):
    """Telegram refused to start the bot (e.g. a wrong token); the message omits the token."""


class ChatOrder(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat, one at a time."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, updates waiting on it

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, waiting = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._chats[chat.id]
            if waiting == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, waiting - 1)

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per chat as updates come."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class TelegramAdapter:
    """The Telegram side of Garde: webhook route or polling, command menu, pushes."""

    platform = "telegram"
    poll_timeout = 30  # seconds a getUpdates long poll waits for updates

    def __init__(
        self,
        token: str,
        *,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        db: Database,
        clock: Clock,
        default_locale: str = "fr",
        api_url: str = "https://api.telegram.org",
        public_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        _keep_token_out_of_logs()
        self._catalogs, self._registry = catalogs, dispatcher.registry
        self.webhook_url = f"{public_url.rstrip('/')}{WEBHOOK_PATH}" if public_url else None
        if webhook_secret and not SECRET_FORM.fullmatch(webhook_secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: 1 to 256 of A-Z, a-z, 0-9, _ and -")
        self._secret = webhook_secret or _derived_secret(token)
        self.chat = TelegramChat(dispatcher, catalogs, db, clock, default_locale)
        self.answer_budget = BUDGET  # seconds the webhook waits to carry the reply
        self._handling: set[asyncio.Task] = set()
        root = api_url.rstrip("/")
        builder = (
            Application.builder()
            .token(token)
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .concurrent_updates(ChatOrder())
            .job_queue(None)
        )
        if self.webhook_url:
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.chat.on_message)
        )
        self.application.add_handler(CallbackQueryHandler(self.chat.on_callback))
        self.application.add_error_handler(self._on_error)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        db: Database,
        clock: Clock,
    ) -> TelegramAdapter | None:
        """The adapter when ``TELEGRAM_BOT_TOKEN`` is set; None (Telegram off) otherwise."""
        token = (
            settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
        )
        if not token:
            return None
        secret = settings.telegram_webhook_secret
        return cls(
            token,
            dispatcher=dispatcher,
            catalogs=catalogs,
            db=db,
            clock=clock,
            default_locale=settings.default_locale,
            api_url=settings.telegram_api_url,
            public_url=settings.public_url,
            webhook_secret=secret.get_secret_value() if secret else None,
        )

    # ------------------------------------------------------------------ lifecycle

    def mount(self, app: web.Application) -> None:
        if self.webhook_url:
            app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def start(self) -> None:
        """getMe, the command menus, then the webhook or polling, then handling."""
        try:
            await self.application.initialize()
        except InvalidToken:  # its message quotes the token
            raise TelegramStartError("Telegram refused TELEGRAM_BOT_TOKEN; check it.") from None
        bot = self.application.bot
        self.chat.username = bot.username
        await self._setup(self._set_commands(), "setMyCommands")
        if self.webhook_url:
            await self._setup(
                bot.set_webhook(
                    self.webhook_url,
                    secret_token=self._secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=WEBHOOK_CONNECTIONS,
                ),
                "setWebhook",
            )
        else:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES
            )
        await self.application.start()
        log.info(
            "Telegram bot @%s on (%s)", bot.username, "webhook" if self.webhook_url else "polling"
        )

    async def stop(self) -> None:
        if self._handling:  # updates the webhook took: let them finish
            await asyncio.wait(self._handling, timeout=STOP_GRACE)
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _setup(self, call: Awaitable[Any], what: str) -> None:
        """A setup call that may fail without stopping Garde (Telegram may be down)."""
        try:
            await call
        except TelegramError as error:
            log.error("Telegram %s failed: %s", what, error)

    async def _set_commands(self) -> None:
        """The command menus: English names by default, French names for French users.

        Every command name (aliases too) is accepted when typed; the menu lists only the
        names Telegram allows there (``désassigner`` is typed, ``desassigner`` listed).
        """
        catalogs, specs = self._catalogs, self._registry.specs()
        menus: dict[str, list[BotCommand]] = {"en": [], "fr": []}
        for spec in specs:
            french = [a for a in spec.aliases if COMMAND_NAME.fullmatch(a)] or [spec.name]
            for lang, names in (("en", [spec.name]), ("fr", french)):
                summary = catalogs.translator(lang)(spec.summary)[:256]
                menus[lang] += [BotCommand(n, summary) for n in names if COMMAND_NAME.fullmatch(n)]
        bot = self.application.bot
        await bot.set_my_commands(menus["en"][:MENU_SIZE])
        await bot.set_my_commands(menus["fr"][:MENU_SIZE], language_code="fr")

    # ------------------------------------------------------------------ webhook

    async def _webhook(self, request: web.Request) -> web.Response:
        """Check the secret, handle the update, and answer with its reply when it fits
        the response (:mod:`.answer`), else 200 once the update is handled (or its reply
        complete) or has had its :data:`~.answer.BUDGET`."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret.encode()):
            return web.Response(status=403)
        data, problem = read_update(await request.read())
        update = None
        try:
            update = Update.de_json(data, self.application.bot) if data is not None else None
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            problem = type(error).__name__
        if update is None or problem:
            log.warning("telegram: update refused with 400: %s", problem)
            return web.Response(status=400)
        chat = update.effective_chat
        slot = Slot(chat.id if chat is not None else None)
        task = self._track(self._handle(update, slot))
        task.add_done_callback(lambda _: slot.settle())
        budget = asyncio.get_running_loop().call_later(self.answer_budget, slot.expire)
        try:
            await slot.ready  # a plain future: the answer goes out on the next turn
        except asyncio.CancelledError:  # the request is gone (shutdown): the API it is
            slot.give_up()
            if task.done():
                self._track(self._flush(slot))
            raise
        finally:
            budget.cancel()
        held = slot.take() if slot.complete else None
        slot.give_up()  # what comes later goes through the API
        return web.json_response(held.call()) if held is not None else web.Response()

    def _track(self, work: Coroutine[Any, Any, None]) -> asyncio.Task:
        """Run ``work`` as a task that stopping waits for."""
        task = asyncio.create_task(work)
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)
        return task

    async def _handle(self, update: Update, slot: Slot) -> None:
        """One update, in its chat's order, with ``slot`` for its reply."""
        CURRENT.set(slot)
        app = self.application
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        finally:
            if not slot.waiting:  # the webhook answered already: the held message by the API
                await self._flush(slot)

    async def _flush(self, slot: Slot) -> None:
        try:
            await self.chat.flush(self.application.bot, slot)
        except TelegramError as error:
            log.error("Telegram reply after the webhook's answer failed: %s", error)

    async def _on_error(self, update: object, context: Any) -> None:
        log.error("Telegram update failed", exc_info=context.error)

    # ------------------------------------------------------------------ pushes

    async def push(self, conversation_id: str, replies: list[Reply]) -> str | None:
        """Send replies to a chat (or group) for the outbox; failures as DeliveryError
        kinds. The message's ``chat:message_id`` when it was one message (to edit later)."""
        try:
            chat_id = int(conversation_id)
        except ValueError:
            raise PermanentFailure(f"not a Telegram chat id: {conversation_id!r}") from None
        outside = CURRENT.set(None)  # a push never rides an update's webhook response
        try:
            with _delivery_errors():
                sent = await self.chat.send(self.application.bot, chat_id, replies, paged=False)
        finally:
            CURRENT.reset(outside)
        return f"{chat_id}:{sent[0]}" if len(sent) == 1 else None

    async def edit(self, ref: str, replies: list[Reply]) -> None:
        """Edit the message ``ref`` (``chat:message_id``, from :meth:`push`) to say the
        one reply given (``editMessageText``); PermanentFailure when it cannot be."""
        chat, _, message = ref.partition(":")
        if len(replies) != 1 or not (chat.lstrip("-").isdigit() and message.isdigit()):
            raise PermanentFailure(f"cannot edit {ref!r} with {len(replies)} replies")
        with _delivery_errors():
            done = await self.chat.edit(self.application.bot, int(chat), int(message), replies[0])
        if not done:
            raise PermanentFailure("the edited message would not fit in one")


@contextmanager
def _delivery_errors() -> Iterator[None]:
    """Telegram's errors as the outbox's kinds: wait, retry, or give up."""
    try:
        yield
    except RetryAfter as error:
        raise RateLimited(_seconds(error)) from error
    except ChatMigrated as error:
        raise PermanentFailure(f"the group moved to chat {error.new_chat_id}") from error
    except (Forbidden, BadRequest) as error:  # blocked, kicked, not found, too old to edit
        raise PermanentFailure(str(error)) from error
    except (NetworkError, TelegramError) as error:  # timeouts, 5xx, connection errors
        raise TemporaryFailure(str(error) or type(error).__name__) from error


def _seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version gives it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _derived_secret(token: str) -> str:
    """A webhook secret from the token: the same on every process, unguessable without it."""
    return hmac.new(token.encode(), b"garde/telegram/webhook", hashlib.sha256).hexdigest()


def _keep_token_out_of_logs() -> None:
    """httpx logs each URL (with the token) at INFO; PTB logs its base URL at DEBUG."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)
