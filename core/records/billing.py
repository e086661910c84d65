"""Billing: the history of invoices, payments and credits with its running balance, and
the billed calls of one billing cycle (the portal's « Appels facturables »).

The cycle runs from the 20th to the 19th in local days of the account's zone: the cycle
"2025-03" is 2025-02-20 00:00 to 2025-03-19 24:00 local time. Totals are one SQL aggregate
(60,000 calls cost one query, not 60,000 rows); calls are read a page at a time or
streamed for the CSV. Only calls of the kept 60 days count, as the portal says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.localtime import DayRange, local_date, zone
from core.models import Account, BillingEntry, Call
from core.retention import KEEP

FIRST_DAY = 20  # a cycle starts on the 20th and ends on the 19th of the next month


# --------------------------------------------------------------------------- cycles


def cycle_ending(year: int, month: int) -> DayRange:
    """The cycle that ends on the 19th of ``month`` (``2025-03``: Feb 20 to Mar 19)."""
    last = date(year, month, FIRST_DAY - 1)
    first = (last.replace(day=1) - timedelta(days=1)).replace(day=FIRST_DAY)
    return DayRange(first, last)


def cycle_of(day: date) -> DayRange:
    """The cycle holding the local date ``day``."""
    if day.day >= FIRST_DAY:
        nxt = day.replace(day=28) + timedelta(days=4)  # some day of the next month
        return cycle_ending(nxt.year, nxt.month)
    return cycle_ending(day.year, day.month)


def previous_cycle(cycle: DayRange) -> DayRange:
    """The cycle just before ``cycle``."""
    return cycle_of(cycle.first - timedelta(days=1))


# --------------------------------------------------------------------------- history


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the billing history, with the balance after it."""

    day: date
    kind: str  # invoice, payment, credit
    reference: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Billing:
    """What the billing history shows: whose it is, in which currency, and the lines."""

    number: str
    billing_number: str | None
    currency: str
    receivable_contact: str | None
    timezone: str
    entries: list[Entry]  # newest first

    @property
    def balance(self) -> Decimal:
        return self.entries[0].balance if self.entries else Decimal("0.00")


async def account_billing(session: AsyncSession, account_id: int) -> Billing:
    """The account's billing header and its history, newest first, with running balances."""
    account = await session.get_one(Account, account_id)
    rows = await session.execute(
        select(BillingEntry.date, BillingEntry.kind, BillingEntry.reference, BillingEntry.amount)
        .where(BillingEntry.account_id == account_id)
        .order_by(BillingEntry.date, BillingEntry.id)
    )
    entries, balance = [], Decimal("0.00")
    for day, kind, reference, amount in rows:
        balance += amount
        entries.append(Entry(day, kind, reference, amount, balance))
    entries.reverse()
    return Billing(
        account.number,
        account.billing_number,
        account.currency or "CAD",
        account.receivable_contact,
        account.timezone,
        entries,
    )


# --------------------------------------------------------------------------- billed calls


@dataclass(frozen=True, slots=True)
class Window:
    """The UTC instants of a cycle's billed calls that are still kept."""

    start: datetime  # the cycle's start, or the oldest instant kept if later
    end: datetime
    clipped: bool  # True: the cycle began before the kept 60 days


def window(cycle: DayRange, timezone: str, now: datetime) -> Window:
    """The cycle's local days as UTC bounds, the start no older than the kept 60 days."""
    start, end = cycle.bounds(zone(timezone))
    kept = now - KEEP
    return Window(max(start, kept), end, start < kept)


@dataclass(frozen=True, slots=True)
class Totals:
    count: int
    units: int
    charge: Decimal


@dataclass(frozen=True, slots=True)
class BilledCall:
    ext_id: str
    start: datetime
    duration_s: int
    direction: str
    caller_id: str | None
    units: int
    charge: Decimal


def _billed(account_id: int, win: Window) -> Select:
    return select(Call).where(
        Call.account_id == account_id,
        Call.start_at >= win.start,
        Call.start_at < win.end,
        Call.billed.is_(True),
    )


async def billable_totals(session: AsyncSession, account_id: int, win: Window) -> Totals:
    """Count, units and total charge of the billed calls in ``win``: one aggregate."""
    inner = _billed(account_id, win).subquery()
    count, units, charge = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(inner.c.billable_units), 0),
                func.coalesce(func.sum(inner.c.charge), 0),
            )
        )
    ).one()
    return Totals(int(count), int(units), Decimal(charge).quantize(Decimal("0.01")))


_COLUMNS = (
    Call.ext_id,
    Call.start_at,
    Call.duration_s,
    Call.direction,
    Call.caller_id,
    Call.billable_units,
    Call.charge,
)


def _calls_query(account_id: int, win: Window) -> Select:
    return (
        _billed(account_id, win).with_only_columns(*_COLUMNS).order_by(Call.start_at, Call.ext_id)
    )


def _row(values: tuple) -> BilledCall:
    ext_id, start, duration, direction, caller, units, charge = values
    return BilledCall(ext_id, start, duration, direction, caller, units, charge or Decimal(0))


async def billable_page(
    session: AsyncSession, account_id: int, win: Window, offset: int, limit: int
) -> list[BilledCall]:
    """One page of the billed calls in ``win``, oldest first."""
    rows = await session.execute(_calls_query(account_id, win).offset(offset).limit(limit))
    return [_row(tuple(r)) for r in rows]


async def billable_stream(
    session: AsyncSession, account_id: int, win: Window
) -> AsyncIterator[BilledCall]:
    """Every billed call in ``win``, oldest first, read as a stream (for the CSV)."""
    result = await session.stream(_calls_query(account_id, win).execution_options(yield_per=1000))
    async for values in result:
        yield _row(tuple(values))


async def currency_of(session: AsyncSession, account_id: int) -> str:
    """The ISO 4217 code of the account's amounts."""
    return await session.scalar(select(Account.currency).where(Account.id == account_id)) or "CAD"


def today_in(timezone: str, now: datetime) -> date:
    """The local date of ``now`` in an account's zone."""
    return local_date(now, zone(timezone))
