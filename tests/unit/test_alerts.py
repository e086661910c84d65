"""Coverage alerts: once per (chat, schedule, day, status), worse again, all-clear, never past."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from core.models import OutboxItem, Subscription
from core.notify import outbox
from core.notify.alerts import IMMEDIATE, scan_coverage, scan_digests
from core.oncall.shiftops import assign, unassign
from tests.builders import ME, account_doc, account_id, contact, load, shift, subscription
from tests.unit.test_oncall import local

NOW = local(2025, 5, 6, 9)  # a Tuesday morning
# This week covered; next Monday 08:00-20:00 nobody (a PARTIAL day); a past gap last week.
SCHEDULE = {
    "name": "01 Horaire",
    "shifts": [
        shift("past", "2025-04-28T08:00", "2025-04-28T20:00", None),
        shift("now", "2025-05-05T08:00", "2025-05-12T08:00", "luc"),
        shift("gap", "2025-05-12T08:00", "2025-05-12T20:00", None),
        shift("after", "2025-05-12T20:00", "2025-05-19T08:00", "anthony"),
    ],
}


async def setup(db, kind="coverage", digest_at=None):
    await load(db, account_doc([SCHEDULE]))
    await subscription(db, kind, now=NOW, digest_at=digest_at)


async def scan(db, now=NOW, **kw):
    async with db.write() as s:
        return await scan_coverage(s, now, **kw)


async def queued(db):
    async with db.read() as s:
        return list(await s.scalars(select(OutboxItem).order_by(OutboxItem.id)))


async def ref(db, ext_id):
    from tests.unit.test_changes import ref_of

    return await ref_of(db, ext_id)


async def test_a_gap_next_week_is_announced_once_then_cleared_once(db):
    await setup(db)
    [alert] = await scan(db)
    assert (alert.kind, alert.day.isoformat(), alert.status) == (
        "coverage",
        "2025-05-12",
        "partial",
    )
    assert await scan(db) == [] and await scan(db, NOW + timedelta(minutes=5)) == []
    [item] = await queued(db)
    assert item.payload["uncovered"] == [["2025-05-12T12:00:00+00:00", "2025-05-13T00:00:00+00:00"]]
    assert item.locale == "fr" and item.conversation_id == "-100200"
    async with db.write() as s:
        await assign(
            s,
            await account_id(db),
            await ref(db, "gap"),
            await contact(db, "marie"),
            origin=ME,
            now=NOW,
        )
    [clear] = await scan(db)
    assert (clear.kind, clear.status) == ("all_clear", "full")
    assert await scan(db) == []
    assert [i.kind for i in await queued(db)] == ["coverage", "all_clear"]


async def test_worse_announces_again_better_stays_quiet(db):
    await setup(db)
    aid = await account_id(db)
    await scan(db)  # PARTIAL on the 12th
    async with db.write() as s:  # the night before and the evening too: nobody all day
        await unassign(s, aid, await ref(db, "now"), origin=ME, now=NOW)
        await unassign(s, aid, await ref(db, "after"), origin=ME, now=NOW)
    worse = await scan(db)
    assert [(q.day.isoformat(), q.status) for q in worse if q.day.isoformat() == "2025-05-12"] == [
        ("2025-05-12", "none")
    ]
    async with db.write() as s:
        await assign(
            s, aid, await ref(db, "after"), await contact(db, "anthony"), origin=ME, now=NOW
        )
    assert [q for q in await scan(db) if q.day.isoformat() == "2025-05-12"] == []  # better only
    async with db.write() as s:
        await unassign(s, aid, await ref(db, "after"), origin=ME, now=NOW)
    again = [q for q in await scan(db) if q.day.isoformat() == "2025-05-12"]
    assert [(q.kind, q.status) for q in again] == [("coverage", "none")]


async def test_days_that_are_over_and_beyond_the_lookahead_are_never_announced(db):
    await setup(db)
    later = await scan(db, NOW + timedelta(days=6, hours=13))  # the 12th, 22:00: not over
    assert [q.day.isoformat() for q in later] == ["2025-05-12"]
    async with db.write() as s:
        await s.execute(OutboxItem.__table__.delete())
    assert await scan(db, NOW + timedelta(days=7)) == []  # the 13th: the 12th is over


async def test_an_immediate_scan_covers_the_next_48_hours_only(db):
    await setup(db)
    assert await scan(db, within=IMMEDIATE) == []  # the gap is 6 days away
    soon = await scan(db, NOW + timedelta(days=5), within=IMMEDIATE)
    assert [q.day.isoformat() for q in soon] == ["2025-05-12"]


async def test_two_scans_at_the_same_moment_queue_one_alert(db):
    await setup(db)

    async def one():
        async with db.write() as s:
            await scan_coverage(s, NOW)

    await asyncio.gather(one(), one(), one())
    assert len(await queued(db)) == 1


async def test_digest_at_the_local_hour_once_a_day(db):
    await setup(db, digest_at="07:00")
    async with db.write() as s:
        assert await scan_digests(s, local(2025, 5, 6, 6, 59)) == []
        assert len(await scan_digests(s, local(2025, 5, 6, 7, 0))) == 1
        assert await scan_digests(s, local(2025, 5, 6, 18, 0)) == []
        assert len(await scan_digests(s, local(2025, 5, 7, 7, 30))) == 1
    digest = next(i for i in await queued(db) if i.kind == "digest")
    [sched] = digest.payload["schedules"]
    assert [d["day"] for d in sched["days"]] == ["2025-05-12"]


async def test_a_permanent_failure_marks_the_chat_and_stops_its_pushes(db):
    await setup(db)
    await scan(db)
    async with db.write() as s:
        [push] = await outbox.due(s, NOW, ["telegram"])
        await outbox.mark_failed(s, push, NOW, error="Forbidden: bot was blocked", permanent=True)
    async with db.read() as s:
        sub = await s.scalar(select(Subscription))
        assert sub.failed_at is not None and "blocked" in sub.failure
    assert await scan(db, NOW + timedelta(days=1)) == []  # a failed chat is not scanned


async def test_backoff_then_give_up_after_a_day(db):
    await setup(db)
    await scan(db)
    async with db.write() as s:
        [push] = await outbox.due(s, NOW, ["telegram"])
        assert await outbox.retry_later(s, push, NOW, error="HTTP 500")
        assert await outbox.due(s, NOW, ["telegram"]) == []
        [again] = await outbox.due(s, NOW + timedelta(seconds=2), ["telegram"])
        assert await outbox.retry_later(s, again, NOW, error="429", retry_after=30)
        assert await outbox.due(s, NOW + timedelta(seconds=29), ["telegram"]) == []
        [late] = await outbox.due(s, NOW + timedelta(seconds=31), ["telegram"])
        assert not await outbox.retry_later(s, late, NOW + timedelta(days=2), error="HTTP 500")
    assert [i.status for i in await queued(db)] == ["failed"]
