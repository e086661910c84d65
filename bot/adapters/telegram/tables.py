"""Telegram's own state: button commands too long for ``callback_data``.

Adapter state, not domain data: it lives with the adapter's store (``store.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.types import Base, UTCDateTime


class CallbackToken(Base):
    """A button's command kept server-side when the platform's payload is too small for it
    (Telegram's callback_data holds 64 bytes)."""

    __tablename__ = "callback_tokens"
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    command: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Who may press it: the conversation it was sent to, the user and account it was made for.
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(Integer)
