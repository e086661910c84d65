"""Chat subscriptions to pushes: which chat hears what, for which account.

A subscription belongs to one conversation (Slack channel, Telegram chat or group) and
one account. A chat the platform refuses for good is marked failed, not deleted, so
that ``/alerts`` can show the admins why nothing arrives there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import N_, Invalid
from core.models import Subscription

KINDS = ("coverage", "messages", "urgent", "shifts")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    id: int
    account_id: int
    platform: str
    conversation_id: str
    kind: str
    digest_at: str | None
    locale: str
    failed_at: datetime | None
    failure: str | None

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionInfo:
        return cls(
            s.id,
            s.account_id,
            s.platform,
            s.conversation_id,
            s.kind,
            s.digest_at,
            s.locale,
            s.failed_at,
            s.failure,
        )


def digest_time(text: str) -> str:
    """``7:00``, ``07:00`` or ``7h00`` -> ``"07:00"``; ``Invalid`` otherwise."""
    m = _HHMM.match(text.strip().lower())
    if not m:
        raise Invalid(N_("“{text}” is not a time of day. Use HH:MM, e.g. 07:00."), text=text)
    return f"{int(m.group(1)):02d}:{m.group(2)}"


async def subscribe(
    session: AsyncSession,
    *,
    account_id: int,
    platform: str,
    conversation_id: str,
    kind: str,
    locale: str,
    user_id: int | None,
    now: datetime,
    digest_at: str | None = None,
) -> SubscriptionInfo:
    """Subscribe a chat (again): a failed subscription is given a new chance."""
    if kind not in KINDS:
        raise Invalid(N_("Choose what to receive: {kinds}."), kinds=", ".join(KINDS))
    sub = await session.scalar(
        select(Subscription).where(
            Subscription.account_id == account_id,
            Subscription.platform == platform,
            Subscription.conversation_id == conversation_id,
            Subscription.kind == kind,
        )
    )
    if sub is None:
        sub = Subscription(
            account_id=account_id,
            platform=platform,
            conversation_id=conversation_id,
            kind=kind,
            created_at=now,
        )
        session.add(sub)
    sub.locale, sub.created_by, sub.digest_at = locale, user_id, digest_at
    sub.failed_at = sub.failure = None
    await session.flush()
    return SubscriptionInfo.of(sub)


async def unsubscribe(
    session: AsyncSession,
    *,
    account_id: int,
    platform: str,
    conversation_id: str,
    kind: str | None,
) -> int:
    """Remove this chat's subscriptions of ``kind`` (all kinds when None); how many."""
    where = [
        Subscription.account_id == account_id,
        Subscription.platform == platform,
        Subscription.conversation_id == conversation_id,
    ]
    if kind is not None:
        where.append(Subscription.kind == kind)
    result = await session.execute(delete(Subscription).where(*where))
    return result.rowcount or 0


async def chat_subscriptions(
    session: AsyncSession, account_id: int, platform: str, conversation_id: str
) -> list[SubscriptionInfo]:
    rows = await session.scalars(
        select(Subscription)
        .where(
            Subscription.account_id == account_id,
            Subscription.platform == platform,
            Subscription.conversation_id == conversation_id,
        )
        .order_by(Subscription.kind)
    )
    return [SubscriptionInfo.of(s) for s in rows]


async def failed_subscriptions(session: AsyncSession, account_id: int) -> list[SubscriptionInfo]:
    """The account's chats that refuse pushes for good, for the admins to see."""
    rows = await session.scalars(
        select(Subscription).where(
            Subscription.account_id == account_id, Subscription.failed_at.is_not(None)
        )
    )
    return [SubscriptionInfo.of(s) for s in rows]


async def active_subscriptions(
    session: AsyncSession, kind: str, account_ids: list[int] | None = None
) -> list[SubscriptionInfo]:
    where = [Subscription.kind == kind, Subscription.failed_at.is_(None)]
    if account_ids is not None:
        where.append(Subscription.account_id.in_(account_ids))
    rows = await session.scalars(select(Subscription).where(*where).order_by(Subscription.id))
    return [SubscriptionInfo.of(s) for s in rows]
