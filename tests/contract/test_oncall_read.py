"""/oncall who, next, schedules and view through the dispatcher, on the demo data.

The demo's day is Wednesday 2025-03-12 10:00 in Toronto: « 01 Horaire » has Luc on
rank 0 until Monday 03-17 07:30, then an empty week; Marie is rank 1 from Friday
17:00; « 02 Soirs » has no shift at 10:00, Sophie from 17:00, nobody on the evenings
of 03-14, 03-21 and 03-22. Tests whose names end in ``_fr`` need the French catalog
with /tmp/i18n/oncall.py merged.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from sqlalchemy import delete, select

from bot.app import link_console
from bot.contract import Actor, Conversation, Reply
from core.models import Account, Override, Schedule, Shift
from core.oncall.overrides import plan_override, save_override
from tests.builders import ME, contact, schedule
from tests.contract.conftest import NOW

TORONTO = NOW.tzinfo


def plain(text: str) -> str:
    """Babel's narrow and no-break spaces (``7:30\u202fa.m.``) as plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def ask(say):
    """``say``, with the reply's spaces made plain so that assertions read naturally."""

    async def run(text: str, **kwargs) -> str:
        return plain(await say(text, **kwargs))

    return run


def local(text: str) -> datetime:
    """``"2025-03-13 17:00"`` in Toronto."""
    return datetime.fromisoformat(text).replace(tzinfo=TORONTO)


async def replies(
    garde, text: str, *, user: str = "demo", lang: str = "en", account: str | None = None
) -> list[Reply]:
    """The Reply objects themselves, to check buttons and flags rather than rendered text."""
    await link_console(garde.db, user, NOW, account)
    actor, where = Actor("console", user, name=user), Conversation("console", user)
    out = await garde.dispatcher.run(text, actor, where, NOW, lang=lang)
    return [
        dataclasses.replace(
            r, text=plain(r.text), rows=[[plain(cell) for cell in row] for row in r.rows]
        )
        for r in out
    ]


def commands(reply: Reply) -> list[str]:
    return [a.command for a in reply.actions]


async def ref_at(garde, name: str, start: str, rank: int = 0) -> int:
    """The short ref of the shift of schedule ``name`` starting at local ``start``."""
    sched = await schedule(garde.db, name)
    async with garde.db.read() as session:
        return await session.scalar(
            select(Shift.ref).where(
                Shift.schedule_id == sched.id, Shift.start_at == local(start), Shift.rank == rank
            )
        )


async def add_override(garde, key: str, start: str, end: str, name: str = "01 Horaire") -> int:
    """Save an override through the engine, as /override will; return its ref."""
    sched, who = await schedule(garde.db, name), await contact(garde.db, key)
    async with garde.db.write() as session:
        plan = await plan_override(session, sched, who, local(start), local(end), now=NOW)
        [ref] = await save_override(session, plan, origin=ME, now=NOW)
    return ref


# --------------------------------------------------------------------------- who


async def test_who_now_answers_for_every_schedule_with_phone_until_and_next(ask):
    text = await ask("/oncall")
    horaire, soirs = text.split("\n\n02 Soirs\n")
    assert "Rank 0 (Rotation): Luc Lambert · +15145550101, until Mon, Mar 17 7:30 a.m." in horaire
    assert "then ⚠️ nobody" in horaire  # the empty week that follows is flagged
    assert "Rank 1" not in horaire  # the weekend backup has no shift on a Wednesday
    assert '[Next] -> /oncall next "01 Horaire"' in horaire
    assert '[Week] -> /oncall view week "01 Horaire"' in horaire
    assert "No shift at this time." in soirs
    assert "Next shift from Wed, Mar 12 5:00 p.m.: Sophie Gagnon · +15145550107." in soirs
    assert await ask("/oncall who") == text


async def test_who_at_a_time_lists_ranks_in_order(ask):
    text = await ask('/oncall who "01 Horaire" at 03-14 19:00')
    assert text.startswith("01 Horaire\n") and "02 Soirs" not in text
    assert "On call at Fri, Mar 14 7:00 p.m.:" in text
    first = text.index("Rank 0 (Rotation): Luc Lambert · +15145550101")
    second = text.index("Rank 1 (Relève): Marie Tremblay · +15145550105")
    assert first < second
    assert "then no shift at this rank" in text  # the backup's weekend ends: no gap
    assert '[Week] -> /oncall view week 2025-03-14 "01 Horaire"' in text


async def test_who_flags_a_shift_with_nobody(ask):
    text = await ask("/oncall who soirs at 03-14 19:00")
    assert "Rank 0 (Soir): ⚠️ nobody, until Sat, Mar 15 8:00 a.m." in text


async def test_who_accepts_french_words_and_a_time_without_at(ask):
    french = await ask("/garde qui 01 à demain 19h")
    assert "On call at Thu, Mar 13 7:00 p.m.:" in french and "Luc Lambert" in french
    assert await ask("/oncall 01 03-13 19:00") == french


