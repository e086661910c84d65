"""A new message arrived: the one step every source of messages goes through.

The importer (``garde import``, the ingest API) calls :func:`queue_new_messages` with the
rows it has just inserted, in the same transaction. Each chat subscribed to the account's
``messages`` (all) or ``urgent`` (urgent only) gets one push per message, even when it
holds both subscriptions; the dedupe key names the chat and the message, so the same
message posted again, or by eight clients at once, is pushed once. A message taken more
than 24 hours before it arrives (a backfill) is stored without a push.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Account, Subscription
from core.notify import outbox
from core.notify.subscriptions import SubscriptionInfo, active_subscriptions

# A message older than this when it arrives (a backfill, a re-import) is not pushed.
FRESH_MESSAGE = timedelta(hours=24)
FIRST_FIELDS = 6


async def queue_new_messages(
    session: AsyncSession, account_id: int, messages: list[dict], now: datetime
) -> int:
    """Queue a push of each new message to the chats that asked for it; ``messages`` are
    the new rows as the importer wrote them. Returns how many pushes were queued."""
    fresh = [m for m in messages if m["taken_at"] >= now - FRESH_MESSAGE]
    if not fresh:
        return 0
    chats = await _chats(session, account_id)
    if not chats:
        return 0
    account = await session.get(Account, account_id)
    assert account is not None
    several = await _following_several(session, list(chats))
    pushes = [
        outbox.to_subscriber(
            sub,
            kind="message",
            now=now,
            dedupe_key=f"message:{account_id}:{sub.platform}:{sub.conversation_id}:{m['ext_id']}",
            payload=_payload(account, m, name_account=chat in several),
        )
        for chat, (sub, everything) in chats.items()
        for m in fresh
        if everything or m["urgent"]
    ]
    await outbox.enqueue(session, pushes)
    return len(pushes)


def _payload(account: Account, m: dict, *, name_account: bool) -> dict:
    return {
        "account": account.number,
        "account_name": account.name if name_account else None,
        "zone": account.timezone,
        "id": m["ext_id"],
        "subject": m["subject"],
        "urgent": m["urgent"],
        "taken_at": m["taken_at"].isoformat(),
        "fields": m["fields"][:FIRST_FIELDS],
    }


async def _chats(
    session: AsyncSession, account_id: int
) -> dict[tuple[str, str], tuple[SubscriptionInfo, bool]]:
    """Each subscribed chat once: its subscription, and whether it wants every message."""
    chats: dict[tuple[str, str], tuple[SubscriptionInfo, bool]] = {}
    for kind in ("messages", "urgent"):  # "messages" first: it wins for a chat with both
        for sub in await active_subscriptions(session, kind, [account_id]):
            chats.setdefault((sub.platform, sub.conversation_id), (sub, kind == "messages"))
    return chats


async def _following_several(
    session: AsyncSession, chats: list[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which of ``chats`` are subscribed to pushes of more than one account."""
    rows = await session.execute(
        select(Subscription.platform, Subscription.conversation_id, Subscription.account_id)
        .where(Subscription.conversation_id.in_([c for _, c in chats]))
        .distinct()
    )
    accounts: dict[tuple[str, str], set[int]] = {}
    for platform, conversation, account in rows:
        accounts.setdefault((platform, conversation), set()).add(account)
    return {chat for chat, held in accounts.items() if len(held) > 1}
