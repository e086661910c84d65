"""The calls' statistics kept per local day: what a report of whole days reads.

A report over whole local days (any weekdays, no time-of-day window) needs, per day and
class code, a count and four sums. Reading them from the calls costs a pass over every
call of the range, and SQLite aggregates that pass at about five times the cost of
merely counting the calls; the issue asks three. So the same figures are kept per
(account, local day, code) in ``call_day_stats``, recounted from the calls by the
database itself, for the days a change touched: the importer (the days of the calls it
writes, before and after; every day when the account's zone changes) and retention
(the days it cuts into). A report with a time-of-day window still reads the calls.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Account, Call, CallDayStat

SUMMED = ("work_s", "hold_total_s", "wait_s", "transfer_s")


async def recount(
    session: AsyncSession,
    account_id: int | None,
    first: int | None = None,
    last: int | None = None,
) -> None:
    """Count again the days ``first`` to ``last`` (day numbers; None: unbounded) of one
    account's calls (None: every account's), from the calls as they now are. Two
    imports of one account recount one at a time (its row is locked on PostgreSQL; SQLite
    has one writer), so neither keeps a count the other's calls made stale."""
    if account_id is not None:
        await session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    await session.execute(delete(CallDayStat).where(*_within(CallDayStat, account_id, first, last)))
    key = (Call.account_id, Call.local_day, Call.stat_code)
    counted = (
        select(*key, func.count(), *(func.sum(getattr(Call, c)) for c in SUMMED))
        .where(*_within(Call, account_id, first, last))
        .group_by(*key)
    )
    columns = ["account_id", "local_day", "stat_code", "calls", *SUMMED]
    await session.execute(insert(CallDayStat).from_select(columns, counted))


def _within(
    model: type[Call] | type[CallDayStat],
    account_id: int | None,
    first: int | None,
    last: int | None,
) -> list[ColumnElement[bool]]:
    out = []
    if account_id is not None:
        out.append(model.account_id == account_id)
    if first is not None:
        out.append(model.local_day >= first)
    if last is not None:
        out.append(model.local_day <= last)
    return out
