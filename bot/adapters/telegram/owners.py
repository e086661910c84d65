"""Whose a stored button is: made for one chat, one user and their account, pressed by them.

A button token (:mod:`bot.adapters.telegram.store`) stands for a command or for the
pages of a reply that were rendered for one person. Anyone can send any callback data,
so a press is honoured only from the chat the button was sent to, by the user it was
made for (a push's buttons belong to its chat), while that user still holds the
account; anyone else is told it is not theirs and shown nothing.
"""

from __future__ import annotations

from bot.adapters.telegram import render
from bot.adapters.telegram.store import Owner
from bot.contract import Actor, Conversation
from bot.dispatch import Dispatcher
from core.errors import N_

NOT_YOURS = N_("This button is not yours: send the command yourself.")


class Owners:
    """Makes owners for new tokens and checks presses against them."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    async def owns(self, owner: Owner, actor: Actor, conv: Conversation) -> bool:
        """Whether this press comes from where, and from whom, the button was made for."""
        if owner.conversation_id != conv.id:
            return False
        if owner.user_id is not None and owner.user_id != actor.user_id:
            return False
        if owner.account_id is None:
            return True
        held = (await self._dispatcher.who(actor)).accounts  # it may have been lost since
        return any(account.id == owner.account_id for account, _ in held)

    async def not_yours(self, actor: Actor) -> str:
        """What the presser of someone else's button is told, in their language."""
        return (await self._dispatcher.who(actor)).t(NOT_YOURS)

    async def owner(self, chat_id: int, actor: Actor | None) -> Owner:
        """Who the tokens of a message to ``chat_id`` are for: its asker, on their account."""
        if actor is None:
            return Owner(str(chat_id))
        active = (await self._dispatcher.who(actor)).active
        return Owner(str(chat_id), actor.user_id, active[0].id if active else None)


def fits(payload: str) -> bool:
    """A command (or a prompt's answer) short enough to be its button's callback_data."""
    return payload.startswith(("/", "a:")) and render.fits_callback(payload)


def mine(actor: Actor, conv: Conversation) -> Owner:
    """The owner of a prompt's answer buttons: this user, in this chat."""
    return Owner(conv.id, actor.user_id)