async def test_who_at_the_fall_back_hour_takes_the_first_and_says_so(ask):
    text = await ask("/oncall who 01 at 2025-11-02 01:30")
    assert "On call at Sun, Nov 2 1:30 a.m.:" in text
    assert "That time occurs twice (clocks go back); this is the first one." in text
    assert "No shift at this time." in text  # the demo's shifts end in April


async def test_who_names_the_override_and_the_person_it_replaces(ask, garde):
    ref = await add_override(garde, "marie", "2025-03-13 17:00", "2025-03-14 08:00")
    text = await ask("/oncall who 01 at 03-13 19:00")
    assert (
        f"Rank 0 (Rotation): Marie Tremblay · +15145550105, replacing Luc Lambert "
        f"(override #{ref}), until Fri, Mar 14 8:00 a.m." in text
    )
    assert "then Luc Lambert" in text


async def test_who_in_french_fr(ask):
    text = await ask('/garde qui "01 Horaire" à 03-14 19h', lang="fr")
    assert "De garde le ven. 14 mars 19 h 00 :" in text
    assert "Rang 0 (Rotation) : Luc Lambert · +15145550101, jusqu'au lun. 17 mars 07 h 30" in text
    assert "puis ⚠️ personne" in text
    assert "[Semaine] -> /oncall view week 2025-03-14" in text


# --------------------------------------------------------------------------- next


async def test_next_lists_handovers_and_tells_gaps_from_the_end_of_shift_time(ask):
    text = await ask('/oncall next "02 Soirs"')
    lines = text.splitlines()
    wanted = [
        "Wed, Mar 12 5:00 p.m. · rank 0: Sophie Gagnon · +15145550107",
        "Thu, Mar 13 8:00 a.m. · rank 0: no shift",
        "Thu, Mar 13 5:00 p.m. · rank 0: Hélène Roy · +15145550104",
        "Fri, Mar 14 8:00 a.m. · rank 0: no shift",
        "Fri, Mar 14 5:00 p.m. · rank 0: ⚠️ nobody",
    ]
    assert lines[2] == "Next changes of who is on call:" and lines[3:8] == wanted
    assert sum(" · rank " in line for line in lines) == 10
    assert '[Now] -> /oncall who "02 Soirs"' in text


async def test_next_without_a_name_covers_each_schedule(ask):
    text = await ask("/oncall suivant")
    assert "01 Horaire\n" in text and "02 Soirs\n" in text
    assert "Fri, Mar 14 5:00 p.m. · rank 1: Marie Tremblay · +15145550105" in text
    assert "Mon, Mar 17 7:30 a.m. · rank 0: ⚠️ nobody" in text
    assert "Mon, Mar 17 7:30 a.m. · rank 1: no shift" in text


# --------------------------------------------------------------------------- schedules


async def test_schedules_lists_names_and_zones_with_a_button_each(garde):
    [reply] = await replies(garde, "/oncall horaires")
    assert reply.rows == [
        ["Schedule", "Time zone"],
        ["01 Horaire", "America/Toronto"],
        ["02 Soirs", "America/Toronto"],
    ]
    assert commands(reply) == ['/oncall who "01 Horaire"', '/oncall who "02 Soirs"']


# --------------------------------------------------------------------------- view


async def test_week_view_shows_refs_assignees_comments_and_scheduler_buttons(garde):
    luc = await ref_at(garde, "01 Horaire", "2025-03-10 07:30")
    marie = await ref_at(garde, "01 Horaire", "2025-03-14 17:00", rank=1)
    before = await ref_at(garde, "01 Horaire", "2025-03-03 07:30")
    [reply] = await replies(garde, '/oncall view week 03-12 "01 Horaire"', user="alice")
    assert reply.title == "01 Horaire" and reply.text == "Shifts from Mon, Mar 10 to Sun, Mar 16:"
    assert reply.rows[0] == [
        "Ref", "Start", "End", "Rank", "Shift", "Contact", "On call", "Comment"
    ]  # fmt: skip
    row = next(r for r in reply.rows if r[0] == f"#{luc}")
    assert row[1:] == [
        "Mon, Mar 10 7:30 a.m.",
        "Mon, Mar 17 7:30 a.m.",
        "0",
        "Rotation",
        "Luc Lambert",
        "Luc Lambert",
        "Cellulaire seulement après 22 h",
    ]
    assert commands(reply) == [
        f"/unassign #{luc}",
        f"/unassign #{marie}",
        '/oncall view week 2025-03-03 "01 Horaire"',
        '/oncall view week 2025-03-17 "01 Horaire"',
    ]
    assert f"/unassign #{before}" not in commands(reply)  # over: nothing to change


