"""Override, unassign, assign (recurring), swap and comment, with their history."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlalchemy import func, select

from core.errors import Invalid, NotFound
from core.models import Assignment, AuditEntry, Override, Shift
from core.oncall.overrides import plan_override, save_override
from core.oncall.shiftops import assign, comment, swap, unassign
from core.oncall.who import shifts_between, who_is_on_call
from tests.builders import ME, account_doc, account_id, contact, load, schedule, shift
from tests.unit.test_oncall import WEEKS, local

NOW = local(2025, 5, 6, 12)


async def who(db, at, name=None):
    sched = await schedule(db, name) if name else await schedule(db)
    async with db.read() as s:
        return {o.rank: o for o in await who_is_on_call(s, sched, at)}


async def override(db, key, start, end, *, now=NOW, rank=0, name=None):
    sched = await schedule(db, name) if name else await schedule(db)
    person = await contact(db, key)
    async with db.write() as s:
        plan = await plan_override(s, sched, person, start, end, now=now, rank=rank)
        refs = await save_override(s, plan, origin=ME, now=now)
    return plan, refs


async def ref_of(db, ext_id):
    async with db.read() as s:
        return await s.scalar(select(Shift.ref).where(Shift.ext_id == ext_id))


async def count(db, model, *where):
    async with db.read() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_override_across_two_shifts_is_split_and_confirmed(db):
    await load(db, account_doc([WEEKS]))
    sched, marie = await schedule(db), await contact(db, "marie")
    async with db.read() as s:
        plan = await plan_override(
            s, sched, marie, local(2025, 5, 11, 19), local(2025, 5, 13, 7, 30), now=NOW
        )
    assert plan.needs_confirmation
    assert [(p.start, p.end) for p in plan.pieces] == [
        (local(2025, 5, 11, 19), local(2025, 5, 12, 7, 30)),
        (local(2025, 5, 12, 7, 30), local(2025, 5, 13, 7, 30)),
    ]
    assert [[c.key for c in p.replaced] for p in plan.pieces] == [["anthony"], ["luc"]]
    assert await count(db, Override) == 0  # planning writes nothing
    _, refs = await override(db, "marie", local(2025, 5, 11, 19), local(2025, 5, 13, 7, 30))
    assert len(refs) == 2
    night = (await who(db, local(2025, 5, 12, 2)))[0]
    assert (night.contact.key, night.original.key) == ("marie", "anthony")
    assert night.until == local(2025, 5, 13, 7, 30)  # one stretch across both shifts
    assert night.next_contact.key == "luc"
    assert (await who(db, local(2025, 5, 11, 18)))[0].contact.key == "anthony"
    assert (await who(db, local(2025, 5, 13, 8)))[0].contact.key == "luc"
    assert await count(db, AuditEntry, AuditEntry.action == "override") == 2


async def test_override_two_days_inside_one_shift_needs_no_confirmation(db):
    await load(db, account_doc([WEEKS]))
    plan, [ref] = await override(db, "luc", local(2025, 5, 7, 7, 30), local(2025, 5, 9, 7, 30))
    assert not plan.needs_confirmation
    assert (await who(db, local(2025, 5, 8)))[0].override_ref == ref


@pytest.mark.parametrize(
    ("start", "end", "pieces", "left_out"),
    [
        # Before the first shift: the shift time is covered, the hour before left out.
        (
            local(2025, 5, 5, 6),
            local(2025, 5, 6, 7),
            [(local(2025, 5, 5, 7, 30), local(2025, 5, 6, 7))],
            [(local(2025, 5, 5, 6), local(2025, 5, 5, 7, 30))],
        ),
        # Past the last shift.
        (
            local(2025, 5, 18),
            local(2025, 5, 20),
            [(local(2025, 5, 18), local(2025, 5, 19, 7, 30))],
            [(local(2025, 5, 19, 7, 30), local(2025, 5, 20))],
        ),
    ],
)
async def test_override_leaving_shift_time_covers_only_the_shift_time(
    db, start, end, pieces, left_out
):
    await load(db, account_doc([WEEKS]))
    plan, [ref] = await override(db, "luc", start, end, now=local(2025, 5, 1))
    assert plan.needs_confirmation  # what is saved is not what was typed: shown first
    assert [(p.start, p.end) for p in plan.pieces] == pieces
    assert list(plan.left_out) == left_out
    async with db.read() as s:
        row = await s.scalar(select(Override).where(Override.ref == ref))
    assert (row.start_at, row.end_at) == pieces[0]


async def test_override_over_two_nights_skips_the_day_between_and_a_span_with_no_shift_is_refused(
    db,
):
    nights = {
        "name": "02 Soirs",
        "shifts": [
            shift("n1", "2025-05-06T17:00", "2025-05-07T08:00", "anthony"),
            shift("n2", "2025-05-07T17:00", "2025-05-08T08:00", None),
        ],
    }
    await load(db, account_doc([nights]))
    sched, luc = await schedule(db, "02 Soirs"), await contact(db, "luc")
    now = local(2025, 5, 6, 8)
    async with db.read() as s:
        plan = await plan_override(
            s, sched, luc, local(2025, 5, 6, 17), local(2025, 5, 8, 8), now=now
        )
    assert plan.needs_confirmation
    assert [(p.start, p.end, [c and c.key for c in p.replaced]) for p in plan.pieces] == [
        (local(2025, 5, 6, 17), local(2025, 5, 7, 8), ["anthony"]),
        (local(2025, 5, 7, 17), local(2025, 5, 8, 8), [None]),
    ]
    assert plan.left_out == ((local(2025, 5, 7, 8), local(2025, 5, 7, 17)),)
    assert await count(db, Override) == 0  # planning writes nothing
    async with db.write() as s:
        refs = await save_override(s, plan, origin=ME, now=now)
    assert len(refs) == 2
    assert (await who(db, local(2025, 5, 6, 22), "02 Soirs"))[0].contact.key == "luc"
    assert (await who(db, local(2025, 5, 7, 22), "02 Soirs"))[0].contact.key == "luc"
    with pytest.raises(Invalid) as daytime:  # only daytime: no shift lies in the span
        await override(
            db, "luc", local(2025, 5, 7, 9), local(2025, 5, 7, 16), now=now, name="02 Soirs"
        )
    assert "no shift" in daytime.value.key
    assert await count(db, Override) == 2


async def test_override_in_the_past_is_refused(db):
    await load(
        db,
        account_doc(
            [
                {
                    "name": "01 Horaire",
                    "shifts": [
                        shift("a", "2025-05-06T08:00", "2025-05-06T17:00"),
                        shift("b", "2025-05-07T08:00", "2025-05-07T17:00"),
                    ],
                }
            ]
        ),
    )
    with pytest.raises(Invalid) as past:
        await override(
            db, "luc", local(2025, 5, 6, 9), local(2025, 5, 6, 10), now=local(2025, 5, 6, 11)
        )
    assert "past" in past.value.key
    with pytest.raises(Invalid):  # a rank with no shift at all
        await override(
            db, "luc", local(2025, 5, 6, 9), local(2025, 5, 6, 10), now=local(2025, 5, 6, 8), rank=1
        )
    assert await count(db, Override) == 0


async def test_newest_override_wins_and_its_unassign_restores_what_it_replaced(db):
    await load(db, account_doc([WEEKS]))
    aid = await account_id(db)
    await override(db, "luc", local(2025, 5, 6, 18), local(2025, 5, 8, 8))
    _, [newer] = await override(db, "marie", local(2025, 5, 7, 8), local(2025, 5, 7, 20))
    assert (await who(db, local(2025, 5, 7, 12)))[0].contact.key == "marie"
    assert (await who(db, local(2025, 5, 7, 21)))[0].contact.key == "luc"
    async with db.write() as s:
        result = await unassign(s, aid, newer, origin=ME, now=NOW)
    # Luc's older override comes back where Marie's covered it, not the base assignee.
    assert (result.kind, result.removed.key, result.now_on_call.key) == (
        "override",
        "marie",
        "luc",
    )
    assert [(h.start, h.end, h.contact.key) for h in result.back] == [
        (local(2025, 5, 7, 8), local(2025, 5, 7, 20), "luc")
    ]
    assert result.back[0].override_ref is not None
    assert (await who(db, local(2025, 5, 7, 12)))[0].contact.key == "luc"
    assert (await who(db, local(2025, 5, 6, 20)))[0].contact.key == "luc"
    assert (await who(db, local(2025, 5, 8, 7)))[0].contact.key == "luc"
    assert await count(db, Override) == 2  # history kept
    assert await count(db, Override, Override.removed_at.is_not(None)) == 1
    async with db.write() as s:
        with pytest.raises(Invalid):
            await unassign(s, aid, newer, origin=ME, now=NOW)


async def test_unassign_reveals_the_older_override_and_the_base_beyond_it(db):
    await load(db, account_doc([WEEKS]))
    aid = await account_id(db)
    _, older = await override(db, "luc", local(2025, 5, 7, 10), local(2025, 5, 7, 14))
    _, [newer] = await override(db, "marie", local(2025, 5, 7, 8), local(2025, 5, 7, 20))
    async with db.write() as s:
        result = await unassign(s, aid, newer, origin=ME, now=NOW)
    assert [(h.start, h.end, h.contact.key, h.override_ref) for h in result.back] == [
        (local(2025, 5, 7, 8), local(2025, 5, 7, 10), "anthony", None),
        (local(2025, 5, 7, 10), local(2025, 5, 7, 14), "luc", older[0]),
        (local(2025, 5, 7, 14), local(2025, 5, 7, 20), "anthony", None),
    ]
    assert result.now_on_call is None  # several people in turn
    assert (await who(db, local(2025, 5, 7, 9)))[0].contact.key == "anthony"
    assert (await who(db, local(2025, 5, 7, 12)))[0].contact.key == "luc"
    # Removing the older one too leaves the base everywhere; history keeps both.
    async with db.write() as s:
        await unassign(s, aid, older[0], origin=ME, now=NOW)
    assert (await who(db, local(2025, 5, 7, 12)))[0].contact.key == "anthony"
    assert await count(db, Override) == 2


async def test_unassign_a_base_assignment_empties_the_shift(db):
    await load(db, account_doc([WEEKS]))
    aid, ref = await account_id(db), await ref_of(db, "s2")
    async with db.write() as s:
        result = await unassign(s, aid, ref, origin=ME, now=NOW)
    assert (result.kind, result.removed.key, result.now_on_call) == ("shift", "luc", None)
    assert (await who(db, local(2025, 5, 13)))[0].contact is None
    async with db.write() as s:
        with pytest.raises(Invalid):
            await unassign(s, aid, ref, origin=ME, now=NOW)
    async with db.write() as s:
        with pytest.raises(NotFound):
            await unassign(s, aid, 9999, origin=ME, now=NOW)


async def test_changes_to_a_past_shift_are_refused(db):
    await load(db, account_doc([WEEKS]))
    aid, ref, luc = await account_id(db), await ref_of(db, "s1"), await contact(db, "luc")
    async with db.write() as s:
        with pytest.raises(Invalid):
            await assign(s, aid, ref, luc, origin=ME, now=local(2025, 5, 13))


RECURRING = {
    "name": "01 Horaire",
    "shifts": [
        shift(f"w{d}", f"2025-{d}T07:30", f"2025-{e}T07:30", None)
        for d, e in [
            ("02-24", "03-03"),
            ("03-03", "03-10"),
            ("03-10", "03-17"),
            ("03-17", "03-24"),
            ("03-24", "03-31"),
            ("03-31", "04-07"),
        ]
    ],
}


async def test_assign_recurring_keeps_the_wall_clock_slot_across_dst(db):
    await load(db, account_doc([RECURRING]))
    aid, luc, first = await account_id(db), await contact(db, "luc"), await ref_of(db, "w02-24")
    now = local(2025, 2, 25)
    async with db.write() as s:
        result = await assign(s, aid, first, luc, origin=ME, now=now, weeks=4)
    assert [a.start for a in result.assigned] == [
        local(2025, 2, 24, 7, 30),
        local(2025, 3, 3, 7, 30),
        local(2025, 3, 10, 7, 30),
        local(2025, 3, 17, 7, 30),
    ]
    assert result.missing_weeks == ()
    async with db.write() as s:
        again = await assign(s, aid, first, luc, origin=ME, now=now, until=date(2025, 3, 24))
    assert [a.start.astimezone(UTC).date() for a in again.assigned] == [date(2025, 3, 24)]
    assert len(again.unchanged) == 4
    assert await count(db, Assignment, Assignment.source == "chat") == 5
    assert await count(db, AuditEntry, AuditEntry.action == "assign") == 5


async def test_assign_recurring_reports_a_week_without_the_slot(db):
    doc = {**RECURRING, "shifts": [s for s in RECURRING["shifts"] if s["id"] != "w03-10"]}
    await load(db, account_doc([doc]))
    aid, luc, first = await account_id(db), await contact(db, "luc"), await ref_of(db, "w02-24")
    async with db.write() as s:
        result = await assign(s, aid, first, luc, origin=ME, now=local(2025, 2, 25), weeks=4)
    assert len(result.assigned) == 3
    assert result.missing_weeks == (date(2025, 3, 10),)
    async with db.write() as s:
        with pytest.raises(Invalid):
            await assign(s, aid, first, luc, origin=ME, now=local(2025, 2, 25), weeks=0)


async def test_swap_exchanges_assignees_and_comment_changes_nobody(db):
    await load(db, account_doc([WEEKS]))
    aid = await account_id(db)
    a, b = await ref_of(db, "s1"), await ref_of(db, "s2")
    async with db.write() as s:
        result = await swap(s, aid, a, b, origin=ME, now=NOW)
    assert (result.first_contact.key, result.second_contact.key) == ("luc", "anthony")
    assert (await who(db, local(2025, 5, 7)))[0].contact.key == "luc"
    async with db.write() as s:
        await comment(s, aid, a, "Luc remplace Anthony", origin=ME, now=NOW)
    sched = await schedule(db)
    async with db.read() as s:
        views = await shifts_between(s, sched, local(2025, 5, 7), local(2025, 5, 8))
    assert views[0].comment == "Luc remplace Anthony"
    assert (await who(db, local(2025, 5, 7)))[0].contact.key == "luc"
    async with db.write() as s:
        with pytest.raises(Invalid):
            await swap(s, aid, a, a, origin=ME, now=NOW)
    actions = await count(db, AuditEntry, AuditEntry.action.in_(["swap", "comment"]))
    assert actions == 2


async def test_refs_of_another_account_are_not_found(db):
    await load(db, account_doc([WEEKS]))  # refs #1 to #3
    await load(
        db,
        account_doc(
            [
                {
                    "name": "Autre",
                    "shifts": [
                        shift(f"x{n}", f"2025-05-0{n}T07:30", f"2025-05-0{n}T17:30")
                        for n in range(1, 5)
                    ],
                }
            ],
            number="4100",
        ),
    )
    only_there = await ref_of(db, "x4")
    assert only_there == 4
    async with db.write() as s:
        with pytest.raises(NotFound):
            await unassign(s, await account_id(db), only_there, origin=ME, now=NOW)
        assert (
            await unassign(
                s, await account_id(db, "4100"), only_there, origin=ME, now=local(2025, 5, 1)
            )
        ).kind == "shift"
