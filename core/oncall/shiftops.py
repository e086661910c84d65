"""Changes to a shift's assignee from chat: assign (recurring too), unassign, swap, comment.

Each change writes its history (``assignments``) and an audit entry in the
caller's unit of work. Shifts themselves (times, ranks) are never changed here:
they belong to the answering service (« Ce que vous ne devez pas faire »).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.errors import N_, Invalid
from core.localtime import local_date, shift_weeks
from core.models import Assignment, Shift
from core.oncall.schedules import (
    ContactInfo,
    ScheduleInfo,
    contact_in_account,
    load_timelines,
    override_by_ref,
    shift_by_ref,
)

MAX_RECURRING_WEEKS = 52


@dataclass(frozen=True, slots=True)
class Slot:
    """A shift as a change reports it."""

    ref: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class AssignResult:
    schedule: ScheduleInfo
    contact: ContactInfo
    assigned: tuple[Slot, ...]  # shifts whose base assignee changed
    unchanged: tuple[Slot, ...]  # already held by that contact
    missing_weeks: tuple[date, ...]  # recurring: weeks with no matching shift


@dataclass(frozen=True, slots=True)
class UnassignResult:
    kind: str  # "override" or "shift"
    ref: int
    schedule: ScheduleInfo
    start: datetime
    end: datetime
    removed: ContactInfo | None
    # who holds the span now, in time order: an older override it covered, the base
    # assignee, or nobody (a shift's unassign: one part, nobody)
    back: tuple[Holder, ...]

    @property
    def now_on_call(self) -> ContactInfo | None:
        """The one holder of the whole span (None: nobody, or several people in turn)."""
        people = {h.contact for h in self.back}
        return people.pop() if len(people) == 1 else None


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds part of a span: a contact (None: nobody) and the override giving it."""

    start: datetime
    end: datetime
    contact: ContactInfo | None
    override_ref: int | None  # None: the shift's base assignee


@dataclass(frozen=True, slots=True)
class SwapResult:
    first: Slot
    second: Slot
    first_contact: ContactInfo | None  # the new assignee of the first shift
    second_contact: ContactInfo | None
    schedules: tuple[ScheduleInfo, ScheduleInfo]


def _not_over(shift: Shift, schedule: ScheduleInfo, now: datetime) -> None:
    if shift.end_at <= now:
        raise Invalid(
            N_("Shift #{ref} is over (it ended {end}); only current and future shifts change."),
            ref=shift.ref,
            end=shift.end_at,
            zone=schedule.timezone,
        )


def _set_assignee(
    session: AsyncSession, shift: Shift, contact_id: int | None, origin: audit.Origin, now: datetime
) -> None:
    shift.contact_id = contact_id
    session.add(
        Assignment(
            shift_id=shift.id, contact_id=contact_id, at=now, user_id=origin.user_id, source="chat"
        )
    )


def _audit(
    session: AsyncSession,
    account_id: int,
    origin: audit.Origin,
    now: datetime,
    action: str,
    refs: Sequence[int],
    schedules: Sequence[ScheduleInfo],
    **details: object,
) -> None:
    """The audit entry of a change to shifts (or an override) ``refs``: one shape for
    assign, unassign, swap and comment, so their entries read alike."""
    names = [s.name for s in schedules]
    where = {"schedule": names[0]} if len(names) == 1 else {"schedules": names}
    audit.record(
        session,
        account_id=account_id,
        origin=origin,
        at=now,
        action=action,
        subject=" ".join(f"#{ref}" for ref in refs),
        **where,
        **details,
    )


async def base_assignees(session: AsyncSession, shift: Shift) -> dict[int, int | None]:
    """Ref -> base assignee (contact id) of ``shift`` and of its rank's later shifts a
    recurring assign may reach: read before a change, to say who was replaced."""
    rows = await session.execute(
        select(Shift.ref, Shift.contact_id).where(
            Shift.schedule_id == shift.schedule_id,
            Shift.rank == shift.rank,
            Shift.start_at >= shift.start_at,
            Shift.start_at <= shift.start_at + timedelta(weeks=MAX_RECURRING_WEEKS + 1),
        )
    )
    return {ref: contact_id for ref, contact_id in rows}


