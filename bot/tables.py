"""Every table of the bot side (adapter state, pending forms), so that one import gives
Alembic and the schema test the whole metadata; and their purge, run by the scheduler
beside the domain's retention (``core.retention``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.slack.tables import SlackInstallation, SlackOAuthState
from bot.adapters.telegram.tables import CallbackToken
from bot.pending import PendingForm

KEEP_TOKENS = timedelta(days=30)
KEEP_PENDING = timedelta(hours=1)


async def purge(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Delete old button tokens and stale pending forms; how many of each."""
    steps = {
        "callback_tokens": delete(CallbackToken).where(
            CallbackToken.created_at < now - KEEP_TOKENS
        ),
        "prompts": delete(PendingForm).where(PendingForm.created_at < now - KEEP_PENDING),
    }
    return {name: (await session.execute(s)).rowcount or 0 for name, s in steps.items()}


__all__ = ["CallbackToken", "PendingForm", "SlackInstallation", "SlackOAuthState", "purge"]
