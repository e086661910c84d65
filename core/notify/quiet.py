"""Why a coverage scan queued nothing, for the operator who ran ``garde alerts scan``.

A scan that queues nothing is either working as meant (every gap of the coming days
was announced already) or has nobody to tell (no chat subscribed): an operator
cannot tell the two apart from a bare zero, so the command says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import CoverageNotice
from core.notify.subscriptions import active_subscriptions
from core.oncall.timeline import DayStatus

GAPS = (DayStatus.PARTIAL.value, DayStatus.NONE.value)


@dataclass(frozen=True, slots=True)
class Quiet:
    """The chats subscribed to coverage, and the gaps of the coming days already told."""

    subscribed: int
    announced: int  # (chat, schedule, day) gaps still open and already announced
    last_at: datetime | None  # when the latest of them was announced


async def why_quiet(session: AsyncSession, now: datetime) -> Quiet:
    subs = await active_subscriptions(session, "coverage")
    if not subs:
        return Quiet(0, 0, None)
    # A day east of UTC starts before UTC's: one day back keeps every local today.
    since = (now - timedelta(days=1)).date()
    count, last = (
        await session.execute(
            select(func.count(), func.max(CoverageNotice.at)).where(
                CoverageNotice.subscription_id.in_([s.id for s in subs]),
                CoverageNotice.status.in_(GAPS),
                CoverageNotice.day >= since,
            )
        )
    ).one()
    return Quiet(len(subs), count, last)
