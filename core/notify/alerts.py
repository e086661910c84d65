"""Coverage alerts people can trust: before the day, once, and an all-clear when fixed.

For every chat subscribed to ``coverage`` and every schedule of its account, each local
day of the look-ahead (today included, never a day that is over) is classified. A day
PARTIAL or NONE is announced once; again only if it gets worse (PARTIAL -> NONE); when
it becomes FULL an all-clear follows. What one scan finds for one chat and schedule is
one push (a week with nobody is one message listing its days, not seven). What was
said is kept per (chat, schedule, day) in ``coverage_notices``; the push itself is an
outbox row written in the same transaction, its dedupe key built from that state, so
concurrent scans queue it once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.bulk import upsert
from core.localtime import local_date, zone
from core.models import Account, CoverageNotice, OutboxItem, Schedule
from core.notify import outbox
from core.notify.subscriptions import SubscriptionInfo, active_subscriptions
from core.oncall.coverage import coverage
from core.oncall.schedules import ScheduleInfo
from core.oncall.timeline import DayCoverage, DayStatus

# How bad a day is: an alert goes out when this grows, an all-clear when it drops to 0.
SEVERITY = {DayStatus.FULL: 0, DayStatus.NO_SHIFTS: 0, DayStatus.PARTIAL: 1, DayStatus.NONE: 2}
IMMEDIATE = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Queued:
    """What a scan queued, for ``garde alerts scan`` to print."""

    conversation: str
    kind: str
    schedule: str
    day: date
    status: str


def _payload(sched: ScheduleInfo, day: DayCoverage, number: str) -> dict:
    return {
        "account": number,
        "schedule": sched.name,
        "zone": sched.timezone,
        "day": day.day.isoformat(),
        "status": day.status.value,
        "uncovered": [[a.isoformat(), b.isoformat()] for a, b in day.uncovered],
    }


async def scan_coverage(
    session: AsyncSession,
    now: datetime,
    *,
    schedule_ids: list[int] | None = None,
    account_ids: list[int] | None = None,
    within: timedelta | None = None,
) -> list[Queued]:
    """Queue the coverage alerts and all-clears due now; return what was queued.

    ``schedule_ids``/``account_ids``/``within`` narrow the scan (a change that uncovers
    time in the next 48 hours is announced right away by scanning just that schedule and
    span; a new subscription scans its own account only).
    """
    subs = await active_subscriptions(session, "coverage", account_ids)
    if not subs:
        return []
    by_account: dict[int, list[SubscriptionInfo]] = defaultdict(list)
    for sub in subs:
        by_account[sub.account_id].append(sub)
    query = (
        select(Schedule, Account)
        .join(Account, Account.id == Schedule.account_id)
        .where(Schedule.account_id.in_(list(by_account)))
    )
    if schedule_ids is not None:
        query = query.where(Schedule.id.in_(schedule_ids))
    rows = (await session.execute(query.order_by(Schedule.id))).all()
    days = await _coverage_by_schedule(session, rows, now, within)
    notices = await _notices(session, [s.id for s in subs], list(days))
    queued: list[Queued] = []
    updates: list[dict] = []
    pushes: list[dict] = []
    for sched_row, account in rows:
        sched = ScheduleInfo.of(sched_row)
        for sub in by_account[account.id]:
            for day in days[sched.id]:
                notice = notices.get((sub.id, sched.id, day.day))
                queued += _decide(sub, sched, account.number, day, notice, now, updates, pushes)
    await upsert(session, CoverageNotice, updates, keys=("subscription_id", "schedule_id", "day"))
    await outbox.enqueue(session, _grouped(pushes))
    return queued


def _grouped(pushes: list[dict]) -> list[dict]:
    """One push per chat, schedule and kind for what one scan found: the days of a week
    nobody holds arrive as one message listing them, not one message a day. A single
    day stays a single push. The group's key is made of its days' keys, so two replicas
    scanning at once still queue it once, and a day announced before is not in it."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for push in pushes:
        groups[(push["subscription_id"], push["payload"]["schedule"], push["kind"])].append(push)
    out = []
    for (_, _, kind), items in groups.items():
        if len(items) == 1:
            out += items
            continue
        first = items[0]
        days = [i["payload"] for i in items]
        digest = hashlib.sha256("|".join(i["dedupe_key"] for i in items).encode()).hexdigest()
        payload = {k: first["payload"][k] for k in ("account", "schedule", "zone")}
        out.append(
            first
            | {
                "kind": f"{kind}_days",
                "payload": payload | {"days": days},
                "dedupe_key": f"{kind}_days:{first['subscription_id']}:{digest[:40]}",
            }
        )
    return out


async def _coverage_by_schedule(
    session: AsyncSession, rows: list, now: datetime, within: timedelta | None
) -> dict[int, list[DayCoverage]]:
    """Each schedule's local days from today to the account's look-ahead (or ``within``)."""
    groups: dict[tuple[str, int], list[ScheduleInfo]] = defaultdict(list)
    for sched_row, account in rows:
        groups[(sched_row.timezone, account.lookahead_days)].append(ScheduleInfo.of(sched_row))
    out: dict[int, list[DayCoverage]] = {}
    for (tz_name, lookahead), scheds in groups.items():
        tz = zone(tz_name)
        first = local_date(now, tz)
        last = local_date(now + within, tz) if within else first + timedelta(days=lookahead - 1)
        out.update(await coverage(session, scheds, first, last))
    return out


