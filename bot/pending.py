"""The pending-form store: commands being completed one answer at a time.

A handler that lacks arguments returns a ``Form``; an adapter that asks its fields one
at a time (Telegram) keeps the command text gathered so far here, per platform,
conversation and user, so it survives a restart and works on any Garde process. The
store is neutral: it knows no platform and no command.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.types import Base, UTCDateTime


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
