"""Hostile Telegram input (issue 10): someone else's buttons, updates of the wrong shape.

A stored button token (``t:`` command, ``p:`` page) belongs to the chat, the user and
the account it was made for: anyone else pressing it is told it is not theirs and sees
nothing. Updates whose fields have the wrong types, or nested 5,000 levels deep, are
refused with 400 and one log line, never an error with a traceback.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.adapters.telegram.tables import CallbackToken
from core.models import Membership, Override, User
from testing.telegram_world import (
    ALICE,
    GROUP,
    SECRET,
    STRANGER,
    TelegramWorld,
    buttons,
    message,
    press,
)

SPLIT = "/override marc 03-16 12:00 03-18 12:00 01"
NOT_YOURS = "This button is not yours: send the command yourself."


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        yield opened


async def paged(world, chat_id: int | None = None) -> dict[str, str]:
    """Alice's /oncall view month, three rows a page; its buttons."""
    world.adapter.chat.rows_per_page = 3
    [first] = await world.exchange(message("/oncall view month 01", chat_id=chat_id))
    return buttons(first)


async def refused_press(world, data: str, **kw) -> None:
    sent, edited = len(world.fake.sent()), len(world.fake.of("editMessageText"))
    [answer] = await world.exchange(press(data, **kw), "answerCallbackQuery")
    assert answer["text"] == NOT_YOURS
    assert len(world.fake.sent()) == sent and len(world.fake.of("editMessageText")) == edited


async def test_a_page_token_is_refused_to_an_unlinked_user(world):
    keys = await paged(world)
    await refused_press(world, keys["▶"], user_id=STRANGER)  # in the stranger's own chat
    await refused_press(world, keys["▶"], user_id=STRANGER, chat_id=ALICE)  # forged chat


async def test_a_page_token_is_refused_to_another_member_of_the_group(world):
    keys = await paged(world, chat_id=GROUP)
    await refused_press(world, keys["▶"], user_id=STRANGER, chat_id=GROUP)
    # Alice, in the group where she asked, pages on.
    [second] = await world.exchange(press(keys["▶"], chat_id=GROUP), "editMessageText")
    assert "#4 " in second["text"]


async def test_a_page_token_is_refused_to_its_owner_elsewhere(world):
    keys = await paged(world, chat_id=GROUP)
    await refused_press(world, keys["▶"])  # Alice, but in her private chat


async def test_a_page_token_is_refused_once_its_account_is_gone(world):
    keys = await paged(world)
    async with world.garde.db.write() as session:
        alice = await session.scalar(select(User.id).where(User.username == "alice"))
        for row in await session.scalars(select(Membership).where(Membership.user_id == alice)):
            await session.delete(row)
    await refused_press(world, keys["▶"])


async def test_a_command_token_is_bound_too(world):
    plan = await world.say(SPLIT, chat_id=GROUP)
    data = buttons(plan)["Confirm"]
    assert data.startswith("t:")
    async with world.garde.db.read() as session:
        stored = await session.get(CallbackToken, data[2:])
    assert (stored.conversation_id, stored.user_id) == (str(GROUP), str(ALICE))
    assert stored.account_id is not None
    await refused_press(world, data, user_id=STRANGER, chat_id=GROUP)
    async with world.garde.db.read() as session:
        assert list(await session.scalars(select(Override))) == []


def _deep(levels: int) -> bytes:
    return (
        b'{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 1, '
        b'"type": "private"}, "text": "/help", "reply_to_message": '
        + b'{"x": ' * levels
        + b"1"
        + b"}" * levels
        + b"}}"
    )


async def post_raw(world, body: bytes) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with world.http.post(
        world.base_url + "/telegram/webhook", data=body, headers=headers
    ) as response:
        return response.status


def _bad(update: dict, path: tuple[str, ...], value) -> dict:
    inner = update
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return update


@pytest.mark.parametrize(
    "update",
    [
        _bad(message("/oncall"), ("message", "text"), 12345),
        _bad(message("/oncall"), ("message", "text"), ["/oncall"]),
        _bad(message("/oncall"), ("message", "from", "id"), "100200300"),
        _bad(message("/oncall"), ("message", "chat"), "private"),
        _bad(message("/oncall"), ("message", "entities"), [{"type": 5}]),
        _bad(press("/oncall"), ("callback_query", "data"), 12345),
        _bad(press("/oncall"), ("callback_query", "from"), None),
        _bad(message("/oncall"), ("update_id",), "1"),
        [1, 2, 3],
        "text",
    ],
)
async def test_an_update_of_the_wrong_shape_is_400_without_an_error(world, caplog, update):
    caplog.set_level(logging.INFO)
    assert await world.post(update) == 400
    await world.post(message("/help"))  # a good one after it: handled in order
    await world.fake.wait_for("sendMessage", 1)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


@pytest.mark.parametrize("levels", [5_000, 100_000])
async def test_a_deeply_nested_update_is_400(world, caplog, levels):
    caplog.set_level(logging.INFO)
    assert await post_raw(world, _deep(levels)) == 400
    assert await post_raw(world, b"\xff\xfe not json") == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_moderately_nested_update_does_not_break_the_bot(world, caplog):
    caplog.set_level(logging.INFO)
    assert await post_raw(world, _deep(800)) in (200, 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_text_that_is_not_a_string_is_ignored_by_polling_too(db_url, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with TelegramWorld.open(db_url, tmp_path, webhook=False) as world:
        bad = _bad(message("/oncall"), ("message", "text"), 12345)
        world.fake.add_update({"message": bad["message"]})
        world.fake.add_update({"message": message("/help")["message"]})
        await world.fake.wait_for("sendMessage", 1)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
