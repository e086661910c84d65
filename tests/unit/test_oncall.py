"""Who is on call, next changes, views and coverage, on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.models import Account
from core.oncall.coverage import coverage
from core.oncall.timeline import DayStatus
from core.oncall.who import (
    next_changes,
    schedules_now,
    shifts_between,
    who_and_next,
    who_is_on_call,
)
from tests.builders import account_doc, load, schedule, shift

TOR = ZoneInfo("America/Toronto")
VAN = ZoneInfo("America/Vancouver")


def local(y, mo, d, h=0, mi=0, tz=TOR, fold=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz, fold=fold)


WEEKS = {
    "name": "01 Horaire",
    "shifts": [
        shift("s1", "2025-05-05T07:30", "2025-05-12T07:30", "anthony"),
        shift("s2", "2025-05-12T07:30", "2025-05-19T07:30", "luc"),
        shift("b1", "2025-05-09T17:00", "2025-05-12T07:30", "marie", rank=1),
    ],
}


async def test_who_is_on_call_gives_rank_order_until_and_next(db):
    await load(db, account_doc([WEEKS]))
    sched = await schedule(db)
    async with db.read() as s:
        midweek = await who_is_on_call(s, sched, local(2025, 5, 6, 12))
        weekend = await who_is_on_call(s, sched, local(2025, 5, 10, 12))
    [first] = midweek
    assert (first.rank, first.contact.name, first.original) == (0, "Anthony Giosi", None)
    assert first.since == local(2025, 5, 5, 7, 30)
    assert first.until == local(2025, 5, 12, 7, 30)
    assert first.next_contact.name == "Luc Lambert"
    assert first.next_at == local(2025, 5, 12, 7, 30)
    assert first.contact.phones == ("+15145550102",)
    assert [(o.rank, o.contact.key) for o in weekend] == [(0, "anthony"), (1, "marie")]
    backup = weekend[1]
    assert backup.until == local(2025, 5, 12, 7, 30)
    assert backup.next_contact is None  # nobody backs up after the weekend
    assert backup.next_at == local(2025, 5, 12, 7, 30)


async def test_nobody_outside_shift_time_and_empty_shift_reported(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("a", "2025-05-05T08:00", "2025-05-05T17:00", None),
                        shift("b", "2025-05-06T08:00", "2025-05-06T17:00", "luc"),
                    ],
                }
            ]
        ),
    )
    sched = await schedule(db)
    async with db.read() as s:
        # After the empty shift ended: nobody, and no error either.
        assert await who_is_on_call(s, sched, local(2025, 5, 5, 20)) == []
        [empty] = await who_is_on_call(s, sched, local(2025, 5, 5, 9))
    assert empty.contact is None
    assert empty.until == local(2025, 5, 6, 8)  # nobody through the night either
    assert empty.next_contact.key == "luc"  # after the night without shift
    assert empty.next_at == local(2025, 5, 6, 8)


async def test_next_changes_lists_handovers_and_holes(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("a", "2025-05-05T08:00", "2025-05-05T17:00", "anthony"),
                        shift("b", "2025-05-05T17:00", "2025-05-06T08:00", "anthony"),
                        shift("c", "2025-05-06T08:00", "2025-05-06T17:00", "luc"),
                    ],
                }
            ]
        ),
    )
    sched = await schedule(db)
    async with db.read() as s:
        changes = await next_changes(s, sched, local(2025, 5, 5, 9))
    # Anthony's two shifts are one stretch: the first change is Luc, then nobody.
    assert [(c.at, c.contact.key if c.contact else None) for c in changes] == [
        (local(2025, 5, 6, 8), "luc"),
        (local(2025, 5, 6, 17), None),
    ]


async def test_spring_forward_week_is_167_hours_and_the_short_day_is_full(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("w1", "2025-03-03T07:30", "2025-03-10T07:30", "anthony"),
                        shift("w2", "2025-03-10T07:30", "2025-03-17T07:30", None),
                    ],
                }
            ]
        ),
    )
    sched = await schedule(db)
    async with db.read() as s:
        [view] = [v for v in await shifts_between(s, sched, local(2025, 3, 4), local(2025, 3, 5))]
        [who] = await who_is_on_call(s, sched, local(2025, 3, 9, 3, 30))
        cov = (await coverage(s, [sched], date(2025, 3, 8), date(2025, 3, 10)))[sched.id]
    assert view.end - view.start == timedelta(hours=167)
    assert who.contact.key == "anthony"
    assert [d.status for d in cov] == [DayStatus.FULL, DayStatus.FULL, DayStatus.PARTIAL]
    assert cov[2].uncovered == ((local(2025, 3, 10, 7, 30), local(2025, 3, 11)),)
    assert cov[2].uncovered[0][0] == datetime(2025, 3, 10, 11, 30, tzinfo=UTC)


async def test_fall_back_day_has_25_hours_of_coverage(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("d1", "2025-11-02T00:00", "2025-11-03T00:00", None),
                    ],
                }
            ]
        ),
    )
    sched = await schedule(db)
    async with db.read() as s:
        [day] = (await coverage(s, [sched], date(2025, 11, 2), date(2025, 11, 2)))[sched.id]
    assert day.status == DayStatus.NONE
    [(start, end)] = day.uncovered
    assert end - start == timedelta(hours=25)


async def test_coverage_cuts_days_in_each_schedules_own_zone(db):
    # The same UTC day of shift time, in a Toronto and a Vancouver schedule.
    same_utc = ("2025-05-01T00:00-04:00", "2025-05-02T00:00-04:00")
    await load(
        db,
        account_doc(
            [
                {
                    "name": "Est",
                    "timezone": "America/Toronto",
                    "shifts": [shift("e1", *same_utc, "luc")],
                },
                {
                    "name": "Ouest",
                    "timezone": "America/Vancouver",
                    "shifts": [
                        shift("o1", *same_utc, "luc"),
                        shift("o2", "2025-05-02T00:00-04:00", "2025-05-02T12:00-07:00", None),
                    ],
                },
            ]
        ),
    )
    est, ouest = await schedule(db, "Est"), await schedule(db, "Ouest")
    async with db.read() as s:
        cov = await coverage(s, [est, ouest], date(2025, 4, 30), date(2025, 5, 2))
    assert [d.status for d in cov[est.id]] == [
        DayStatus.NO_SHIFTS,
        DayStatus.FULL,
        DayStatus.NO_SHIFTS,
    ]
    # In Vancouver that shift runs Apr 30 21:00 -> May 1 21:00, then nobody until May 2 12:00.
    assert [d.status for d in cov[ouest.id]] == [DayStatus.FULL, DayStatus.PARTIAL, DayStatus.NONE]
    assert cov[ouest.id][1].uncovered == (
        (local(2025, 5, 1, 21, tz=VAN), local(2025, 5, 2, tz=VAN)),
    )


async def test_rank_one_gap_makes_the_day_partial(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("r0", "2025-05-05T00:00", "2025-05-06T00:00", "anthony"),
                        shift("r1", "2025-05-05T00:00", "2025-05-06T00:00", None, rank=1),
                    ],
                }
            ]
        ),
    )
    sched = await schedule(db)
    async with db.read() as s:
        [day] = (await coverage(s, [sched], date(2025, 5, 5), date(2025, 5, 5)))[sched.id]
    assert day.status == DayStatus.PARTIAL


async def test_view_lists_shifts_of_the_period_with_refs(db):
    await load(db, account_doc([WEEKS]))
    sched = await schedule(db)
    async with db.read() as s:
        views = await shifts_between(s, sched, local(2025, 5, 10), local(2025, 5, 11))
    assert [(v.rank, v.contact.key, v.label) for v in views] == [
        (0, "anthony", "Rotation"),
        (1, "marie", "Rotation"),
    ]
    assert len({v.ref for v in views}) == 2 and all(v.ref > 0 for v in views)


async def test_next_changes_names_a_rank_starting_later_and_a_shift_to_fill(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("a", "2025-05-05T08:00", "2025-05-05T17:00", "anthony"),
                        shift("e", "2025-05-05T17:00", "2025-05-06T08:00", None),
                        shift("r1", "2025-05-05T12:00", "2025-05-05T20:00", "marie", rank=1),
                        shift("r1b", "2025-05-05T22:00", "2025-05-06T06:00", None, rank=1),
                    ],
                }
            ]
        ),
    )
    sched = await schedule(db)
    async with db.read() as s:
        changes = await next_changes(s, sched, local(2025, 5, 5, 9))
    assert [
        (c.at.astimezone(TOR).hour, c.rank, c.contact.key if c.contact else None, c.hole)
        for c in changes
    ] == [
        (12, 1, "marie", False),  # rank 1 has no shift at 09:00: its first holder is listed
        (17, 0, None, False),  # a shift nobody holds
        (20, 1, None, True),  # no rank-1 shift from 20:00 ...
        (22, 1, None, False),  # ... then one nobody holds: a gap to fill, not a hole
        (6, 1, None, True),
        (8, 0, None, True),
    ]


async def test_who_finds_a_handover_weeks_away_and_says_when_there_is_none(db):
    """Luc holds three weekly shifts in a row, then Anthony: the handover is two weeks
    past the first window /oncall who reads; Marie's backup runs past the look-ahead."""
    weeks = [("2025-05-05", "luc"), ("2025-05-12", "luc"), ("2025-05-19", "luc")]
    shifts = [
        shift(f"w{n}", f"{day}T07:30", f"2025-05-{5 + 7 * (n + 1):02d}T07:30", who)
        for n, (day, who) in enumerate(weeks)
    ]
    shifts.append(shift("w3", "2025-05-26T07:30", "2025-06-02T07:30", "anthony"))
    shifts.append(shift("b", "2025-05-05T07:30", "2025-07-01T07:30", "marie", rank=1))
    await load(db, account_doc([{"name": "01 Horaire", "shifts": shifts}]))
    sched = await schedule(db)
    at = local(2025, 5, 6, 12)
    async with db.read() as s:
        [(people, changes)] = await who_and_next(s, [(sched, at)])
    assert [(p.rank, p.contact.key, p.until) for p in people] == [
        (0, "luc", local(2025, 5, 26, 7, 30)),
        (1, "marie", local(2025, 7, 1, 7, 30)),  # her shift's end, past the look-ahead
    ]
    [handover] = [c for c in changes if c.rank == 0][:1]
    assert (handover.at, handover.contact.key) == (local(2025, 5, 26, 7, 30), "anthony")
    assert [c for c in changes if c.rank == 1] == []  # "until at least"


