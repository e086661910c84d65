"""Overrides: someone covers a span of a schedule in place of the base assignee.

A span must lie inside shift time of one rank. One crossing consecutive shifts is
split into one override per shift; the plan is shown to the user before it is
saved (``plan_override`` writes nothing, ``save_override`` replans and writes, so
what is saved is checked against the data of its own transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.errors import N_, Invalid
from core.models import Override, Shift
from core.oncall.schedules import ContactInfo, ScheduleInfo, allocate_refs, load_timelines


@dataclass(frozen=True, slots=True)
class Piece:
    """The part of one shift an override will cover, and who it replaces there."""

    shift_ref: int
    shift_id: int
    start: datetime
    end: datetime
    replaced: tuple[ContactInfo | None, ...]  # who was effectively on call in that part


@dataclass(frozen=True, slots=True)
class OverridePlan:
    schedule: ScheduleInfo
    contact: ContactInfo
    rank: int
    start: datetime
    end: datetime
    pieces: tuple[Piece, ...]

    @property
    def needs_confirmation(self) -> bool:
        """A span split over several shifts is confirmed by the user before saving."""
        return len(self.pieces) > 1


async def plan_override(
    session: AsyncSession,
    schedule: ScheduleInfo,
    contact: ContactInfo,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    rank: int = 0,
) -> OverridePlan:
    """Check a span against the shifts and cut it per shift; raises ``Invalid`` if it can't be."""
    zone = schedule.timezone
    if end <= start:
        raise Invalid(N_("The override ends before it starts."), zone=zone)
    if start < now:
        raise Invalid(
            N_("An override cannot start in the past ({start}). Start it now or later."),
            start=start,
            zone=zone,
        )
    shifts = list(
        await session.scalars(
            select(Shift)
            .where(
                Shift.schedule_id == schedule.id,
                Shift.rank == rank,
                Shift.end_at > start,
                Shift.start_at < end,
            )
            .order_by(Shift.start_at)
        )
    )
    _check_inside(shifts, schedule, rank, start, end)
    tl = await load_timelines(session, [schedule.id], start, end)
    pieces = []
    for s in shifts:
        a, b = max(start, s.start_at), min(end, s.end_at)
        segs = [g for g in tl.ranks(schedule.id).get(rank, ()) if g.shift_id == s.id]
        replaced = tuple(
            dict.fromkeys(tl.contact(g.contact_id) for g in segs if g.end > a and g.start < b)
        )
        pieces.append(Piece(s.ref, s.id, a, b, replaced))
    return OverridePlan(schedule, contact, rank, start, end, tuple(pieces))


def _check_inside(
    shifts: list[Shift], schedule: ScheduleInfo, rank: int, start: datetime, end: datetime
) -> None:
    """Refuse a span that leaves shift time, naming the shift time that is there."""
    zone, name = schedule.timezone, schedule.name
    if not shifts:
        raise Invalid(
            N_("There is no shift of rank {rank} in {schedule} between {start} and {end}."),
            rank=rank,
            schedule=name,
            start=start,
            end=end,
            zone=zone,
        )
    block_start, block_end = shifts[0].start_at, shifts[0].end_at
    for nxt in shifts[1:]:
        if nxt.start_at > block_end:
            raise Invalid(
                N_(
                    "The span crosses a time with no shift, from {gap_start} to {gap_end}. "
                    "Shift time runs from {bound_start} to {bound_end}."
                ),
                gap_start=block_end,
                gap_end=nxt.start_at,
                bound_start=block_start,
                bound_end=block_end,
                zone=zone,
            )
        block_end = max(block_end, nxt.end_at)
    if start < block_start:
        raise Invalid(
            N_(
                "The override cannot start before its shift: shift time runs from {bound_start} "
                "to {bound_end}."
            ),
            bound_start=block_start,
            bound_end=block_end,
            zone=zone,
        )
    if end > block_end:
        raise Invalid(
            N_(
                "The override cannot end after its shift: shift time runs from {bound_start} "
                "to {bound_end}."
            ),
            bound_start=block_start,
            bound_end=block_end,
            zone=zone,
        )


async def save_override(
    session: AsyncSession,
    plan: OverridePlan,
    *,
    origin: audit.Origin,
    now: datetime,
    comment: str | None = None,
) -> list[int]:
    """Write one override per piece (replanned in this transaction); return their refs."""
    fresh = await plan_override(
        session, plan.schedule, plan.contact, plan.start, plan.end, now=now, rank=plan.rank
    )
    first = await allocate_refs(session, plan.schedule.account_id, len(fresh.pieces))
    refs = []
    for i, piece in enumerate(fresh.pieces):
        session.add(
            Override(
                shift_id=piece.shift_id,
                ref=first + i,
                contact_id=plan.contact.id,
                start_at=piece.start,
                end_at=piece.end,
                comment=comment,
                created_at=now,
                created_by=origin.user_id,
            )
        )
        refs.append(first + i)
        audit.record(
            session,
            account_id=plan.schedule.account_id,
            origin=origin,
            at=now,
            action="override",
            subject=f"#{first + i}",
            schedule=plan.schedule.name,
            shift=f"#{piece.shift_ref}",
            contact=plan.contact.key,
            start=piece.start.isoformat(),
            end=piece.end.isoformat(),
            comment=comment,
        )
    await session.flush()
    return refs
