"""Telegram buttons: a press is a command; long commands ride on stored tokens; pages.

Demo facts (tests/contract/test_changes_chat.py): an override of Marc over 03-16 12:00
→ 03-18 12:00 in « 01 Horaire » crosses shifts #3 and #5 and needs a Confirm; new refs
start at #51.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.adapters.telegram.tables import CallbackToken
from core.models import Override
from testing.telegram_world import STRANGER, TelegramWorld, buttons, message, press
from tests.conftest import NOW

SPLIT = "/override marc 03-16 12:00 03-18 12:00 01"
CONFIRM = '/override @marc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" rank 0 confirm'


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        yield opened


async def overrides(world) -> list[Override]:
    async with world.garde.db.read() as session:
        return list(await session.scalars(select(Override).where(Override.removed_at.is_(None))))


async def test_confirm_is_a_stored_token_and_pressing_it_saves_both_overrides(world):
    plan = await world.say(SPLIT)
    assert "Nothing is saved until you confirm." in plan["text"]
    data = buttons(plan)["Confirm"]
    assert len(CONFIRM.encode()) > 64 and data.startswith("t:") and len(data.encode()) <= 64
    async with world.garde.db.read() as session:
        stored = await session.get(CallbackToken, data[2:])
    assert stored is not None and stored.command == CONFIRM
    assert await overrides(world) == []

    [saved] = await world.exchange(press(data, message_id=7))
    assert saved["text"].startswith("Marc Bouchard covers 01 Horaire")
    assert "overrides #51, #52 saved, one per shift." in saved["text"]
    [answer] = world.fake.of("answerCallbackQuery")
    assert "text" not in answer.params  # answered, silently
    assert sorted(o.ref for o in await overrides(world)) == [51, 52]

    # Undo fits in 64 bytes: the command itself is the callback_data.
    assert buttons(saved)["Undo"] == "/unassign #51 #52"
    await world.exchange(press("/unassign #51 #52"))
    assert await overrides(world) == []
    assert len(world.fake.of("answerCallbackQuery")) == 2


async def test_an_unknown_or_expired_button_says_so_and_runs_nothing(world):
    async with world.garde.db.write() as session:
        session.add(CallbackToken(token="old", command=CONFIRM, created_at=NOW - timedelta(days=8)))
    for data in ("t:old", "t:nothing-here", "p:nothing:1", "p:x", "a:@luc", "bogus"):
        [answer] = await world.exchange(press(data), "answerCallbackQuery")
        assert answer["text"] == "This button has expired. Send the command again."
    assert world.fake.sent() == [] and await overrides(world) == []


async def test_a_press_acts_as_whoever_pressed(world):
    # A button carrying its command runs it with the presser's rights; a stored token
    # is its owner's alone (tests/adapter/test_telegram_hostile.py).
    [refused] = await world.exchange(press("/unassign #3", user_id=STRANGER))
    assert refused["text"].startswith("This chat is not linked to a Garde user yet.")
    assert await overrides(world) == []


async def test_a_long_list_is_paged_in_place(world):
    world.adapter.chat.rows_per_page = 3
    [first] = await world.exchange(message("/oncall view month 01"))
    assert "#1 " in first["text"] and "#4 " not in first["text"]
    keys = buttons(first)
    assert keys["1/3"].startswith("p:") and "◀" not in keys
    assert keys["Unassign #3"] == "/unassign #3"  # the list's own buttons stay

    [second] = await world.exchange(press(keys["▶"], message_id=42), "editMessageText")
    assert second["message_id"] == "42"
    assert "#4 " in second["text"] and "#1 " not in second["text"]
    assert second["text"].startswith("<b>01 Horaire</b>")  # each page has the title
    assert set(buttons(second)) >= {"◀", "2/3", "▶", "Unassign #3"}

    [third] = await world.exchange(press(buttons(second)["▶"]), "editMessageText")
    assert "#8 " in third["text"] and "▶" not in buttons(third)
    # The page number itself changes nothing; every press is answered.
    await world.exchange(press(buttons(third)["3/3"]), "editMessageText")
    assert len(world.fake.of("answerCallbackQuery")) == 3
    assert len(world.fake.sent()) == 1  # paging never sends a new message