async def test_plain_who_reads_every_schedule_with_its_first_look_in_one_query(db):
    """The schedules in name order, one without any shift and one whose first shift is two
    weeks away included: each gets its own answer from the same query's rows."""
    far = shift("f", "2025-05-20T08:00", "2025-05-21T08:00", "marie")
    docs = [
        {"name": "03 Vide", "shifts": []},
        {"name": "01 Horaire", "shifts": WEEKS["shifts"]},
        {"name": "02 Loin", "shifts": [far]},
    ]
    await load(db, account_doc(docs))
    at = local(2025, 5, 6, 12)
    async with db.read() as s:
        schedules, first = await schedules_now(s, (await schedule(db)).account_id, at)
        found = await who_and_next(s, [(sched, at) for sched in schedules], first)
        queries = await who_and_next(s, [(sched, at) for sched in schedules])
    assert [sched.name for sched in schedules] == ["01 Horaire", "02 Loin", "03 Vide"]
    assert found == queries  # as read schedule by schedule
    (horaire, _), (loin, loin_changes), (vide, vide_changes) = found
    assert [(p.contact.key, p.until) for p in horaire] == [("anthony", local(2025, 5, 12, 7, 30))]
    assert loin == [] and [(c.at, c.contact.key) for c in loin_changes[:1]] == [
        (local(2025, 5, 20, 8), "marie")  # past the first look: read again, further
    ]
    assert (vide, vide_changes) == ([], [])


async def test_an_account_without_schedules_has_none_now(db):
    await load(db, account_doc([]))
    async with db.read() as s:
        account_id = await s.scalar(select(Account.id))
        schedules, first = await schedules_now(s, account_id, local(2025, 5, 6, 12))
    assert (schedules, first.timelines.shifts) == ([], {})
