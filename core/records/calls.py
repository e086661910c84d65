"""The call log: one page of answered calls, newest first, read in one query.

A page costs the same on an account of 100 calls a day as on one of 2,000: the query
walks the ``(account_id, start_at)`` index backwards from the end of the range and stops
after one row more than the page (that row only says whether a next page exists), so
nothing counts the whole range. A caller search compares ``caller_digits``, the caller
id reduced to its digits when the call was stored, through its own index: ``514-915-0123``
and ``+1 514 915 0123`` find the same calls on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Queryable
from core.models import Call

_NOT_DIGITS = re.compile(r"\D")


def caller_digits(caller_id: str | None) -> str | None:
    """The digits of a phone number as stored and searched: ``+1 (514) 915-0123`` ->
    ``5149150123``. A North American number written with its country code 1 (11 digits)
    loses it, so that both ways of writing it meet; None when there is no digit."""
    digits = _NOT_DIGITS.sub("", caller_id or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits[:32] or None


@dataclass(frozen=True, slots=True)
class CallRow:
    """One line of the call log (``ext_id`` is the answering service's call id)."""

    ext_id: str
    start_at: datetime
    duration_s: int
    agent: str | None
    caller_id: str | None
    has_recording: bool


@dataclass(frozen=True, slots=True)
class CallPage:
    rows: list[CallRow]
    more: bool  # a next page exists


async def call_page(
    session: Queryable,
    account_id: int,
    span: tuple[datetime, datetime],
    *,
    offset: int,
    size: int,
    caller: str | None = None,
) -> CallPage:
    """Answered calls of ``account_id`` starting in ``span`` (UTC, half-open), newest
    first, ``size`` of them from ``offset``; ``caller`` is already ``caller_digits``."""
    stmt = (
        select(
            Call.ext_id,
            Call.start_at,
            Call.duration_s,
            Call.agent,
            Call.caller_id,
            Call.recording.is_not(None),
        )
        .where(
            Call.account_id == account_id,
            Call.start_at >= span[0],
            Call.start_at < span[1],
            Call.answered.is_(True),
        )
        .order_by(Call.start_at.desc(), Call.id.desc())
        .offset(offset)
        .limit(size + 1)
    )
    if caller is not None:
        stmt = stmt.where(Call.caller_digits == caller)
    found = [CallRow(*row) for row in await session.execute(stmt)]
    return CallPage(found[:size], len(found) > size)


@dataclass(frozen=True, slots=True)
class CallRecording:
    """A call as ``/recording`` needs it: when, who, and the stored file's name (or None)."""

    ext_id: str
    start_at: datetime
    duration_s: int
    caller_id: str | None
    agent: str | None
    recording: str | None


async def find_call(session: AsyncSession, account_id: int, ext_id: str) -> CallRecording | None:
    """The call ``ext_id`` of ``account_id``; None for an unknown one and for another
    account's (the two are not told apart)."""
    row = (
        await session.execute(
            select(
                Call.ext_id,
                Call.start_at,
                Call.duration_s,
                Call.caller_id,
                Call.agent,
                Call.recording,
            ).where(Call.account_id == account_id, Call.ext_id == ext_id)
        )
    ).first()
    return CallRecording(*row) if row else None