async def _notices(
    session: AsyncSession, sub_ids: list[int], schedule_ids: list[int]
) -> dict[tuple[int, int, date], CoverageNotice]:
    if not schedule_ids:
        return {}
    rows = await session.scalars(
        select(CoverageNotice).where(
            CoverageNotice.subscription_id.in_(sub_ids),
            CoverageNotice.schedule_id.in_(schedule_ids),
        )
    )
    return {(n.subscription_id, n.schedule_id, n.day): n for n in rows}


def _decide(
    sub: SubscriptionInfo,
    sched: ScheduleInfo,
    number: str,
    day: DayCoverage,
    notice: CoverageNotice | None,
    now: datetime,
    updates: list[dict],
    pushes: list[dict],
) -> list[Queued]:
    """At most one push for this chat, schedule and day (into ``pushes``), and the note of
    what it says (into ``updates``)."""
    severity = SEVERITY[day.status]
    before = SEVERITY[DayStatus(notice.status)] if notice else 0
    if severity == before and (notice is None or notice.status == day.status):
        return []
    note = {
        "subscription_id": sub.id,
        "schedule_id": sched.id,
        "day": day.day,
        "status": day.status.value,
        "at": now,
    }
    kind = None
    if severity > before:
        kind = "coverage"
    elif severity == 0 and before > 0 and day.status == DayStatus.FULL:
        kind = "all_clear"
    updates.append(note)
    if kind is None:  # better but not fixed, or shifts gone: remember quietly
        return []
    # The key names the state it answers: the same scan twice (two replicas) agrees on it.
    said = f"{notice.status}@{notice.at.isoformat()}" if notice else "new"
    pushes.append(
        outbox.to_subscriber(
            sub,
            kind=kind,
            payload=_payload(sched, day, number),
            now=now,
            dedupe_key=f"{kind}:{sub.id}:{sched.id}:{day.day}:{day.status.value}:{said}",
        )
    )
    return [Queued(sub.conversation_id, kind, sched.name, day.day, day.status.value)]


async def scan_digests(session: AsyncSession, now: datetime) -> list[Queued]:
    """Queue today's digest of every coverage subscription whose local hour has come."""
    queued = []
    for sub in await active_subscriptions(session, "coverage"):
        if not sub.digest_at:
            continue
        account = await session.get(Account, sub.account_id)
        assert account is not None
        local_now = now.astimezone(zone(account.timezone))
        if local_now.strftime("%H:%M") < sub.digest_at:
            continue
        today = local_now.date()
        key = f"digest:{sub.id}:{today}"
        if await session.scalar(select(OutboxItem.id).where(OutboxItem.dedupe_key == key)):
            continue
        payload = await _digest(session, account, now)
        await outbox.enqueue(
            session,
            [outbox.to_subscriber(sub, kind="digest", payload=payload, dedupe_key=key, now=now)],
        )
        queued.append(Queued(sub.conversation_id, "digest", "", today, ""))
    return queued


async def _digest(session: AsyncSession, account: Account, now: datetime) -> dict:
    """The bad days of the look-ahead, per schedule of the account."""
    scheds = [
        ScheduleInfo.of(s)
        for s in await session.scalars(
            select(Schedule).where(Schedule.account_id == account.id).order_by(Schedule.name)
        )
    ]
    out = []
    for sched in scheds:
        first = local_date(now, sched.tz)
        days = (
            await coverage(
                session, [sched], first, first + timedelta(days=account.lookahead_days - 1)
            )
        )[sched.id]
        out.append(
            {
                "schedule": sched.name,
                "zone": sched.timezone,
                "days": [
                    _payload(sched, d, account.number) for d in days if SEVERITY[d.status] > 0
                ],
            }
        )
    return {"account": account.number, "lookahead": account.lookahead_days, "schedules": out}


async def queue_shift_changes(
    session: AsyncSession,
    account_id: int,
    schedule: ScheduleInfo,
    spans: list[tuple[datetime, datetime, str | None]],
    *,
    key: str,
    now: datetime,
) -> int:
    """Tell the chats subscribed to ``shifts`` who is now on call over ``spans`` (start,
    end, contact name or None for nobody); ``key`` names the change (e.g. its refs)."""
    subs = await active_subscriptions(session, "shifts", [account_id])
    payload = {
        "schedule": schedule.name,
        "zone": schedule.timezone,
        "spans": [[a.isoformat(), b.isoformat(), who] for a, b, who in spans],
    }
    await outbox.enqueue(
        session,
        [
            outbox.to_subscriber(
                sub,
                kind="shift_change",
                payload=payload,
                now=now,
                dedupe_key=f"shift:{sub.id}:{key}",
            )
            for sub in subs
        ],
    )
    return len(subs)
