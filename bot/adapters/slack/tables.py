"""Slack's own state: the workspaces that installed the app and pending OAuth flows.

Adapter state, not domain data: it lives with the adapter's store (``store.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.types import Base, UTCDateTime


class SlackInstallation(Base):
    """A workspace that installed the Slack app ("Add to Slack"), as slack-bolt stores it.

    ``data`` keeps bolt's whole installation record so that it comes back unchanged.
    """

    __tablename__ = "slack_installations"
    __table_args__ = (UniqueConstraint("client_id", "enterprise_id", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[str] = mapped_column(String(32), default="")
    team_id: Mapped[str] = mapped_column(String(32), default="")
    bot_token: Mapped[str | None] = mapped_column(Text)
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SlackOAuthState(Base):
    """A pending "Add to Slack" flow: the OAuth state, valid for a few minutes, used once."""

    __tablename__ = "slack_oauth_states"
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
