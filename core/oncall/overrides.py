"""Overrides: someone covers a span of a schedule in place of the base assignee.

An override covers shift time of one rank. A span is cut into one override per
shift it touches; time in it with no shift (the daytime between two nights, or
before the first shift) is left out, and a span with no shift at all is refused.
A plan of several pieces, or one that leaves time out, is shown to the user before
it is saved (``plan_override`` writes nothing, ``save_override`` replans and
writes, so what is saved is checked against the data of its own transaction).
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

Span = tuple[datetime, datetime]


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
    left_out: tuple[Span, ...] = ()  # parts of the span with no shift, not covered

    @property
    def needs_confirmation(self) -> bool:
        """A span split over several shifts, or with time left out, is confirmed first."""
        return len(self.pieces) > 1 or bool(self.left_out)


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
    if not shifts:
        raise Invalid(
            N_("There is no shift of rank {rank} in {schedule} between {start} and {end}."),
            rank=rank,
            schedule=schedule.name,
            start=start,
            end=end,
            zone=zone,
        )
    tl = await load_timelines(session, [schedule.id], start, end)
    pieces = []
    for s in shifts:
        a, b = max(start, s.start_at), min(end, s.end_at)
        segs = [g for g in tl.ranks(schedule.id).get(rank, ()) if g.shift_id == s.id]
        replaced = tuple(
            dict.fromkeys(tl.contact(g.contact_id) for g in segs if g.end > a and g.start < b)
        )
        pieces.append(Piece(s.ref, s.id, a, b, replaced))
    return OverridePlan(
        schedule, contact, rank, start, end, tuple(pieces), _left_out(shifts, start, end)
    )


def _left_out(shifts: list[Shift], start: datetime, end: datetime) -> tuple[Span, ...]:
    """The parts of ``[start, end)`` no shift covers (daytime between two nights, edges)."""
    out: list[Span] = []
    at = start
    for s in shifts:
        if s.start_at > at:
            out.append((at, min(s.start_at, end)))
        at = max(at, s.end_at)
    if at < end:
        out.append((at, end))
    return tuple(out)


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
