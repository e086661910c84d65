"""Slack installations and OAuth states in Garde's own database, for slack-bolt.

"Add to Slack" installs the app into a workspace: bolt's OAuth flow calls
:class:`InstallationStore` to keep the workspace's bot token (one row per client id,
enterprise and team: Garde asks for bot scopes only, so there is no per-user
installation), and :class:`StateStore` to issue the one-time ``state`` of a pending
flow and to spend it on the way back. Both live in the tables of migration 0003, so
every Garde process sees the same installations, on SQLite and PostgreSQL alike.

The bot token is kept in its column only; ``data`` holds the rest of bolt's record,
so that an installation comes back as it was saved.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.adapters.slack.tables import SlackInstallation, SlackOAuthState
from core.db import Database

log = logging.getLogger("garde.slack")

Clock = Callable[[], datetime]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """A record JSON can hold: datetimes as Unix timestamps, tokens left out."""
    out = {}
    for key, value in data.items():
        if key == "bot_token":
            continue
        out[key] = value.timestamp() if isinstance(value, datetime) else value
    return out


def _key(enterprise_id: str | None, team_id: str | None, enterprise_install: bool | None):
    """The row's key as slack-sdk's stores make it: an org-wide install has no team."""
    team = "" if enterprise_install else (team_id or "")
    return enterprise_id or "", team


class InstallationStore(AsyncInstallationStore):
    """Bot installations per workspace (bolt's ``AsyncInstallationStore``)."""

    def __init__(self, db: Database, client_id: str, clock: Clock) -> None:
        self._db, self.client_id, self._clock = db, client_id, clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self._upsert(
            installation.enterprise_id,
            installation.team_id,
            installation.is_enterprise_install,
            installation.bot_token,
            installation.bot_user_id,
            _plain(installation.to_dict_for_copying()),
        )

    async def async_save_bot(self, bot: Bot) -> None:
        await self._upsert(
            bot.enterprise_id,
            bot.team_id,
            bot.is_enterprise_install,
            bot.bot_token,
            bot.bot_user_id,
            _plain(bot.to_dict_for_copying()),
        )

    async def _upsert(self, enterprise_id, team_id, enterprise_install, token, bot_user, data):
        enterprise, team = _key(enterprise_id, team_id, enterprise_install)
        for attempt in range(2):  # a concurrent first install of the same team wins once
            try:
                async with self._db.write() as session:
                    row = await self._row(session, enterprise, team)
                    if row is None:
                        row = SlackInstallation(
                            client_id=self.client_id, enterprise_id=enterprise, team_id=team
                        )
                        session.add(row)
                    row.bot_token, row.bot_user_id = token, bot_user
                    row.installed_at, row.data = self._clock(), data
                return
            except IntegrityError:
                if attempt:
                    raise

    async def _row(self, session, enterprise: str, team: str) -> SlackInstallation | None:
        return await session.scalar(
            select(SlackInstallation).where(
                SlackInstallation.client_id == self.client_id,
                SlackInstallation.enterprise_id == enterprise,
                SlackInstallation.team_id == team,
            )
        )

    async def _find(self, enterprise_id, team_id, enterprise_install) -> SlackInstallation | None:
        enterprise, team = _key(enterprise_id, team_id, enterprise_install)
        async with self._db.read() as session:
            return await self._row(session, enterprise, team)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        row = await self._find(enterprise_id, team_id, is_enterprise_install)
        if row is None:
            return None
        data = dict(row.data)
        if user_id is not None and data.get("user_id") != user_id:
            return None  # no per-user installations: only the installer's record exists
        return Installation(**data, bot_token=row.bot_token)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        row = await self._find(enterprise_id, team_id, is_enterprise_install)
        if row is None or not row.bot_token:
            return None
        data = {k: v for k, v in row.data.items() if k in _BOT_FIELDS}
        required = {
            "bot_id": "",
            "bot_user_id": row.bot_user_id or "",
            "installed_at": row.installed_at.timestamp(),
        }
        return Bot(**{**required, **data}, bot_token=row.bot_token)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._delete(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self._delete(enterprise_id, team_id)

    async def _delete(self, enterprise_id: str | None, team_id: str | None) -> None:
        async with self._db.write() as session:
            await session.execute(
                delete(SlackInstallation).where(
                    SlackInstallation.client_id == self.client_id,
                    SlackInstallation.enterprise_id == (enterprise_id or ""),
                    SlackInstallation.team_id == (team_id or ""),
                )
            )


_BOT_FIELDS = frozenset(
    {
        "app_id",
        "enterprise_id",
        "enterprise_name",
        "team_id",
        "team_name",
        "bot_id",
        "bot_user_id",
        "bot_scopes",
        "bot_refresh_token",
        "bot_token_expires_at",
        "is_enterprise_install",
        "installed_at",
        "custom_values",
    }
)


class StateStore(AsyncOAuthStateStore):
    """One-time OAuth states: issued at /slack/install, spent at /slack/oauth_redirect."""

    def __init__(self, db: Database, clock: Clock, lifetime: timedelta) -> None:
        self._db, self._clock, self._lifetime = db, clock, lifetime

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self._clock()
        async with self._db.write() as session:
            await session.execute(delete(SlackOAuthState).where(SlackOAuthState.expires_at <= now))
            session.add(SlackOAuthState(state=state, expires_at=now + self._lifetime))
        return state

    async def async_consume(self, state: str) -> bool:
        """Spend ``state``: True once, if it was issued here and has not expired."""
        if not state or len(state) > 64:
            return False
        async with self._db.write() as session:
            result = await session.execute(
                delete(SlackOAuthState).where(
                    SlackOAuthState.state == state, SlackOAuthState.expires_at > self._clock()
                )
            )
        return bool(result.rowcount)
