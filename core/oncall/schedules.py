"""Reading schedules, contacts and shifts: the engine's data access and value types.

``load_timelines`` turns the shifts and overrides of a time window into per-rank
timelines of :class:`~core.timeline.Segment`; every on-call question is answered
from those, with three queries whatever the history's length.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Text, and_, bindparam, select, true, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.db import Queryable, dialect_of
from core.errors import N_, NotFound
from core.localtime import zone
from core.models import Account, Contact, Override, Schedule, Shift
from core.oncall.timeline import OverrideSpan, Segment, shift_segments
from core.text import fold


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """A directory entry as shown to users."""

    id: int
    key: str
    name: str
    phones: tuple[str, ...]
    sms: str | None
    email: str | None
    slack_user_id: str | None
    telegram_username: str | None

    @classmethod
    def of(cls, c: Contact) -> ContactInfo:
        return cls(
            c.id,
            c.key,
            c.name,
            tuple(c.phones or ()),
            c.sms,
            c.email,
            c.slack_user_id,
            c.telegram_username,
        )


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """A schedule and its zone."""

    id: int
    account_id: int
    name: str
    timezone: str

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    @classmethod
    def of(cls, s: Schedule) -> ScheduleInfo:
        return cls(s.id, s.account_id, s.name, s.timezone)


@dataclass
class Timelines:
    """Shifts, overrides and segments of some schedules over a window."""

    shifts: dict[int, ShiftRow] = field(default_factory=dict)
    overrides: dict[int, list[OverrideRow]] = field(default_factory=lambda: defaultdict(list))
    contacts: dict[int, ContactInfo] = field(default_factory=dict)
    # schedule id -> rank -> segments sorted by start
    by_rank: dict[int, dict[int, list[Segment]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def ranks(self, schedule_id: int) -> dict[int, list[Segment]]:
        return self.by_rank.get(schedule_id, {})

    def contact(self, contact_id: int | None) -> ContactInfo | None:
        return None if contact_id is None else self.contacts.get(contact_id)


async def list_schedules(session: Queryable, account_id: int) -> list[ScheduleInfo]:
    """The account's schedules in name order (their columns, not ORM objects: every
    /oncall question reads them, and loading entities cost more than the query)."""
    rows = await session.execute(_schedules_query(), {"account_id": account_id})
    return [ScheduleInfo(*row) for row in rows]


@lru_cache(maxsize=1)
def _schedules_query() -> Select:
    return (
        select(Schedule.id, Schedule.account_id, Schedule.name, Schedule.timezone)
        .where(Schedule.account_id == bindparam("account_id"))
        .order_by(Schedule.name)
    )


def typed(name: str) -> str:
    """A schedule's name as a person types it: quoted when it has a blank."""
    return f'"{name}"' if " " in name else name


def schedule_names(schedules: Sequence[ScheduleInfo]) -> str:
    return ", ".join(typed(s.name) for s in schedules)


def match_schedule(schedules: Sequence[ScheduleInfo], token: str) -> ScheduleInfo | None:
    """The schedule ``token`` names, None if none does: its full name, else the start of
    its name, else the start of one of its words (``soirs`` for « 02 Soirs »); case and
    accents ignored (:func:`core.text.fold`). A token that names several schedules at
    the first tier that finds any is refused with their names. Every command reads a
    schedule's name with this function."""
    wanted = fold(token)
    if not wanted:
        return None
    tiers = (
        lambda name: name == wanted,
        lambda name: name.startswith(wanted),
        lambda name: any(word.startswith(wanted) for word in name.split()),
    )
    for matches in tiers:
        found = [s for s in schedules if matches(fold(s.name))]
        if len(found) > 1:
            raise NotFound(
                N_("“{name}” matches several schedules: {names}."),
                name=token,
                names=schedule_names(found),
            )
        if found:
            return found[0]
    return None


async def find_schedule(session: AsyncSession, account_id: int, name: str) -> ScheduleInfo:
    """The account's schedule ``name`` names (:func:`match_schedule`), or NotFound."""
    schedules = await list_schedules(session, account_id)
    found = match_schedule(schedules, name)
    if found is None:
        raise NotFound(
            N_("There is no schedule “{name}”. Schedules: {names}."),
            name=name,
            names=schedule_names(schedules),
        )
    return found


async def schedules_with_shifts(
    session: AsyncSession, account_id: int, start: datetime, end: datetime
) -> list[int]:
    """Ids of the account's schedules that have a shift over ``start``..``end``."""
    rows = await session.scalars(
        select(Schedule.id)
        .join(Shift, Shift.schedule_id == Schedule.id)
        .where(Schedule.account_id == account_id, Shift.end_at > start, Shift.start_at < end)
        .distinct()
    )
    return list(rows)


async def refs_starting(session: AsyncSession, schedule_id: int, at: datetime) -> list[int]:
    """Refs of the schedule's shifts that start at ``at``."""
    rows = await session.scalars(
        select(Shift.ref).where(Shift.schedule_id == schedule_id, Shift.start_at == at)
    )
    return list(rows)