async def _contact_or_none(session: AsyncSession, account_id: int, cid: int | None):
    return None if cid is None else await contact_in_account(session, account_id, cid)


async def assign(
    session: AsyncSession,
    account_id: int,
    ref: int,
    contact: ContactInfo,
    *,
    origin: audit.Origin,
    now: datetime,
    weeks: int | None = None,
    until: date | None = None,
    comment: str | None = None,
) -> AssignResult:
    """Make ``contact`` the base assignee of shift ``ref`` (and of its slot in later weeks).

    ``weeks`` counts the weeks in all, this one included; ``until`` is the last local
    date a repeated slot may start on.
    """
    shift, schedule = await shift_by_ref(session, account_id, ref)
    await contact_in_account(session, account_id, contact.id)
    _not_over(shift, schedule, now)
    targets, missing = [shift], []
    if weeks is not None or until is not None:
        targets, missing = await _same_slots(session, shift, schedule, weeks, until)
    assigned, unchanged = [], []
    for s in targets:
        slot = Slot(s.ref, s.start_at, s.end_at)
        if s.contact_id == contact.id:
            unchanged.append(slot)
            continue
        _set_assignee(session, s, contact.id, origin, now)
        if comment:
            s.comment = comment
        assigned.append(slot)
        detail = {"contact": contact.key, "comment": comment}
        _audit(session, account_id, origin, now, "assign", (s.ref,), (schedule,), **detail)
    await session.flush()
    return AssignResult(schedule, contact, tuple(assigned), tuple(unchanged), tuple(missing))


async def _same_slots(
    session: AsyncSession,
    shift: Shift,
    schedule: ScheduleInfo,
    weeks: int | None,
    until: date | None,
) -> tuple[list[Shift], list[date]]:
    """The shift and the same local slot (weekday, wall-clock times, rank) in later weeks."""
    tz = schedule.tz
    if weeks is not None and not 1 <= weeks <= MAX_RECURRING_WEEKS:
        raise Invalid(
            N_("Repeat for 1 to {max} weeks, not {weeks}."), max=MAX_RECURRING_WEEKS, weeks=weeks
        )
    count = weeks if weeks is not None else MAX_RECURRING_WEEKS
    if until is not None and until < local_date(shift.start_at, tz):
        raise Invalid(
            N_("“until {until}” is before the shift itself starts ({start})."),
            until=until,
            start=shift.start_at,
            zone=schedule.timezone,
        )
    last_start = shift_weeks(shift.start_at, count - 1, tz)
    candidates = await session.scalars(
        select(Shift).where(
            Shift.schedule_id == shift.schedule_id,
            Shift.rank == shift.rank,
            Shift.start_at > shift.start_at,
            Shift.start_at <= last_start,
        )
    )
    by_slot = {(s.start_at, s.end_at): s for s in candidates}
    # With "until", weeks past the last shift on file are not missing, just not defined yet.
    latest = max((start for start, _ in by_slot), default=shift.start_at)
    found, missing = [shift], []
    for k in range(1, count):
        start = shift_weeks(shift.start_at, k, tz)
        if until is not None and local_date(start, tz) > until:
            break
        match = by_slot.get((start, shift_weeks(shift.end_at, k, tz)))
        if match is not None:
            found.append(match)
        elif weeks is not None or start < latest:
            missing.append(local_date(start, tz))
    return found, missing


