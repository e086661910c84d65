"""A change to who is on call is one use case: the change, its audit entry and the
pushes it causes, written in the caller's one transaction.

Each function here is what a handler calls to change a schedule: it runs the rule of
:mod:`core.oncall.shiftops` or :mod:`core.oncall.overrides` (which write the history
and the audit entry), then queues what the change tells others: the ``shifts``
subscribers (who is on call now) and, for time left uncovered in the next 48 hours,
an immediate coverage alert. Nothing is committed here; the caller's unit of work
commits all of it or none of it.

This module sits above :mod:`core.notify` and :mod:`core.oncall` (the layers contract
in ``pyproject.toml``): on-call rules know nothing of pushes, pushes nothing of chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts.audit import Origin
from core.notify.alerts import IMMEDIATE, queue_shift_changes, scan_coverage
from core.oncall import shiftops
from core.oncall.overrides import OverridePlan, save_override
from core.oncall.schedules import ContactInfo, account_contacts, shift_by_ref
from core.oncall.shiftops import AssignResult, Slot, SwapResult, UnassignResult


@dataclass(frozen=True, slots=True)
class Assigned:
    """An assign's outcome, with who held each changed shift before (None: nobody)."""

    result: AssignResult
    before: dict[int, ContactInfo | None]


async def assign(
    session: AsyncSession,
    account_id: int,
    ref: int,
    contact: ContactInfo,
    *,
    origin: Origin,
    now: datetime,
    weeks: int | None = None,
    until: date | None = None,
    comment: str | None = None,
) -> Assigned:
    """Make ``contact`` the base assignee of shift ``ref`` (and of its slot in later weeks)."""
    shift, _ = await shift_by_ref(session, account_id, ref)
    before_ids = await shiftops.base_assignees(session, shift)
    result = await shiftops.assign(
        session,
        account_id,
        ref,
        contact,
        origin=origin,
        now=now,
        weeks=weeks,
        until=until,
        comment=comment,
    )
    await queue_shift_changes(
        session,
        account_id,
        result.schedule,
        [(a.start, a.end, contact.name) for a in result.assigned],
        key=f"assign:{now.isoformat()}:{ref}",
        now=now,
    )
    names = {c.id: c for c in await account_contacts(session, account_id)}
    before = {r: names.get(cid) if cid else None for r, cid in before_ids.items()}
    return Assigned(result, before)


async def unassign(
    session: AsyncSession, account_id: int, refs: list[int], *, origin: Origin, now: datetime
) -> list[UnassignResult]:
    """Remove overrides or empty shifts (a ref named twice counts once), as one change."""
    results = [
        await shiftops.unassign(session, account_id, ref, origin=origin, now=now)
        for ref in dict.fromkeys(refs)
    ]
    for r in results:
        spans = [(h.start, h.end, h.contact.name if h.contact else None) for h in r.back]
        await queue_shift_changes(
            session,
            account_id,
            r.schedule,
            spans,
            key=f"unassign:{now.isoformat()}:{r.ref}",
            now=now,
        )
    # Time uncovered in the next 48 h is announced at once, committed with the change.
    schedule_ids = list({r.schedule.id for r in results})
    await scan_coverage(session, now, schedule_ids=schedule_ids, within=IMMEDIATE)
    return results


async def swap(
    session: AsyncSession, account_id: int, ref_a: int, ref_b: int, *, origin: Origin, now: datetime
) -> SwapResult:
    """Exchange two shifts' base assignees."""
    result = await shiftops.swap(session, account_id, ref_a, ref_b, origin=origin, now=now)
    schedule_ids = [s.id for s in result.schedules]
    await scan_coverage(session, now, schedule_ids=schedule_ids, within=IMMEDIATE)
    for slot, sched, who in (
        (result.first, result.schedules[0], result.first_contact),
        (result.second, result.schedules[1], result.second_contact),
    ):
        await queue_shift_changes(
            session,
            account_id,
            sched,
            [(slot.start, slot.end, who.name if who else None)],
            key=f"swap:{now.isoformat()}:{slot.ref}",
            now=now,
        )
    return result


async def comment(
    session: AsyncSession, account_id: int, ref: int, text: str, *, origin: Origin, now: datetime
) -> Slot:
    """Comment on a shift: nobody's on-call changes, so nothing is pushed."""
    return await shiftops.comment(session, account_id, ref, text, origin=origin, now=now)


async def override(
    session: AsyncSession,
    plan: OverridePlan,
    *,
    origin: Origin,
    now: datetime,
    comment: str | None = None,
) -> list[int]:
    """Save a planned override (one per shift it crosses); return the new refs."""
    refs = await save_override(session, plan, origin=origin, now=now, comment=comment)
    await queue_shift_changes(
        session,
        plan.schedule.account_id,
        plan.schedule,
        [(p.start, p.end, plan.contact.name) for p in plan.pieces],
        key="override:" + ",".join(map(str, refs)),
        now=now,
    )
    return refs
