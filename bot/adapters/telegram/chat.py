"""A Telegram chat for Garde: the incoming half (:mod:`.updates`) and replies sent out.

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
from collections.abc import Sequence
from datetime import datetime

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.adapters.telegram import render
from bot.adapters.telegram.answer import CURRENT, NO_PREVIEW, Draft, Slot
from bot.adapters.telegram.files import send_file, too_large
from bot.adapters.telegram.owners import Owners, fits
from bot.adapters.telegram.store import PAGES, Owner, save_tokens
from bot.adapters.telegram.updates import Updates
from bot.clock import Clock
from bot.contract import Actor, Attachment, Reply, Visibility
from bot.dispatch import Dispatcher
from bot.i18n import Catalogs, Translator
from core.db import Database

FILE_LIMIT = 50 * 1024 * 1024  # bytes a bot may send through the public Bot API
_PAGES = PAGES  # the stored payload of a long reply's rendered pages (.updates reads it too)


class TelegramChat(Updates):
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
        the text messages sent (a push keeps its one message's id, to edit it later); a
        message that rode the webhook's response has none."""
        sent: list[int | None] = []
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
        return [i for i in sent if i is not None]

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
                link_preview_options=NO_PREVIEW,
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
    ) -> list[int | None]:
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
            sent: list[int | None] = []
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
        if files:
            await self.flush(bot, CURRENT.get())  # the text before its files
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
    ) -> int | None:
        """Send one text message; its id, or None when it rides the webhook's response
        (:mod:`.answer`: its id is never known)."""
        draft = Draft(chat_id, html, markup, quote)
        slot = CURRENT.get()
        if slot is not None:
            await self.flush(bot, slot)  # the message held before goes first
            if slot.hold(draft):
                return None
        return await self._post(bot, draft)

    async def flush(self, bot: Bot, slot: Slot | None) -> None:
        """Send through the API the message the webhook slot holds, if any."""
        held = slot.take() if slot is not None else None
        if held is not None:
            await self._post(bot, held)

    async def _post(self, bot: Bot, draft: Draft) -> int:
        sent = await bot.send_message(
            draft.chat_id,
            draft.html,
            parse_mode=ParseMode.HTML,
            reply_markup=draft.markup,
            link_preview_options=NO_PREVIEW,
            reply_parameters=draft.quoting(),
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
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as error:  # the same page pressed again: nothing to change
            if "not modified" not in str(error).lower():
                raise