async def account_contacts(session: Queryable, account_id: int) -> list[ContactInfo]:
    """The account's directory in name order (columns, not ORM objects: cheaper)."""
    columns = [_contact_column(Contact, c) for c in _CONTACT_COLUMNS]
    rows = await session.execute(
        select(*columns).where(Contact.account_id == account_id).order_by(Contact.name)
    )
    contacts: dict[int, ContactInfo] = {}
    for row in rows:
        _add_contact(contacts, tuple(row))
    return list(contacts.values())


@dataclass(frozen=True, slots=True)
class ShiftRow:
    """The columns of a shift the engine reads (named as the model's attributes)."""

    id: int
    schedule_id: int
    ref: int
    start_at: datetime
    end_at: datetime
    rank: int
    label: str
    role: str
    contact_id: int | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class OverrideRow:
    id: int
    shift_id: int
    ref: int
    contact_id: int
    start_at: datetime
    end_at: datetime
    comment: str | None
    removed_at: datetime | None


_SCHEDULE_COLUMNS = ("id", "account_id", "name", "timezone")  # ScheduleInfo's
_CONTACT_COLUMNS = (
    "id",
    "key",
    "name",
    "phones",
    "sms",
    "email",
    "slack_user_id",
    "telegram_username",
)


@lru_cache(maxsize=4)
def _window_query(lateral: bool = False, by_account: bool = False) -> Select:
    """Shifts of a window with their overrides and both contacts, in one round trip.

    Built once with bind parameters: who-is-on-call runs it for every question, and
    one query instead of three is most of its speed on SQLite's driver thread.
    ``lateral`` (PostgreSQL) reads each shift's overrides through a LATERAL subquery
    on the ``shift_id`` index: a plain join lets the planner hash the whole overrides
    table, whose size grows with the history, for the dozen shifts of a window.
    ``by_account``: the shifts of every schedule of an account, each row led by its
    schedule's columns (:data:`_SCHEDULE_COLUMNS`), a schedule without a shift in the
    window on a row of its own; the schedules come in name order.
    """
    base, cover = aliased(Contact), aliased(Contact)
    shift_cols = [getattr(Shift, f.name) for f in fields(ShiftRow)]
    override_cols = [getattr(Override, f.name).label(f"o_{f.name}") for f in fields(OverrideRow)]
    base_cols = [_contact_column(base, c).label(f"b_{c}") for c in _CONTACT_COLUMNS]
    cover_cols = [_contact_column(cover, c).label(f"c_{c}") for c in _CONTACT_COLUMNS]
    window = (Shift.end_at > bindparam("start"), Shift.start_at < bindparam("end"))
    head = [getattr(Schedule, c) for c in _SCHEDULE_COLUMNS] if by_account else []
    order = [Schedule.name, Schedule.id] if by_account else []
    if lateral:
        each = (
            select(*override_cols, *cover_cols)
            .outerjoin(cover, cover.id == Override.contact_id)
            .where(Override.shift_id == Shift.id)
            .offset(0)  # keeps the planner from flattening it back into a hash join
            .lateral("shift_overrides")
        )
        picked = [each.c[c.name] for c in override_cols], [each.c[c.name] for c in cover_cols]
        query = select(*head, *shift_cols, *picked[0], *base_cols, *picked[1])
        query = _shifts_of(query, by_account, window).outerjoin(each, true())
        # No ORDER BY on the shifts: the planner presorted all shifts for it; the rows are
        # sorted here (the schedules, a handful, are ordered by name).
        return query.outerjoin(base, base.id == Shift.contact_id).order_by(*order)
    query = select(*head, *shift_cols, *override_cols, *base_cols, *cover_cols)
    return (
        _shifts_of(query, by_account, window)
        .outerjoin(Override, Override.shift_id == Shift.id)
        .outerjoin(base, base.id == Shift.contact_id)
        .outerjoin(cover, cover.id == Override.contact_id)
        .order_by(*order, Shift.schedule_id, Shift.rank, Shift.start_at, Override.id)
    )


def _shifts_of(query: Select, by_account: bool, window: tuple) -> Select:
    """``query`` over the window's shifts: of the schedules ``ids``, or of every schedule
    of the account ``account_id`` (an outer join: a schedule without shifts stays)."""
    if not by_account:
        ids = Shift.schedule_id.in_(bindparam("ids", expanding=True))
        return query.select_from(Shift).where(ids, *window)
    return (
        query.select_from(Schedule)
        .outerjoin(Shift, and_(Shift.schedule_id == Schedule.id, *window))
        .where(Schedule.account_id == bindparam("account_id"))
    )


_N_SCHEDULE = len(_SCHEDULE_COLUMNS)
_N_SHIFT = len(fields(ShiftRow))
_N_OVERRIDE = len(fields(OverrideRow))
_N_CONTACT = len(_CONTACT_COLUMNS)


def _contact_column(contact: Any, name: str) -> Any:
    """A contact's column in the window query; the phones as their stored JSON text, so
    that SQLite's are decoded once per contact (:func:`_add_contact`), not once per row
    (asyncpg decodes JSON itself)."""
    column = getattr(contact, name)
    return type_coerce(column, Text) if name == "phones" else column


