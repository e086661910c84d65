"""The pending-form store: commands being completed one answer at a time.

A handler that lacks arguments returns a ``Form``; an adapter that asks its fields one
at a time (Telegram) keeps the command text gathered so far here, per platform,
conversation and user, so it survives a restart and works on any Garde process. The
store is neutral: it knows no platform and no command.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, Text, UniqueConstraint, bindparam, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.contract import Actor, Conversation
from core.db import Database
from core.types import Base, UTCDateTime

LIFETIME = timedelta(minutes=10)  # a question unanswered this long lapses


class PendingForm(Base):
    """A command being completed step by step in a chat (a Form asked one field at a
    time): the command text gathered so far, per platform, conversation and user."""

    __tablename__ = "prompts"
    __table_args__ = (UniqueConstraint("platform", "conversation_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The one user's form in one conversation: bound conditions, so that each statement is
# compiled once (every Telegram message asks for it), and their values.
_KEY = (
    PendingForm.platform == bindparam("platform"),
    PendingForm.conversation_id == bindparam("conv"),
    PendingForm.user_id == bindparam("user"),
)
_LOAD = select(PendingForm.text, PendingForm.created_at).where(*_KEY)
_DROP = delete(PendingForm).where(*_KEY)


def _key(actor: Actor, conversation: Conversation) -> dict[str, str]:
    return {"platform": actor.platform, "conv": conversation.id, "user": actor.user_id}


async def load_pending(
    db: Database, actor: Actor, conversation: Conversation, now: datetime
) -> str | None:
    """The command gathered so far by this user's pending form here, if not lapsed."""
    async with db.lookup() as conn:  # one statement: no BEGIN/ROLLBACK, every message asks
        row = (await conn.execute(_LOAD, _key(actor, conversation))).first()
    if row is None or row.created_at < now - LIFETIME:
        return None
    return row.text


async def save_pending(
    db: Database, actor: Actor, conversation: Conversation, text: str, now: datetime
) -> None:
    """Remember ``text`` as this user's pending command here; the clock starts again."""
    async with db.write() as session:
        await session.execute(_DROP, _key(actor, conversation))
        session.add(
            PendingForm(
                platform=actor.platform,
                conversation_id=conversation.id,
                user_id=actor.user_id,
                text=text,
                created_at=now,
            )
        )


async def drop_pending(db: Database, actor: Actor, conversation: Conversation) -> bool:
    """Forget this user's pending command here; True if there was one."""
    async with db.write() as session:
        result = await session.execute(_DROP, _key(actor, conversation))
    return bool(result.rowcount)
