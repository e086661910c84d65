"""What the Telegram adapter keeps in the database: button tokens.

``callback_data`` holds 64 bytes. A button whose payload does not fit (a long Confirm
command, the pages of a long list) gets a short random token instead, and the payload
is stored under it in ``callback_tokens``, in its own unit of work, so that a press
reaches whichever Garde process receives it, after a restart too. Tokens expire after
:data:`TOKEN_LIFETIME`; old ones are removed when new ones are written.

Pending forms (a command asked one question at a time) live in the neutral store,
:mod:`bot.pending`.

"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.adapters.telegram.tables import CallbackToken
from core.db import Database

TOKEN_LIFETIME = timedelta(days=7)


async def save_tokens(db: Database, payloads: Sequence[str], now: datetime) -> list[str]:
    """Store each payload under a new token (one unit of work); return the tokens."""
    tokens = [secrets.token_urlsafe(12) for _ in payloads]
    async with db.write() as session:
        await session.execute(
            delete(CallbackToken).where(CallbackToken.created_at < now - TOKEN_LIFETIME)
        )
        session.add_all(
            CallbackToken(token=token, command=payload, created_at=now)
            for token, payload in zip(tokens, payloads, strict=True)
        )
    return tokens


async def load_token(db: Database, token: str, now: datetime) -> str | None:
    """The payload stored under ``token``, or None when it is unknown or expired."""
    async with db.read() as session:
        row = await session.get(CallbackToken, token)
    if row is None or row.created_at < now - TOKEN_LIFETIME:
        return None
    return row.command