async def test_view_buttons_to_change_are_only_for_schedulers(garde):
    [reply] = await replies(garde, '/oncall view week 03-12 "01 Horaire"', user="bob")
    assert len(reply.rows) == 5
    assert not any(c.startswith("/unassign") for c in commands(reply))
    assert commands(reply) == [
        '/oncall view week 2025-03-03 "01 Horaire"',
        '/oncall view week 2025-03-17 "01 Horaire"',
    ]


async def test_view_shows_an_override_as_who_is_on_call_with_its_own_row(garde):
    ref = await add_override(garde, "marie", "2025-03-13 17:00", "2025-03-14 08:00")
    luc = await ref_at(garde, "01 Horaire", "2025-03-10 07:30")
    [reply] = await replies(garde, "/oncall vue jour 03-13 01", user="alice")
    shift = next(r for r in reply.rows if r[0] == f"#{luc}")
    assert shift[5:7] == ["Luc Lambert", f"Luc Lambert, Marie Tremblay (override #{ref})"]
    override = next(r for r in reply.rows if r[0].strip() == f"#{ref}")
    assert override[1:] == [
        "Thu, Mar 13 5:00 p.m.",
        "Fri, Mar 14 8:00 a.m.",
        "0",
        "override",
        "",
        f"Marie Tremblay (override #{ref})",
        "",
    ]
    remove = next(a for a in reply.actions if a.command == f"/unassign #{ref}")
    assert remove.label == f"Remove override #{ref}"
    assert '/oncall view day 2025-03-14 "01 Horaire"' in commands(reply)


async def test_day_view_flags_an_empty_shift_and_offers_no_unassign_for_it(garde):
    empty = await ref_at(garde, "02 Soirs", "2025-03-14 17:00")
    [reply] = await replies(garde, "/oncall view day 03-14 soirs", user="alice")
    row = next(r for r in reply.rows if r[0] == f"#{empty}")
    assert row[5:7] == ["⚠️ nobody", "⚠️ nobody"]
    assert f"/unassign #{empty}" not in commands(reply)
    assert len(reply.rows) == 3  # the night before, ending at 08:00, touches the day too


async def test_month_view_keeps_the_buttons_few(garde):
    [reply] = await replies(garde, '/oncall view month "02 Soirs"', user="alice")
    assert reply.text == "Shifts of March 2025:"
    assert len(reply.rows) == 1 + 27  # March's evenings, less the two without a shift
    assert len(commands(reply)) == 10 + 2  # ten shift buttons at most, then the moves
    assert commands(reply)[-2:] == [
        '/oncall view month 2025-02-01 "02 Soirs"',
        '/oncall view month 2025-04-01 "02 Soirs"',
    ]


async def test_view_reads_a_month_name_or_number_in_any_order(ask):
    april = await ask("/oncall view 2025-04 01")
    assert "Shifts of April 2025:" in april
    assert await ask("/oncall view 01 april") == april
    assert await ask("/oncall view month 04-10 01") == april
    day = await ask('/oncall view "02 Soirs" 03-17 day')
    assert "Shifts of Mon, Mar 17:" in day and day == await ask("/oncall vue jour 03-17 soirs")


async def test_view_with_nothing_in_the_period_says_so(ask):
    text = await ask('/oncall view day 2025-06-01 "01 Horaire"')
    assert "No shifts on Sun, Jun 1." in text
    assert '[Next day ▶] -> /oncall view day 2025-06-02 "01 Horaire"' in text
    month = await ask('/oncall view month 2025-06-01 "01 Horaire"')
    assert "No shifts from Sun, Jun 1 to Mon, Jun 30." in month


async def test_view_in_french_fr(garde):
    [reply] = await replies(garde, '/garde vue semaine 03-12 "01 Horaire"', lang="fr")
    assert reply.text == "Quarts du lun. 10 mars au dim. 16 mars :"
    assert reply.rows[0][:4] == ["Réf.", "Début", "Fin", "Rang"]
    assert "◀ Semaine précédente" in [a.label for a in reply.actions]


async def test_who_in_an_account_without_schedules_says_so(garde):
    """Plain /oncall who reads the schedules with their shifts; with a word, apart: both
    tell an account that has none, and show nothing of another account's."""
    async with garde.db.write() as session:
        plomberie = await session.scalar(select(Account.id).where(Account.number == "4100"))
        ids = select(Schedule.id).where(Schedule.account_id == plomberie)
        shifts = select(Shift.id).where(Shift.schedule_id.in_(ids))
        await session.execute(delete(Override).where(Override.shift_id.in_(shifts)))
        await session.execute(delete(Shift).where(Shift.schedule_id.in_(ids)))
        await session.execute(delete(Schedule).where(Schedule.account_id == plomberie))
    for text in ("/oncall who", "/oncall who 01"):
        [reply] = await replies(garde, text, account="4100")
        assert (reply.text, reply.actions) == ("Account 4100 has no schedule yet.", []), text
