"""Coverage alerts people read: what one scan finds for a chat and a schedule is one push."""

from __future__ import annotations

import asyncio

from core.notify.alerts import scan_coverage
from core.oncall.shiftops import assign, unassign
from tests.builders import ME, account_id, contact
from tests.unit.test_alerts import NOW, queued, ref, scan, setup


async def test_a_week_with_nobody_is_one_push_listing_its_days(db):
    await setup(db)
    async with db.write() as s:  # next Monday 20:00 to the Monday after: nobody
        await unassign(s, await account_id(db), await ref(db, "after"), origin=ME, now=NOW)
    found = await scan(db)
    days = [q.day.isoformat() for q in found]
    assert days == [f"2025-05-{d}" for d in range(12, 20)]  # each day is still decided alone
    [push] = await queued(db)
    assert push.kind == "coverage_days"
    assert push.payload["schedule"] == "01 Horaire"
    assert [(d["day"], d["status"]) for d in push.payload["days"]] == [
        ("2025-05-12", "partial"),
        *((f"2025-05-{d}", "none") for d in range(13, 20)),  # the 19th: no shift after 08:00
    ]
    assert push.payload["days"][1]["uncovered"] == [
        ["2025-05-13T04:00:00+00:00", "2025-05-14T04:00:00+00:00"]
    ]
    assert await scan(db) == []  # announced once
    assert len(await queued(db)) == 1


async def test_a_single_day_getting_worse_is_a_single_push_again(db):
    await setup(db)
    aid = await account_id(db)
    await scan(db)  # the 12th PARTIAL: a single day, a single push
    [first] = await queued(db)
    assert first.kind == "coverage"
    async with db.write() as s:  # both neighbours of the gap emptied: the 12th has nobody
        await unassign(s, aid, await ref(db, "now"), origin=ME, now=NOW)
        await unassign(s, aid, await ref(db, "after"), origin=ME, now=NOW)
    again = await scan(db)
    # Every day to the 19th is NONE now, in one push; the 12th, worse than said, is in it.
    assert ("2025-05-12", "none") in [(q.day.isoformat(), q.status) for q in again]
    items = await queued(db)
    assert [i.kind for i in items] == ["coverage", "coverage_days"]
    assert "2025-05-12" in [d["day"] for d in items[1].payload["days"]]
    async with db.write() as s:
        await assign(s, aid, await ref(db, "now"), await contact(db, "luc"), origin=ME, now=NOW)
    cleared = await queued(db)
    await scan(db)
    kinds = [i.kind for i in await queued(db)][len(cleared) :]
    assert kinds == ["all_clear_days"]  # this week back in one message


async def test_two_scans_at_once_queue_one_grouped_push(db):
    await setup(db)
    async with db.write() as s:
        await unassign(s, await account_id(db), await ref(db, "after"), origin=ME, now=NOW)

    async def one():
        async with db.write() as s:
            await scan_coverage(s, NOW)

    await asyncio.gather(one(), one(), one())
    assert [i.kind for i in await queued(db)] == ["coverage_days"]
