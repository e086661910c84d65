"""The account's escalation setting (``/alerts escalation MINUTES|off``), apart from the
climb itself so that the policy module stays about paging."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.errors import N_, Invalid
from core.models import Account, Escalation

MAX_MINUTES = 1440


async def delay(session: AsyncSession, account_id: int) -> int | None:
    """The account's minutes before the next rank is paged (None: urgent messages are not
    paged)."""
    return await session.scalar(
        select(Account.escalate_after_minutes).where(Account.id == account_id)
    )


async def set_delay(
    session: AsyncSession,
    account_id: int,
    minutes: int | None,
    *,
    origin: audit.Origin,
    now: datetime,
) -> int:
    """Set or turn off the account's escalation; turning it off stops the climbs in
    progress (how many were stopped is returned)."""
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise Invalid(
            N_("The delay is a number of minutes from 1 to {max}, or off."), max=MAX_MINUTES
        )
    await session.execute(
        update(Account).where(Account.id == account_id).values(escalate_after_minutes=minutes)
    )
    stopped = 0
    if minutes is None:
        result = await session.execute(
            update(Escalation)
            .where(Escalation.account_id == account_id, Escalation.state == "climbing")
            .values(state="stopped", due_at=None)
        )
        stopped = result.rowcount
    audit.record(
        session,
        account_id=account_id,
        origin=origin,
        at=now,
        action="escalation",
        subject=str(minutes) if minutes else "off",
        stopped=stopped,
    )
    return stopped
