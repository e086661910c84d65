"""Telegram updates -> commands -> the dispatcher: typed text, button presses, Forms.

A typed command is dispatched as it is (the parser drops a ``@botname`` suffix); a
command addressed to another bot, or in a group one that is not ours, is left alone.
A reply carrying a Form (a command lacking arguments) is asked one question at a time,
with its likely answers as buttons and Cancel; the command gathered so far waits in
:mod:`bot.pending`. Plain text answers a pending question or, in a private chat, gets a
short hint. A button press is just another command: its
``callback_data`` is the command text itself, or ``t:TOKEN`` for one stored server-side
(:mod:`bot.adapters.telegram.store`). Other payloads: ``p:TOKEN:N`` shows page N of a
long reply, ``a:ANSWER`` answers a pending question, ``x`` cancels it. Every press is
answered (``answerCallbackQuery``), at once when possible so the button stops spinning.

This is the incoming half of :class:`~bot.adapters.telegram.chat.TelegramChat`, which
adds the outgoing half (``send``, ``_message``, ``_edit``, ``_callback_data``) and the
state both use.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    User,
)

from bot.adapters.telegram import render
from bot.adapters.telegram.answer import settle
from bot.adapters.telegram.owners import Owners, mine
from bot.adapters.telegram.store import PAGES, Owner, load_token
from bot.clock import Clock
from bot.contract import Action, Actor, Conversation, Form, FormField, Reply
from bot.dispatch import Dispatcher, Who
from bot.pending import drop_pending, load_pending, save_pending
from core.db import Database
from core.errors import N_

_KINDS = {"private": "direct", "group": "group", "supergroup": "group"}
CANCEL = "x"
MAX_CHOICES = 12  # answer buttons of a question; a longer list is typed into
Answer = Callable[..., Awaitable[None]]  # answers the callback query, once


class Updates:
    """Routes one bot's updates: what comes in, and the questions of a Form."""

    _dispatcher: Dispatcher
    _db: Database
    _clock: Clock
    owners: Owners
    username: str

    # the outgoing half, defined by TelegramChat
    send: Callable[..., Awaitable[None]]
    _message: Callable[..., Awaitable[None]]
    _edit: Callable[..., Awaitable[None]]
    _callback_data: Callable[[Sequence[str], datetime, Owner | None], Awaitable[list[str]]]

    # ------------------------------------------------------------------ incoming

    async def on_message(self, update: Update, context: Any) -> None:
        """A text message: a command, an answer to a pending question, or chatter."""
        message = update.message
        if message is None or not isinstance(message.text, str) or message.from_user is None:
            return  # not text (or, by long polling, not the types Telegram sends): ignored
        user, chat = message.from_user, message.chat
        kind = _KINDS.get(chat.type)
        if kind is None or user.is_bot:
            return
        actor = _actor(user)
        conv = Conversation("telegram", str(chat.id), kind=kind)
        now, text, bot = self._clock(), message.text.strip(), context.bot
        quote = message.message_id if kind == "group" else None
        if text.startswith("/"):
            if not self._for_us(text, kind):
                return
            asked = await self._run(bot, chat.id, text, actor, conv, now, quote=quote)
            settle()  # the reply is complete: a webhook answers with it now,
            await asyncio.sleep(0)  # before the clean-up below takes the loop
            if not asked and await load_pending(self._db, actor, conv, now) is not None:
                await drop_pending(self._db, actor, conv)  # a new command replaces it
            return
        so_far = await load_pending(self._db, actor, conv, now)
        if so_far is not None:
            replies = await self._dispatcher.run(text, actor, conv, now, answering=so_far)
            await self._answer(bot, chat.id, replies, actor, conv, now, quote=quote, pending=True)
            return
        if kind == "direct":
            hint = (await self._who(actor)).t(
                N_("Send a command, e.g. /oncall. /help lists them all.")
            )
            await self._message(bot, chat.id, render.escape(hint))

    async def on_callback(self, update: Update, context: Any) -> None:
        """A button press; answered in every case, once."""
        query = update.callback_query
        if query is None:
            return
        answered = False

        async def answer(text: str | None = None) -> None:
            nonlocal answered
            if not answered:
                answered = True
                await query.answer(text)

        try:
            await self._press(query, context.bot, answer)
        finally:
            if not answered:
                await query.answer()

    async def _press(self, query: CallbackQuery, bot: Bot, answer: Answer) -> None:
        """Route a press by its payload; anything unknown or lapsed says it has expired."""
        message, user = query.message, query.from_user
        chat = message.chat if message is not None else None
        if chat is None or _KINDS.get(chat.type) is None:
            return
        actor = _actor(user)
        conv = Conversation("telegram", str(chat.id), kind=_KINDS[chat.type])
        now, data = self._clock(), query.data if isinstance(query.data, str) else ""
        payload = data
        if data.startswith("t:"):
            stored = await load_token(self._db, data[2:], now)
            if stored is not None and not await self.owners.owns(stored.owner, actor, conv):
                await answer(await self.owners.not_yours(actor))
                return
            payload = stored.payload if stored is not None else ""
        if payload.startswith("/"):
            await answer()
            await self._run(bot, chat.id, payload, actor, conv, now)
            return
        if payload.startswith("p:") and await self._page(query, payload, actor, conv, answer):
            return
        if payload == CANCEL and await drop_pending(self._db, actor, conv):
            await answer()
            t = (await self._who(actor)).t
            await self._edit(query, render.escape(t(N_("Cancelled: nothing was saved."))), None)
            return
        so_far = await load_pending(self._db, actor, conv, now)
        if payload.startswith("a:") and so_far is not None:
            await answer()
            replies = await self._dispatcher.run(payload[2:], actor, conv, now, answering=so_far)
            await self._answer(bot, chat.id, replies, actor, conv, now, query=query, pending=True)
            return
        asker = await self._who(actor)
        await answer(asker.t(N_("This button has expired. Send the command again.")))

    def _for_us(self, text: str, kind: str) -> bool:
        """Whether a command is ours: ``/cmd@ThisBot``, or a name we know, or any in private."""
        first = text.split(maxsplit=1)[0][1:]
        name, _, addressee = first.partition("@")
        if addressee:
            return addressee.casefold() == self.username.casefold()
        return kind == "direct" or self._dispatcher.registry.find(name) is not None

    async def _who(self, actor: Actor) -> Who:
        return await self._dispatcher.who(actor)

    async def _run(
        self,
        bot: Bot,
        chat_id: int,
        text: str,
        actor: Actor,
        conv: Conversation,
        now: datetime,
        quote: int | None = None,
    ) -> bool:
        """Run a command and answer it; True if it asked a question (a Form's)."""
        replies = await self._dispatcher.run(text, actor, conv, now)
        return await self._answer(bot, chat_id, replies, actor, conv, now, quote=quote)

    # ------------------------------------------------------------------ forms, pages

    async def _answer(
        self,
        bot: Bot,
        chat_id: int,
        replies: list[Reply],
        actor: Actor,
        conv: Conversation,
        now: datetime,
        *,
        quote: int | None = None,
        query: CallbackQuery | None = None,
        pending: bool = False,
    ) -> bool:
        """Send replies; a Form is asked instead, one question at a time (the pending
        command kept in :mod:`bot.pending`, replacing any other), and run once nothing is
        left to ask. ``pending``: the replies answer a pending question (forgotten unless
        asked on). True if a question was asked."""
        form = next((r.form for r in replies if r.form is not None), None)
        if form is None:
            if pending:
                await drop_pending(self._db, actor, conv)
            await self.send(bot, chat_id, replies, actor=actor, quote=quote)
            return False
        field = form.next_field
        if field is None:  # every answer is in: the command, run like a typed one
            await drop_pending(self._db, actor, conv)
            if query is not None:
                await self._edit(query, f"<code>{render.escape(form.command)}</code>", None)
            return await self._run(bot, chat_id, form.command, actor, conv, now)
        await save_pending(self._db, actor, conv, form.command, now)
        html, markup = await self._question(form, field, actor, conv, now)
        if query is not None:
            await self._edit(query, html, markup)
        else:
            await self._message(bot, chat_id, html, markup, quote)
        return True

    async def _question(
        self, form: Form, field: FormField, actor: Actor, conv: Conversation, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup]:
        """A Form's next question: why the last answer was not taken, the question, the
        command so far, its likely answers as buttons and Cancel."""
        text = f"{form.error}\n{field.question}" if form.error else field.question
        html = f"{render.escape(text)}\n\n<code>{render.escape(form.command)}</code>"
        choices = field.choices[:MAX_CHOICES]
        answers = [f"a:{c.command}" for c in choices]
        datas = await self._callback_data(answers, now, mine(actor, conv))
        rows = render.keyboard(list(choices), datas)
        cancel = (await self._who(actor)).t(N_("Cancel"))
        rows.append([InlineKeyboardButton(cancel, callback_data=CANCEL)])
        return html, InlineKeyboardMarkup(rows)

    async def _page(
        self, query: CallbackQuery, payload: str, actor: Actor, conv: Conversation, answer: Answer
    ) -> bool:
        """Show page N of a stored long reply in place, to its owner only; False when it
        has expired (someone else is told it is not theirs, and shown nothing)."""
        _, token, number = [*payload.split(":"), "", ""][:3]
        valid = number.isascii() and number.isdigit() and len(number) <= 6
        stored = await load_token(self._db, token, self._clock()) if valid else None
        if stored is None or not stored.payload.startswith(PAGES):
            return False
        if not await self.owners.owns(stored.owner, actor, conv):
            await answer(await self.owners.not_yours(actor))
            return True
        doc = json.loads(stored.payload[len(PAGES) :])
        texts, page = doc["pages"], min(int(number), len(doc["pages"]) - 1)
        actions = [Action(label, data) for label, data in doc["buttons"]]
        rows = render.keyboard(actions, [a.command for a in actions])
        nav = render.pager([f"p:{token}:{i}" for i in range(len(texts))], page)
        await answer()
        await self._edit(query, texts[page], InlineKeyboardMarkup([nav, *rows]))
        return True


def _actor(user: User) -> Actor:
    """The Telegram user who typed or pressed, as the dispatcher sees them."""
    return Actor(
        "telegram",
        str(user.id),
        name=user.full_name,
        locale_hint=user.language_code,
        handle=user.username,
    )