async def unassign(
    session: AsyncSession, account_id: int, ref: int, *, origin: audit.Origin, now: datetime
) -> UnassignResult:
    """Remove override ``ref`` (what it replaced is back) or empty shift ``ref``."""
    found = await override_by_ref(session, account_id, ref)
    if found is not None:
        override, shift, schedule = found
        if override.removed_at is not None:
            raise Invalid(N_("Override #{ref} was already removed."), ref=ref)
        if override.end_at <= now:
            raise Invalid(
                N_("Override #{ref} is over (it ended {end}); it stays in the history."),
                ref=ref,
                end=override.end_at,
                zone=schedule.timezone,
            )
        override.removed_at, override.removed_by = now, origin.user_id
        removed = await contact_in_account(session, account_id, override.contact_id)
        kind, start, end = "override", override.start_at, override.end_at
        await session.flush()
        back = await _holders(session, schedule, shift.id, start, end)
    else:
        shift, schedule = await shift_by_ref(session, account_id, ref)
        _not_over(shift, schedule, now)
        if shift.contact_id is None:
            raise Invalid(N_("Shift #{ref} already has nobody assigned."), ref=ref)
        removed = await contact_in_account(session, account_id, shift.contact_id)
        _set_assignee(session, shift, None, origin, now)
        kind, start, end = "shift", shift.start_at, shift.end_at
        back = (Holder(start, end, None, None),)
    detail = {"kind": kind, "contact": removed.key}
    _audit(session, account_id, origin, now, "unassign", (ref,), (schedule,), **detail)
    await session.flush()
    return UnassignResult(kind, ref, schedule, start, end, removed, back)


async def _holders(
    session: AsyncSession, schedule: ScheduleInfo, shift_id: int, start: datetime, end: datetime
) -> tuple[Holder, ...]:
    """Who holds ``[start, end)`` of one shift now, part by part, as the timeline says."""
    tl = await load_timelines(session, [schedule.id], start, end)
    refs = {o.id: o.ref for o in tl.overrides.get(shift_id, ())}
    segs = (g for segs in tl.ranks(schedule.id).values() for g in segs if g.shift_id == shift_id)
    return tuple(
        Holder(
            max(g.start, start),
            min(g.end, end),
            tl.contact(g.contact_id),
            refs.get(g.override_id) if g.override_id is not None else None,
        )
        for g in sorted(segs, key=lambda g: g.start)
        if g.end > start and g.start < end
    )


async def swap(
    session: AsyncSession,
    account_id: int,
    ref_a: int,
    ref_b: int,
    *,
    origin: audit.Origin,
    now: datetime,
) -> SwapResult:
    """Exchange the base assignees of two shifts of the account."""
    if ref_a == ref_b:
        raise Invalid(N_("Name two different shifts to swap."))
    a, sched_a = await shift_by_ref(session, account_id, ref_a)
    b, sched_b = await shift_by_ref(session, account_id, ref_b)
    _not_over(a, sched_a, now)
    _not_over(b, sched_b, now)
    if a.contact_id == b.contact_id:
        raise Invalid(
            N_("Shifts #{a} and #{b} have the same assignee: swapping changes nothing."),
            a=ref_a,
            b=ref_b,
        )
    ca, cb = a.contact_id, b.contact_id
    _set_assignee(session, a, cb, origin, now)
    _set_assignee(session, b, ca, origin, now)
    _audit(session, account_id, origin, now, "swap", (ref_a, ref_b), (sched_a, sched_b))
    await session.flush()
    return SwapResult(
        Slot(a.ref, a.start_at, a.end_at),
        Slot(b.ref, b.start_at, b.end_at),
        await _contact_or_none(session, account_id, cb),
        await _contact_or_none(session, account_id, ca),
        (sched_a, sched_b),
    )


async def comment(
    session: AsyncSession,
    account_id: int,
    ref: int,
    text: str,
    *,
    origin: audit.Origin,
    now: datetime,
) -> Slot:
    """Set the comment of shift ``ref``; it never changes who is on call."""
    text = text.strip()
    if not text:
        raise Invalid(N_("Write the comment after the shift, e.g. /comment #12 Luc replaces Ana."))
    shift, schedule = await shift_by_ref(session, account_id, ref)
    shift.comment = text
    _audit(session, account_id, origin, now, "comment", (ref,), (schedule,), text=text)
    await session.flush()
    return Slot(shift.ref, shift.start_at, shift.end_at)
