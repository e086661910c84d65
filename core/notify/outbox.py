"""The outbox: pushes written with the change that caused them, delivered from here.

``enqueue`` is an insert that ignores a duplicate ``dedupe_key``: two scans, two
replicas or a retried transaction queue an alert once. Delivery takes the oldest due
item, sends it, then marks it sent: a crash in between repeats at most that one.

A push may edit the message of an earlier one instead of posting a new one (an urgent
page edited to say who took it): it names that push by its dedupe key in ``edits``, and
the earlier push kept the platform's id of its message (``sent_ref``) when it was sent.

A push still queued can be withdrawn (status ``withdrawn``): what it would say no longer
holds (an urgent page whose message someone took meanwhile). It is never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.bulk import upsert
from core.models import OutboxItem, Subscription
from core.notify.subscriptions import SubscriptionInfo

# Temporary failures are retried with exponential backoff, for this long at most.
GIVE_UP_AFTER = timedelta(hours=24)
MAX_BACKOFF = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Push:
    """An outbox item as the delivery worker needs it."""

    id: int
    subscription_id: int | None
    platform: str
    conversation_id: str
    locale: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    edits: str | None = None  # the dedupe key of the push whose message this one edits
    dedupe_key: str = ""

    @classmethod
    def of(cls, o: OutboxItem) -> Push:
        return cls(
            o.id,
            o.subscription_id,
            o.platform,
            o.conversation_id,
            o.locale,
            o.kind,
            o.payload,
            o.attempts,
            o.created_at,
            o.edits,
            o.dedupe_key,
        )


def item(
    *,
    platform: str,
    conversation_id: str,
    locale: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    subscription_id: int | None = None,
    edits: str | None = None,
) -> dict[str, Any]:
    """One outbox row, to queue with :func:`enqueue`; ``edits``: the dedupe key of an
    earlier push whose message this one edits where it can."""
    return {
        "subscription_id": subscription_id,
        "platform": platform,
        "conversation_id": conversation_id,
        "locale": locale,
        "kind": kind,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "due_at": now,
        "edits": edits,
    }


def to_subscriber(
    sub: SubscriptionInfo, *, kind: str, payload: dict[str, Any], dedupe_key: str, now: datetime
) -> dict[str, Any]:
    """An outbox row for a subscribed chat, in that chat's language."""
    return item(
        platform=sub.platform,
        conversation_id=sub.conversation_id,
        locale=sub.locale,
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        now=now,
        subscription_id=sub.id,
    )


async def enqueue(session: AsyncSession, items: list[dict[str, Any]]) -> None:
    """Queue pushes in the caller's transaction; one whose key is queued already is ignored."""
    await upsert(session, OutboxItem, items, keys=("dedupe_key",), update=False)


async def due(
    session: AsyncSession, now: datetime, platforms: list[str], limit: int = 100
) -> list[Push]:
    """The oldest pending pushes whose time has come, for the platforms that are on."""
    rows = await session.scalars(
        select(OutboxItem)
        .where(
            OutboxItem.status == "pending",
            OutboxItem.due_at <= now,
            OutboxItem.platform.in_(platforms),
        )
        .order_by(OutboxItem.due_at, OutboxItem.id)
        .limit(limit)
    )
    return [Push.of(o) for o in rows]


async def mark_sent(
    session: AsyncSession, push_id: int, now: datetime, ref: str | None = None
) -> None:
    """Delivered; ``ref`` is the platform's id of the message posted, for a later edit."""
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == push_id)
        .values(
            status="sent",
            sent_at=now,
            attempts=OutboxItem.attempts + 1,
            last_error=None,
            sent_ref=ref[:128] if ref else None,
        )
    )


@dataclass(frozen=True, slots=True)
class Sent:
    """A delivered push whose message can be edited: what it said, and where it is."""

    kind: str
    payload: dict[str, Any]
    ref: str


async def sent_message(session: AsyncSession, push: Push) -> Sent | None:
    """The message that ``push`` edits, when it was delivered to the same chat and its
    platform id is known (None: post a new message instead)."""
    if not push.edits:
        return None
    row = (
        await session.execute(
            select(OutboxItem.kind, OutboxItem.payload, OutboxItem.sent_ref).where(
                OutboxItem.dedupe_key == push.edits,
                OutboxItem.status == "sent",
                OutboxItem.sent_ref.is_not(None),
                OutboxItem.platform == push.platform,
                OutboxItem.conversation_id == push.conversation_id,
            )
        )
    ).first()
    return None if row is None else Sent(row.kind, row.payload, row.sent_ref)


async def statuses(session: AsyncSession, dedupe_keys: list[str]) -> dict[str, str]:
    """The status of each push queued under one of ``dedupe_keys`` (absent: none was)."""
    rows = await session.execute(
        select(OutboxItem.dedupe_key, OutboxItem.status).where(
            OutboxItem.dedupe_key.in_(dedupe_keys)
        )
    )
    return {key: status for key, status in rows}


async def withdraw(session: AsyncSession, dedupe_key: str) -> tuple[str, dict[str, Any]] | None:
    """Withdraw the push of ``dedupe_key`` if it is still queued: it will never be sent.
    Its kind and payload, or None when it was not queued (sent, failed, withdrawn)."""
    row = (
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.dedupe_key == dedupe_key, OutboxItem.status == "pending")
            .values(status="withdrawn")
            .returning(OutboxItem.kind, OutboxItem.payload)
        )
    ).first()
    return None if row is None else (row.kind, row.payload)


async def retry_later(
    session: AsyncSession,
    push: Push,
    now: datetime,
    *,
    error: str,
    retry_after: float | None = None,
) -> bool:
    """Put a push back with a delay (the platform's, or exponential); False once given up."""
    if now - push.created_at > GIVE_UP_AFTER:
        await mark_failed(session, push, now, error=error, permanent=False)
        return False
    delay = (
        timedelta(seconds=retry_after)
        if retry_after is not None
        else min(MAX_BACKOFF, timedelta(seconds=2 ** min(push.attempts, 10)))
    )
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == push.id)
        .values(due_at=now + delay, attempts=OutboxItem.attempts + 1, last_error=error[:200])
    )
    return True


async def mark_failed(
    session: AsyncSession, push: Push, now: datetime, *, error: str, permanent: bool
) -> None:
    """Stop trying this push; a permanent refusal also marks its subscription failed."""
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == push.id)
        .values(status="failed", attempts=OutboxItem.attempts + 1, last_error=error[:200])
    )
    if permanent:
        # Everything else queued for that chat would fail the same way.
        await session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.platform == push.platform,
                OutboxItem.conversation_id == push.conversation_id,
                OutboxItem.status == "pending",
            )
            .values(status="failed", last_error=error[:200])
        )
        await session.execute(
            update(Subscription)
            .where(
                Subscription.platform == push.platform,
                Subscription.conversation_id == push.conversation_id,
                Subscription.failed_at.is_(None),
            )
            .values(failed_at=now, failure=error[:200])
        )
