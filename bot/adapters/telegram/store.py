"""What the Telegram adapter keeps in the database: button tokens.

``callback_data`` holds 64 bytes. A button whose payload does not fit (a long Confirm
command, the pages of a long list) gets a short random token instead, and the payload
is stored under it in ``callback_tokens``, in its own unit of work, so that a press
reaches whichever Garde process receives it, after a restart too. A token remembers
its :class:`Owner` (chat, user, account): a page of someone's list is theirs alone.
Tokens expire after :data:`TOKEN_LIFETIME`; old ones are removed when new ones are
written.

Pending forms (a command asked one question at a time) live in the neutral store,
:mod:`bot.pending`.

"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bot.adapters.telegram.tables import CallbackToken
from core.db import Database

TOKEN_LIFETIME = timedelta(days=7)
PAGES = "pages:"  # a stored payload holding the rendered pages of a long reply


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
    async with db.lookup() as conn:  # one statement: no BEGIN/ROLLBACK, every press asks
        row = (
            await conn.execute(
                select(
                    CallbackToken.command,
                    CallbackToken.created_at,
                    CallbackToken.conversation_id,
                    CallbackToken.user_id,
                    CallbackToken.account_id,
                ).where(CallbackToken.token == token)
            )
        ).first()
    if row is None or row.created_at < now - TOKEN_LIFETIME or row.conversation_id is None:
        return None
    return Stored(row.command, Owner(row.conversation_id, row.user_id, row.account_id))
