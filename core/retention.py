"""Retention: messages, calls and recordings are kept 60 days (as in the portal); spent
link codes and delivered or withdrawn pushes are cleared too. (The adapters' own rows,
button tokens and pending forms, are purged by ``bot.tables``.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Call, LinkCode, Message, OutboxItem
from core.records import daystats
from core.records.recordings import RecordingStore

KEEP = timedelta(days=60)
KEEP_SENT = timedelta(days=7)


@dataclass
class Purged:
    counts: dict[str, int] = field(default_factory=dict)
    recordings: list[str] = field(default_factory=list)  # store names to remove after commit


async def purge(session: AsyncSession, now: datetime) -> Purged:
    """Delete what is past its keeping time; the caller removes ``recordings`` files."""
    out = Purged()
    old = now - KEEP
    gone = set(
        await session.scalars(
            select(Call.recording).where(Call.start_at < old, Call.recording.is_not(None))
        )
    )
    steps = {
        "messages": delete(Message).where(Message.taken_at < old),
        "calls": delete(Call).where(Call.start_at < old),
        "link_codes": delete(LinkCode).where(LinkCode.expires_at < now),
        "pushes": delete(OutboxItem).where(
            or_(
                and_(OutboxItem.status == "sent", OutboxItem.sent_at < now - KEEP_SENT),
                and_(OutboxItem.status == "withdrawn", OutboxItem.due_at < now - KEEP_SENT),
            )
        ),
    }
    for name, stmt in steps.items():
        out.counts[name] = (await session.execute(stmt)).rowcount or 0
    if out.counts["calls"]:
        # the calls cut were of local days up to the UTC day after (zones reach UTC+14)
        await daystats.recount(
            session, None, last=(old.astimezone(UTC) + timedelta(days=1)).date().toordinal()
        )
    # The store keeps one file per content: a file another (newer) call uses stays.
    names = sorted(gone)
    kept: set[str] = set()
    for i in range(0, len(names), 5000):  # parameter lists are bounded
        chunk = names[i : i + 5000]
        kept.update(await session.scalars(select(Call.recording).where(Call.recording.in_(chunk))))
    out.recordings = [n for n in names if n not in kept]
    return out


def remove_recordings(root: Path, names: list[str]) -> int:
    """Delete purged recordings and their cached transcodes; how many were there."""
    return RecordingStore(root).remove(names)
