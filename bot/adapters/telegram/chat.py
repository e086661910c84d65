"""Telegram updates -> commands -> the dispatcher; replies -> messages, buttons, files.

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

Long replies to a chat are paged: the first page is sent with ◀ ▶ buttons, and the
pages, rendered once, are stored under a token; a press edits the message in place.
Storing the rendered pages rather than dispatching the command again means a page never
runs a command twice (the reply of a change must not redo the change), every page comes
from the same moment, and any Garde process can serve the press. Pushes are not paged:
an alert is read without pressing anything, so a long one is sent as several messages.

Visibility: Telegram has no ephemeral messages, so a reply meant for the asker goes to
the chat where they asked (in a group, quoting their command); ``DIRECT`` replies go to
the person's private chat with the bot, or to the chat when the bot may not write there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.adapters.telegram import render
from bot.adapters.telegram.files import send_file, too_large
from bot.adapters.telegram.owners import Owners, fits, mine
from bot.adapters.telegram.store import Owner, load_token, save_tokens
from bot.clock import Clock
from bot.contract import (
    Action,
    Actor,
    Attachment,
    Conversation,
    Form,
    FormField,
    Reply,
    Visibility,
)
from bot.dispatch import Dispatcher, Who
from bot.i18n import Catalogs, Translator
from bot.pending import drop_pending, load_pending, save_pending
from core.db import Database
from core.errors import N_

log = logging.getLogger("garde.telegram")

FILE_LIMIT = 50 * 1024 * 1024  # bytes a bot may send through the public Bot API
_KINDS = {"private": "direct", "group": "group", "supergroup": "group"}
_PAGES = "pages:"  # a stored payload holding the rendered pages of a long reply
CANCEL = "x"
MAX_CHOICES = 12  # answer buttons of a question; a longer list is typed into
Answer = Callable[..., Awaitable[None]]  # answers the callback query, once


class TelegramChat:
    """Handles updates for one bot; the adapter wires it into the PTB Application."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        db: Database,
        clock: Clock,
        default_locale: str,
    ) -> None:
        self._dispatcher, self._catalogs, self._db, self._clock = dispatcher, catalogs, db, clock
        self._default = default_locale
        self.owners = Owners(dispatcher)
        self.username = ""  # the bot's @username, known once the bot is initialized
        self.file_limit = FILE_LIMIT
        self.rows_per_page = render.ROWS_PER_PAGE

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
            if await load_pending(self._db, actor, conv, now) is not None:
                await drop_pending(self._db, actor, conv)  # a new command replaces it
            await self._run(bot, chat.id, text, actor, conv, now, quote=quote)
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
    ) -> None:
        replies = await self._dispatcher.run(text, actor, conv, now)
        await self._answer(bot, chat_id, replies, actor, conv, now, quote=quote)

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
    ) -> None:
        """Send replies; a Form is asked instead, one question at a time (the pending
        command kept in :mod:`bot.pending`), and run once nothing is left to ask.
        ``pending``: the replies answer a pending question (forgotten unless asked on)."""
        form = next((r.form for r in replies if r.form is not None), None)
        if form is None:
            if pending:
                await drop_pending(self._db, actor, conv)
            await self.send(bot, chat_id, replies, actor=actor, quote=quote)
            return
        field = form.next_field
        if field is None:  # every answer is in: the command, run like a typed one
            await drop_pending(self._db, actor, conv)
            if query is not None:
                await self._edit(query, f"<code>{render.escape(form.command)}</code>", None)
            await self._run(bot, chat_id, form.command, actor, conv, now)
            return
        await save_pending(self._db, actor, conv, form.command, now)
        html, markup = await self._question(form, field, actor, conv, now)
        if query is not None:
            await self._edit(query, html, markup)
        else:
            await self._message(bot, chat_id, html, markup, quote)

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
        if stored is None or not stored.payload.startswith(_PAGES):
            return False
        if not await self.owners.owns(stored.owner, actor, conv):
            await answer(await self.owners.not_yours(actor))
            return True
        doc = json.loads(stored.payload[len(_PAGES) :])
        texts, page = doc["pages"], min(int(number), len(doc["pages"]) - 1)
        actions = [Action(label, data) for label, data in doc["buttons"]]
        rows = render.keyboard(actions, [a.command for a in actions])
        nav = render.pager([f"p:{token}:{i}" for i in range(len(texts))], page)
        await answer()
        await self._edit(query, texts[page], InlineKeyboardMarkup([nav, *rows]))
        return True

    # ------------------------------------------------------------------ outgoing

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        replies: Sequence[Reply],
        *,
        actor: Actor | None = None,
        quote: int | None = None,
        paged: bool = True,
    ) -> list[int]:
        """Send replies to a chat; ``actor`` is who asked (None for a push). The ids of
        the text messages sent (a push keeps its one message's id, to edit it later)."""
        sent: list[int] = []
        for reply in replies:
            target = chat_id
            if reply.visibility is Visibility.DIRECT and actor and actor.user_id != str(chat_id):
                target = int(actor.user_id)
            try:
                sent += await self._send_one(bot, target, reply, actor, quote, paged)
            except (Forbidden, BadRequest):
                if target == chat_id:
                    raise
                # The person never opened a private chat with the bot: tell them here.
                sent += await self._send_one(bot, chat_id, reply, actor, quote, paged)
            quote = None
        return sent

    async def edit(self, bot: Bot, chat_id: int, message_id: int, reply: Reply) -> bool:
        """Edit a message the bot sent (a push) to say ``reply``; False when the reply
        takes more than one message. Raises what Telegram answers (too old, deleted)."""
        texts = render.to_html(reply)
        if len(texts) != 1:
            return False
        try:
            await bot.edit_message_text(
                texts[0],
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=render.markup(await self._keyboard(chat_id, reply, None)),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as error:  # edited twice to the same text: nothing to change
            if "not modified" not in str(error).lower():
                raise
        return True

    async def _keyboard(
        self, chat_id: int, reply: Reply, actor: Actor | None
    ) -> list[list[InlineKeyboardButton]]:
        """The reply's buttons; a command too long for callback_data gets a token."""
        owner = None  # read only when a token is made: it costs a query
        if not all(fits(a.command) for a in reply.actions):
            owner = await self.owners.owner(chat_id, actor)
        datas = await self._callback_data([a.command for a in reply.actions], self._clock(), owner)
        return render.keyboard(reply.actions, datas)

    async def _send_one(
        self,
        bot: Bot,
        chat_id: int,
        reply: Reply,
        actor: Actor | None,
        quote: int | None,
        paged: bool,
    ) -> list[int]:
        now = self._clock()
        texts = render.pages(reply, self.rows_per_page) if paged else render.to_html(reply)
        paging = len(texts) > 1 and paged
        owner = None  # read only when a token is made: it costs a query
        if paging or not all(fits(a.command) for a in reply.actions):
            owner = await self.owners.owner(chat_id, actor)
        datas = await self._callback_data([a.command for a in reply.actions], now, owner)
        rows = render.keyboard(reply.actions, datas)
        if paging:
            assert owner is not None
            buttons = [[a.label, d] for a, d in zip(reply.actions, datas, strict=True)]
            doc = _PAGES + json.dumps({"pages": texts, "buttons": buttons}, ensure_ascii=False)
            [token] = await save_tokens(self._db, [doc], now, owner)
            nav = render.pager([f"p:{token}:{i}" for i in range(len(texts))], 0)
            markup = InlineKeyboardMarkup([nav, *rows])
            sent = [await self._message(bot, chat_id, texts[0], markup, quote)]
        else:
            sent = []
            for i, text in enumerate(texts):
                last = i == len(texts) - 1
                markup = render.markup(rows) if last else None
                sent.append(await self._message(bot, chat_id, text, markup, None if i else quote))
        await self._files(bot, chat_id, reply.files, actor)
        return sent

    async def _callback_data(
        self, payloads: Sequence[str], now: datetime, owner: Owner | None
    ) -> list[str]:
        """Each payload as callback_data: itself when it fits, else a token for ``owner``."""
        direct = [p if fits(p) else None for p in payloads]
        long = [p for p, d in zip(payloads, direct, strict=True) if d is None]
        if long and owner is None:
            raise ValueError("a button token needs its owner")
        tokens = iter(await save_tokens(self._db, long, now, owner)) if long else iter(())
        return [d if d is not None else f"t:{next(tokens)}" for d in direct]

    async def _files(
        self, bot: Bot, chat_id: int, files: Sequence[Attachment], actor: Actor | None
    ) -> None:
        for attachment in files:
            size = attachment.path.stat().st_size
            if size > self.file_limit:
                t = await self._translator(actor)
                said = too_large(attachment, size, self.file_limit, t)
                await self._message(bot, chat_id, render.escape(said))
                continue
            await send_file(bot, chat_id, attachment)

    async def _translator(self, actor: Actor | None) -> Translator:
        if actor is not None:
            return (await self._who(actor)).t
        return self._catalogs.translator(self._default)

    async def _message(
        self,
        bot: Bot,
        chat_id: int,
        html: str,
        markup: InlineKeyboardMarkup | None = None,
        quote: int | None = None,
    ) -> int:
        sent = await bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_parameters=ReplyParameters(quote, allow_sending_without_reply=True)
            if quote
            else None,
        )
        return sent.message_id

    async def _edit(
        self, query: CallbackQuery, html: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await query.edit_message_text(
                html,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as error:  # the same page pressed again: nothing to change
            if "not modified" not in str(error).lower():
                raise


def _actor(user: User) -> Actor:
    """The Telegram user who typed or pressed, as the dispatcher sees them."""
    return Actor(
        "telegram",
        str(user.id),
        name=user.full_name,
        locale_hint=user.language_code,
        handle=user.username,
    )
