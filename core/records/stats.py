"""The portal's statistics report (``stats.md``): 16 rows computed in the database.

One query, the same statement on SQLite and PostgreSQL. Each call stores its class
code and its local day and wall-clock start in the account's zone (:mod:`core.callcode`),
so a filter is a range of day numbers plus integer conditions
(:mod:`core.records.statwindows`). A report of whole days reads the counts and sums kept
per (local day, code) beside the calls (:mod:`core.records.daystats`): a few thousand
rows, however many calls. With a time-of-day window it reads the calls from one index
that covers every column it needs, led by (account, local day, code), counting and
summing per (local day, code) in the index's own order: no row of the table is visited
and the database never sorts (SQLite has no hash aggregate). Python then adds the
(day, code) rows, never calls: each code says which figures its calls count in. The
per-day figures feed the chart; their sums give the 16 rows. Rounding is half up, on exact integers:
percentages to one decimal, averages to whole seconds or one decimal as the portal
prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import callcode
from core.models import Call, CallDayStat
from core.records.statwindows import StatsFilter, local_bounds

__all__ = ["DayFigures", "StatRow", "StatsFilter", "StatsReport", "compute", "stats_report"]


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The sums of one local day (or of the whole range): every figure the rows need."""

    total: int = 0  # T: inbound, over 6 s
    automated: int = 0  # A
    abandoned: int = 0  # S: agent calls never assigned
    unanswered: int = 0  # U: assigned, not answered
    answered: int = 0  # R
    work_s: int = 0  # work of the R answered inbound calls and of every outbound call
    on_hold: int = 0  # H
    hold_total_s: int = 0  # over H
    wait_s: int = 0  # over R
    within_30: int = 0  # W
    transfers: int = 0  # X
    transfer_s: int = 0  # over X
    busy: int = 0  # B: inbound with a busy signal, any duration

    def __add__(self, other: DayFigures) -> DayFigures:
        return DayFigures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True, slots=True)
class StatRow:
    """One row of the report. ``value`` is a count (int), an average (Decimal, already
    rounded) or None (an average over nothing). ``share`` is the percentage (Decimal, one
    decimal) when the row has one; None there means its denominator is 0."""

    key: str
    value: int | Decimal | None
    has_share: bool = False
    share: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StatsReport:
    filter: StatsFilter
    rows: list[StatRow]
    days: list[tuple[date, DayFigures]]  # every local day of the range, in order
    totals: DayFigures


# (code bit, figure) pairs: the figure counts the calls whose code has that bit
_COUNTS = (
    (callcode.TOTAL, "total"),
    (callcode.AUTOMATED, "automated"),
    (callcode.ABANDONED, "abandoned"),
    (callcode.UNANSWERED, "unanswered"),
    (callcode.ANSWERED, "answered"),
    (callcode.ON_HOLD, "on_hold"),
    (callcode.WITHIN_30, "within_30"),
    (callcode.TRANSFER, "transfers"),
    (callcode.BUSY, "busy"),
)
# (code bit, figure, column): the figure sums the column over the calls with that bit
_SUMS = (
    (callcode.WORK, "work_s", Call.work_s),
    (callcode.ON_HOLD, "hold_total_s", Call.hold_total_s),
    (callcode.ANSWERED, "wait_s", Call.wait_s),
    (callcode.TRANSFER, "transfer_s", Call.transfer_s),
)


_FIGURES = [f.name for f in fields(DayFigures)]


@cache
def _weights(code: int) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Where the calls of ``code`` go: the figures (by index) they count in, and the
    (figure, _SUMS column) pairs their sums add to. A few dozen codes exist."""
    counted = tuple(_FIGURES.index(name) for bit, name in _COUNTS if code & bit)
    summed = tuple(
        (_FIGURES.index(name), n) for n, (bit, name, _) in enumerate(_SUMS) if code & bit
    )
    return counted, summed


def _figures(groups: list[tuple[int, int, list[int]]]) -> DayFigures:
    """One day's figures from its rows per code: (code, calls, [sum per _SUMS column])."""
    out = [0] * len(_FIGURES)
    for code, calls, sums in groups:
        counted, summed = _weights(code)
        for i in counted:
            out[i] += calls
        for i, n in summed:
            out[i] += sums[n]
    return DayFigures(*out)


