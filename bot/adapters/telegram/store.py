"""What the Telegram adapter keeps in the database: button tokens, pending questions.

``callback_data`` holds 64 bytes. A button whose payload does not fit (a long Confirm
command, the pages of a long list) gets a short random token instead, and the payload
is stored under it in ``callback_tokens``, in its own unit of work, so that a press
reaches whichever Garde process receives it, after a restart too. A token remembers
its :class:`Owner` (chat, user, account): a page of someone's list is theirs alone.
Tokens expire after :data:`TOKEN_LIFETIME`; old ones are removed when new ones are
written.

A ``prompts`` row is a command being completed in a chat (see
:mod:`bot.adapters.telegram.prompt`): one per platform, conversation and user.

:func:`who` reads the identity behind a Telegram user, for the adapter's own strings
(a hint, "this button has expired", the questions of a prompt), in the language the
dispatcher would choose for that user.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bot.adapters.telegram.tables import CallbackToken
from bot.contract import Actor, Conversation
from bot.pending import PendingForm as Prompt
from core.db import Database

TOKEN_LIFETIME = timedelta(days=7)
PROMPT_LIFETIME = timedelta(minutes=10)
PLATFORM = "telegram"


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a token was made for: the chat it went to, and (for a reply) the user who
    asked and the account they were on. A push has no user: its chat is the owner."""

    conversation_id: str
    user_id: str | None = None
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    payload: str
    owner: Owner


async def save_tokens(
    db: Database, payloads: Sequence[str], now: datetime, owner: Owner
) -> list[str]:
    """Store each payload under a new token for ``owner`` (one unit of work); the tokens."""
    tokens = [secrets.token_urlsafe(12) for _ in payloads]
    async with db.write() as session:
        await session.execute(
            delete(CallbackToken).where(CallbackToken.created_at < now - TOKEN_LIFETIME)
        )
        session.add_all(
            CallbackToken(
                token=token,
                command=payload,
                created_at=now,
                conversation_id=owner.conversation_id,
                user_id=owner.user_id,
                account_id=owner.account_id,
            )
            for token, payload in zip(tokens, payloads, strict=True)
        )
    return tokens


async def load_token(db: Database, token: str, now: datetime) -> Stored | None:
    """The payload stored under ``token`` and its owner; None when unknown or expired."""
    async with db.read() as session:
        row = await session.get(CallbackToken, token)
    if row is None or row.created_at < now - TOKEN_LIFETIME or row.conversation_id is None:
        return None
    return Stored(row.command, Owner(row.conversation_id, row.user_id, row.account_id))


def _prompt_key(actor: Actor, conversation: Conversation) -> tuple:
    return (
        Prompt.platform == PLATFORM,
        Prompt.conversation_id == conversation.id,
        Prompt.user_id == actor.user_id,
    )


async def load_prompt(
    db: Database, actor: Actor, conversation: Conversation, now: datetime
) -> str | None:
    """The text gathered so far by this user's pending question here, if not expired."""
    async with db.read() as session:
        row = await session.scalar(select(Prompt).where(*_prompt_key(actor, conversation)))
    if row is None or row.created_at < now - PROMPT_LIFETIME:
        return None
    return row.text


async def save_prompt(
    db: Database, actor: Actor, conversation: Conversation, text: str, now: datetime
) -> None:
    """Remember ``text`` as this user's pending command here; the clock starts again."""
    async with db.write() as session:
        await session.execute(delete(Prompt).where(*_prompt_key(actor, conversation)))
        session.add(
            Prompt(
                platform=PLATFORM,
                conversation_id=conversation.id,
                user_id=actor.user_id,
                text=text,
                created_at=now,
            )
        )


async def drop_prompt(db: Database, actor: Actor, conversation: Conversation) -> bool:
    """Forget this user's pending command here; True if there was one."""
    async with db.write() as session:
        result = await session.execute(delete(Prompt).where(*_prompt_key(actor, conversation)))
    return bool(result.rowcount)
