"""The inbox: the messages agents took for an account, read a page at a time, closed and
reopened, and streamed out for an export.

Queries return data (``MessageRow``), never text. A page is one query that also carries
the count of what matches (an uncorrelated sub-select, evaluated once), over the
``(account_id, taken_at)`` index. A message is found by the answering service's id
(``ext_id``) *within the account*: another account's id is not found, like an unknown one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.accounts.audit import Origin
from core.db import Queryable
from core.errors import N_, Invalid, NotFound
from core.models import Message

STATUSES = ("open", "closed")
# The history events Garde itself writes (the answering service's are shown as they are).
CLOSED, REOPENED = "closed", "reopened"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which messages: taken in ``[start, end)``, optionally only one status, only urgent."""

    start: datetime
    end: datetime
    status: str | None = None  # "open", "closed" or None for both
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message as the answering service sent it (``id`` is its id, not Garde's row)."""

    id: str
    taken_at: datetime
    subject: str
    urgent: bool
    status: str
    agent: str | None
    fields: list[list[str]]
    history: list[dict[str, Any]]


_COLUMNS = (
    Message.ext_id,
    Message.taken_at,
    Message.subject,
    Message.urgent,
    Message.status,
    Message.agent,
    Message.fields,
    Message.history,
)


def _row(r: Any) -> MessageRow:
    return MessageRow(
        r.ext_id,
        r.taken_at,
        r.subject,
        r.urgent,
        r.status,
        r.agent,
        r.fields or [],
        r.history or [],
    )


def _where(account_id: int, sel: Selection) -> list[ColumnElement[bool]]:
    where = [
        Message.account_id == account_id,
        Message.taken_at >= sel.start,
        Message.taken_at < sel.end,
    ]
    if sel.status is not None:
        where.append(Message.status == sel.status)
    if sel.urgent:
        where.append(Message.urgent.is_(True))
    return where


async def page(
    session: Queryable, account_id: int, sel: Selection, *, limit: int, offset: int
) -> tuple[int, list[MessageRow]]:
    """How many messages match, and the page of them, newest first."""
    where = _where(account_id, sel)
    total = select(func.count()).select_from(Message).where(*where).scalar_subquery()
    rows = (
        await session.execute(
            select(*_COLUMNS, total.label("total"))
            .where(*where)
            .order_by(Message.taken_at.desc(), Message.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    if rows:
        return rows[0].total, [_row(r) for r in rows]
    # Past the last page (or nothing at all): the count alone, still exact.
    count = await session.scalar(select(func.count()).select_from(Message).where(*where))
    return count or 0, []


async def stream(
    session: AsyncSession, account_id: int, sel: Selection, *, chunk: int = 1000
) -> AsyncIterator[Sequence[Any]]:
    """Every matching message, newest first, as chunks of rows (``ext_id``, ``taken_at``,
    ``subject``, ``urgent``, ``status``, ``agent``, ``fields_json``; no delivery history),
    ``chunk`` rows per await: an export builds no per-row object of its own.

    The fields come as JSON text: the caller decodes each row's as it writes it, so the
    decoded lists die young instead of a whole chunk of them outliving the collector's
    first generations."""
    result = await session.stream(
        select(*_COLUMNS[:-2], cast(Message.fields, Text).label("fields_json"))
        .where(*_where(account_id, sel))
        .order_by(Message.taken_at.desc(), Message.id.desc())
        .execution_options(yield_per=chunk)
    )
    async for rows in result.partitions(chunk):
        yield rows


async def find(session: AsyncSession, account_id: int, ext_id: str) -> MessageRow | None:
    """The account's message with the answering service's id ``ext_id``, or None."""
    r = (
        await session.execute(
            select(*_COLUMNS).where(Message.account_id == account_id, Message.ext_id == ext_id)
        )
    ).first()
    return _row(r) if r else None


def unknown(ext_id: str) -> NotFound:
    """The one answer for an id that is not the account's (unknown, or another's)."""
    return NotFound(
        N_("There is no message {id} in this account. /messages lists them with their ids."),
        id=ext_id,
    )


async def set_status(
    session: AsyncSession,
    account_id: int,
    ext_id: str,
    status: str,
    *,
    origin: Origin,
    by: str,
    at: datetime,
) -> MessageRow:
    """Close or reopen a message: its status, a history entry (who, when, from which chat)
    and an audit entry, in the caller's transaction. Nothing is written when the message
    already has that status (``Invalid`` says so) or is not the account's (``NotFound``)."""
    if status not in STATUSES:
        raise ValueError(status)
    message = await session.scalar(
        select(Message)
        .where(Message.account_id == account_id, Message.ext_id == ext_id)
        .with_for_update()
    )
    if message is None:
        raise unknown(ext_id)
    if message.status == status:
        raise Invalid(
            N_("Message {id} is already closed.")
            if status == "closed"
            else N_("Message {id} is already open."),
            id=ext_id,
        )
    event = CLOSED if status == "closed" else REOPENED
    entry = {"at": at.isoformat(), "event": event, "detail": None, "by": by, "via": origin.via}
    message.status = status
    message.history = [*(message.history or []), entry]  # a new list: JSON change tracked
    audit.record(
        session,
        account_id=account_id,
        origin=origin,
        at=at,
        action=f"message_{event}",
        subject=ext_id,
    )
    await session.flush()
    return _row(message)


# ------------------------------------------------------------------ re-posted messages


def _history_key(entry: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two history lines the same line: the instant (whatever its offset),
    the event and its detail."""
    at = datetime.fromisoformat(entry["at"])
    if at.tzinfo is None:  # never written so; compared as UTC rather than failing
        at = at.replace(tzinfo=UTC)
    return at, entry.get("event"), entry.get("detail")


def _status_set_in_garde(history: list[dict[str, Any]]) -> bool:
    """Whether someone closed or reopened the message in Garde (those lines name a chat)."""
    return any(e.get("event") in (CLOSED, REOPENED) and "via" in e for e in history)


def reposted(status: str, history: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
    """``row``, a message the answering service posts again, merged with what Garde holds
    of it (``status``, ``history``): the service's own fields come from the re-post, but a
    status someone set in Garde stays, and no history line is ever lost. The history is the
    stored lines plus the re-post's new ones, in time order (Garde's close, reopen,
    acknowledgment and escalation lines are not in the service's copy)."""
    stored = history or []
    seen = {_history_key(e) for e in stored}
    added = [e for e in row["history"] if _history_key(e) not in seen]
    merged = dict(row)
    if added:  # a stable sort: lines of one instant keep their order, stored first
        merged["history"] = sorted([*stored, *added], key=lambda e: _history_key(e)[0])
    else:
        merged["history"] = stored
    if _status_set_in_garde(stored):
        merged["status"] = status
    return merged
