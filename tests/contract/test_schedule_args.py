"""The SCHEDULE after a SHIFT, and one schedule matcher for every command.

Demo facts (today Wed 2025-03-12 10:00 Toronto): « 02 Soirs » has a shift every
evening 17:00 → 08:00 (#22 starts Fri 03-14 17:00, nobody assigned); « 01 Horaire »
has no shift starting then. Replies are read as ``Reply`` objects.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.contract import Visibility
from core.oncall.who import who_is_on_call
from tests.builders import schedule

TZ = ZoneInfo("America/Toronto")


async def test_assign_takes_the_schedule_after_the_shift_start(ask, garde):
    [reply] = await ask('/assign @luc 03-14 17:00 "02 Soir"', user="alice")
    assert reply.visibility is Visibility.IN_CHANNEL
    assert reply.text.startswith("Luc Lambert is now assigned to shift #22 of 02 Soirs")
    soirs = await schedule(garde.db, "02 Soirs")
    async with garde.db.read() as session:
        first = (await who_is_on_call(session, soirs, datetime(2025, 3, 14, 20, tzinfo=TZ)))[0]
    assert first.contact is not None and first.contact.name == "Luc Lambert"


async def test_a_schedule_word_after_a_ref_must_be_the_shifts_schedule(ask):
    [reply] = await ask("/comment #22 horaire Rappeler après 22 h", user="alice")
    assert reply.text == "Shift #22 is not a shift of 01 Horaire."
    [reply] = await ask("/comment #22 soirs Rappeler après 22 h", user="alice")
    assert "Comment saved on shift #22 of 02 Soirs" in reply.text
    assert "“Rappeler après 22 h”" in reply.text


async def test_override_and_views_read_a_schedule_word_alike(ask):
    [view] = await ask("/oncall view day 03-14 soirs")
    assert view.title == "02 Soirs"
    [saved] = await ask("/override @luc 03-14 19:00 03-15 07:00 soirs", user="alice")
    assert saved.text.startswith("Override #51 saved: Luc Lambert covers 02 Soirs")
    [accents] = await ask("/override @luc 03-14 19:00 03-15 07:00 SOÏRS", user="alice")
    assert accents.text.startswith("Nothing changed: Luc Lambert is already on call")


async def test_swap_takes_a_schedule_after_each_shift(ask):
    [reply] = await ask("/swap 03-14 17:00 soirs 03-15 17:00 soirs", user="alice")
    assert reply.text == "Assignees of shifts #22 and #23 swapped:"
    assert [row[0] for row in reply.rows[1:]] == ["#22", "#23"]
