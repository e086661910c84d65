"""A command's reply carried back in the webhook's own HTTP response.

Telegram lets a webhook answer an update with one Bot API call in the response body
(``{"method": "sendMessage", …}``, "making requests when getting updates" in the Bot
API): the reply then costs no request of its own, nor the parsing of the ``Message``
the API sends back — the largest part of a short command's time on the webhook.

Telegram never says whether that call succeeded nor what it made, so only a message
that needs neither rides there: one sent to the chat the update came from (a reply
meant for a private chat may be refused, and the refusal is what makes Garde say it in
the group instead), never a file, never a push (pushes keep their message ids to edit
them later). Order is kept: the slot holds one message; the next message or file of the
same update sends the held one through the API first, so what rides the response is
the last message of the reply. The webhook answers once the update is handled, or
as soon as its reply is complete (:func:`settle`: a typed command's clean-up, dropping
a question it left unanswered, comes after), at most :data:`BUDGET`; past that it
answers 200 empty and whatever is held goes through the API.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode

BUDGET = 1.0  # seconds the webhook waits for its update before answering 200 empty
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True, slots=True)
class Draft:
    """A text message about to be sent (HTML parse mode, no link preview)."""

    chat_id: int
    html: str
    markup: InlineKeyboardMarkup | None = None
    quote: int | None = None

    def quoting(self) -> ReplyParameters | None:
        return ReplyParameters(self.quote, allow_sending_without_reply=True) if self.quote else None

    def call(self) -> dict[str, Any]:
        """The ``sendMessage`` call as a webhook response body (JSON)."""
        body: dict[str, Any] = {
            "method": "sendMessage",
            "chat_id": self.chat_id,
            "text": self.html,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": NO_PREVIEW.to_dict(),
        }
        if self.markup is not None:
            body["reply_markup"] = self.markup.to_dict()
        quoting = self.quoting()
        if quoting is not None:
            body["reply_parameters"] = quoting.to_dict()
        return body


class Slot:
    """One update's room in its webhook response: at most one message, for its chat."""

    def __init__(self, chat_id: int | None) -> None:
        self._chat_id = chat_id
        self._held: Draft | None = None
        self.waiting = True  # False once the webhook has answered: nothing more rides it
        self.complete = False  # the reply is complete (settled, or the update handled)
        # done when the webhook should answer: the reply complete, or the budget spent
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def settle(self) -> None:
        """The reply is complete: what is held may go now; nothing else will ride."""
        self.complete = True
        self.expire()

    def expire(self) -> None:
        """The webhook answers now, with the reply if it is complete."""
        if not self.ready.done():
            self.ready.set_result(None)

    def hold(self, draft: Draft) -> bool:
        """Keep ``draft`` for the response when it may ride there; True if kept."""
        if self.waiting and self._held is None and draft.chat_id == self._chat_id:
            self._held = draft
            return True
        return False

    def take(self) -> Draft | None:
        """The held message, now out of the slot (to send it some way)."""
        held, self._held = self._held, None
        return held

    def give_up(self) -> None:
        """The webhook answers now: nothing more rides the response."""
        self.waiting = False


CURRENT: ContextVar[Slot | None] = ContextVar("telegram_webhook_slot", default=None)


def settle() -> None:
    """The current update's reply is complete (no webhook waiting: nothing to do)."""
    slot = CURRENT.get()
    if slot is not None:
        slot.settle()