@cache
def _query(residues: int, after: bool, before: bool) -> Select:
    """The statement for a filter's shape: ``residues`` weekdays kept (0 = all), a start
    of the time window or not, an end or not; bounds as parameters (``account``,
    ``first``, ``last``, ``r{n}``, ``after``, ``before``): built and compiled once each.
    Whole days read the per-day counts (:mod:`core.records.daystats`); a time window, the
    calls themselves."""
    if not (after or before):
        kept = _days(CallDayStat, residues)
        return select(
            CallDayStat.local_day,
            CallDayStat.stat_code,
            CallDayStat.calls,
            *(getattr(CallDayStat, c.key) for _, _, c in _SUMS),
        ).where(*kept)
    kept = _days(Call, residues)
    if after:
        kept.append(Call.local_s >= bindparam("after", type_=Integer))
    if before:
        kept.append(Call.local_s < bindparam("before", type_=Integer))
    return (
        select(Call.local_day, Call.stat_code, func.count(), *(func.sum(c) for _, _, c in _SUMS))
        .where(*kept)
        .group_by(Call.local_day, Call.stat_code)
    )


def _days(model: type[Call] | type[CallDayStat], residues: int) -> list[ColumnElement[bool]]:
    """The account, its range of local days and (``residues`` > 0) the weekdays kept."""
    kept = [
        model.account_id == bindparam("account", type_=Integer),
        model.local_day.between(
            bindparam("first", type_=Integer), bindparam("last", type_=Integer)
        ),
    ]
    if residues:
        kept.append((model.local_day % 7).in_([bindparam(f"r{n}") for n in range(residues)]))
    return kept


async def stats_report(session: AsyncSession, account_id: int, flt: StatsFilter) -> StatsReport:
    """The report of one account over ``flt`` (local days of the account's zone, in which
    its calls' local starts are stored), from one aggregate query."""
    b = local_bounds(flt)
    groups: dict[int, list[tuple[int, int, list[int]]]] = {}
    if b.residues != ():
        params: dict[str, object] = {"account": account_id, "first": b.first, "last": b.last}
        params.update({f"r{n}": r for n, r in enumerate(b.residues or ())})
        params.update(after=b.after_s, before=b.before_s)
        stmt = _query(len(b.residues or ()), b.after_s is not None, b.before_s is not None)
        # through the connection: plain rows, none of the ORM's per-row loading
        found = await (await session.connection()).execute(stmt, params)
        for day, code, calls, *sums in found:
            groups.setdefault(day - b.first, []).append((code, calls, [int(s) for s in sums]))
    dates = [flt.days.first + timedelta(days=n) for n in range(flt.days.days)]
    days = [(d, _figures(groups.get(n, []))) for n, d in enumerate(dates)]
    totals = sum((f for _, f in days), DayFigures())
    return StatsReport(flt, compute(totals), days, totals)


def _rounded(num: int, den: int, places: int) -> Decimal:
    """``num / den`` rounded half up to ``places`` decimals, exactly (non-negative)."""
    scale = 10**places
    q = (2 * num * scale + den) // (2 * den)
    return Decimal(q).scaleb(-places)


def _share(num: int, den: int) -> Decimal | None:
    return _rounded(100 * num, den, 1) if den else None


def _mean(num: int, den: int, places: int) -> Decimal | None:
    return _rounded(num, den, places) if den else None


def compute(f: DayFigures) -> list[StatRow]:
    """The 16 rows from the sums, as ``stats.md`` defines them."""
    t, a = f.total, f.automated
    g = t - a
    n = g - f.abandoned
    r = f.answered
    return [
        StatRow("total", t, True, _share(t, t)),
        StatRow("automated", a, True, _share(a, t)),
        StatRow("agent", g, True, _share(g, t)),
        StatRow("abandoned", f.abandoned, True, _share(f.abandoned, g)),
        StatRow("assigned", n, True, _share(n, t)),
        StatRow("unanswered", f.unanswered, True, _share(f.unanswered, n)),
        StatRow("answered", r, True, _share(r, t)),
        StatRow("answered_assigned", r, True, _share(r, n)),
        StatRow("work", _mean(f.work_s, r, 0)),
        StatRow("on_hold", f.on_hold, True, _share(f.on_hold, t)),
        StatRow("hold_time", _mean(f.hold_total_s, f.on_hold, 0)),
        StatRow("wait", _mean(f.wait_s, r, 1)),
        StatRow("within_30", f.within_30, True, _share(f.within_30, r)),
        StatRow("transfers", f.transfers),
        StatRow("transfer_time", _mean(f.transfer_s, 60 * f.transfers, 1)),
        StatRow("busy", f.busy),
    ]