def _add_contact(contacts: dict[int, ContactInfo], values: tuple) -> None:
    """The contact of these columns, unless absent or already read from another row."""
    if values[0] is None or values[0] in contacts:
        return
    phones = json.loads(values[3]) if isinstance(values[3], str) else values[3]
    contacts[values[0]] = ContactInfo(*values[:3], tuple(phones or ()), *values[4:])


async def load_timelines(
    session: Queryable, schedule_ids: Sequence[int], start: datetime, end: datetime
) -> Timelines:
    """Shifts touching ``[start, end)`` of the given schedules, with overrides and contacts."""
    if not schedule_ids:
        return Timelines()
    lateral = dialect_of(session) == "postgresql"
    rows = await session.execute(
        _window_query(lateral), {"ids": list(schedule_ids), "start": start, "end": end}
    )
    return _timelines(rows, lateral)


async def schedules_and_timelines(
    session: Queryable, account_id: int, start: datetime, end: datetime
) -> tuple[list[ScheduleInfo], Timelines]:
    """The account's schedules in name order and the timelines of every one of them over
    ``[start, end)``, in one query: /oncall who, the commonest question, needs both."""
    lateral = dialect_of(session) == "postgresql"
    params = {"account_id": account_id, "start": start, "end": end}
    rows = (await session.execute(_window_query(lateral, by_account=True), params)).all()
    schedules: dict[int, ScheduleInfo] = {}
    for row in rows:
        if row[0] not in schedules:
            schedules[row[0]] = ScheduleInfo(*row[:_N_SCHEDULE])
    return list(schedules.values()), _timelines(rows, lateral, at=_N_SCHEDULE)


def _timelines(rows: Iterable[Sequence[Any]], lateral: bool, at: int = 0) -> Timelines:
    """The timelines of window rows whose shift columns start at position ``at``.

    Rows are read by position (the query's column order): this loop runs for every
    shift of every schedule a scan looks at, and attribute lookups dominated it.
    """
    out = Timelines()
    o_at, b_at = at + _N_SHIFT, at + _N_SHIFT + _N_OVERRIDE
    c_at = b_at + _N_CONTACT
    if lateral:  # schedule, rank, start, then the shift's overrides by id
        rows = sorted(
            (r for r in rows if r[at] is not None),
            key=lambda r: (r[at + 1], r[at + 5], r[at + 3], r[at], r[o_at] or 0),
        )
    for row in rows:
        shift_id = row[at]
        if shift_id is None:
            continue  # a schedule without a shift in the window
        if shift_id not in out.shifts:
            out.shifts[shift_id] = ShiftRow(*row[at:o_at])
            _add_contact(out.contacts, row[b_at:c_at])
        if row[o_at] is not None:
            out.overrides[shift_id].append(OverrideRow(*row[o_at:b_at]))
            _add_contact(out.contacts, row[c_at:])
    for s in out.shifts.values():
        spans = [
            OverrideSpan(o.id, o.start_at, o.end_at, o.contact_id, o.removed_at is not None)
            for o in out.overrides.get(s.id, ())
        ]
        segs = shift_segments(s.id, s.rank, s.start_at, s.end_at, s.contact_id, spans)
        out.by_rank[s.schedule_id][s.rank].extend(segs)
    return out


async def shift_by_ref(
    session: AsyncSession, account_id: int, ref: int
) -> tuple[Shift, ScheduleInfo]:
    """The account's shift with short ref ``ref`` and its schedule."""
    row = (
        await session.execute(
            select(Shift, Schedule)
            .join(Schedule, Schedule.id == Shift.schedule_id)
            .where(Schedule.account_id == account_id, Shift.ref == ref)
        )
    ).first()
    if row is None:
        raise NotFound(N_("There is no shift #{ref}. /oncall view lists the shifts."), ref=ref)
    return row[0], ScheduleInfo.of(row[1])


async def override_by_ref(
    session: AsyncSession, account_id: int, ref: int
) -> tuple[Override, Shift, ScheduleInfo] | None:
    """The account's override with short ref ``ref``, its shift and schedule, or None."""
    row = (
        await session.execute(
            select(Override, Shift, Schedule)
            .join(Shift, Shift.id == Override.shift_id)
            .join(Schedule, Schedule.id == Shift.schedule_id)
            .where(Schedule.account_id == account_id, Override.ref == ref)
        )
    ).first()
    return None if row is None else (row[0], row[1], ScheduleInfo.of(row[2]))


async def contact_in_account(
    session: AsyncSession, account_id: int, contact_id: int
) -> ContactInfo:
    """A contact of this account (never one of another account)."""
    c = await session.get(Contact, contact_id)
    if c is None or c.account_id != account_id:
        raise NotFound(N_("That contact is not in this account's directory."))
    return ContactInfo.of(c)


async def allocate_refs(session: AsyncSession, account_id: int, count: int) -> int:
    """Reserve ``count`` consecutive short refs of the account; return the first."""
    after = await session.scalar(
        update(Account)
        .where(Account.id == account_id)
        .values(next_ref=Account.next_ref + count)
        .returning(Account.next_ref)
    )
    assert after is not None
    return after - count
