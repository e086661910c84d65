"""Telegram in: the webhook and its secret, long polling, the command menus, groups, links.

The real python-telegram-bot runs inside Garde's aiohttp server and talks to the fake
Bot API (``fake_telegram.py``); replies are read from the fake's recorded calls.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from aiohttp import ClientTimeout
from telegram import Update

from bot.adapters.telegram.adapter import (
    WEBHOOK_PATH,
    ChatOrder,
    TelegramAdapter,
    TelegramStartError,
)
from bot.app import Garde
from bot.settings import Settings
from core.accounts.identity import create_link_code
from testing.fake_telegram import TOKEN, FakeBotAPI
from testing.telegram_world import (
    ALICE,
    GROUP,
    PUBLIC_URL,
    SECRET,
    STRANGER,
    TelegramWorld,
    buttons,
    message,
    press,
)
from tests.conftest import NOW


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        yield opened


async def test_start_sets_the_webhook_with_its_secret_and_the_menus(world):
    assert [c.method for c in world.fake.calls[:4]] == [
        "getMe",
        "setMyCommands",
        "setMyCommands",
        "setWebhook",
    ]
    [hook] = world.fake.of("setWebhook")
    assert hook.params["url"] == PUBLIC_URL + WEBHOOK_PATH
    assert hook.params["secret_token"] == SECRET
    assert hook.params["allowed_updates"] == ["message", "callback_query"]
    assert hook.params["max_connections"] == "100"  # a request lasts as long as its update
    english, french = (c.params for c in world.fake.of("setMyCommands"))
    names = {c["command"]: c["description"] for c in english["commands"]}
    assert "scope" not in english and "language_code" not in english
    assert names["override"] == "A contact covers a span of a schedule in place of its assignee."
    assert {"oncall", "assign", "unassign", "swap", "link", "start", "help"} <= set(names)
    assert "garde" not in names
    assert french["language_code"] == "fr"
    fr_names = [c["command"] for c in french["commands"]]
    assert {"garde", "remplacement", "assigner", "desassigner", "echanger", "aide"} <= set(fr_names)
    assert "désassigner" not in fr_names and "override" not in fr_names
    assert "start" in fr_names  # no French alias: the English name
    assert all(len(c["command"]) <= 32 for c in french["commands"] + english["commands"])


async def test_french_menu_has_french_descriptions_fr(world):
    [_, french] = (c.params for c in world.fake.of("setMyCommands"))
    descriptions = {c["command"]: c["description"] for c in french["commands"]}
    assert descriptions["remplacement"].startswith("Un contact couvre une période")


async def test_webhook_with_the_right_secret_answers_200_then_sends_the_reply(world):
    [first, second] = await world.exchange(message("/oncall"), count=2)
    assert first["chat_id"] == str(ALICE)
    assert first["parse_mode"] == "HTML"
    assert first["text"].startswith("<b>01 Horaire</b>\nOn call now:")
    assert "Luc Lambert" in first["text"]
    assert buttons(first)["Week"] == '/oncall view week "01 Horaire"'
    assert second["text"].startswith("<b>02 Soirs</b>")
    assert first["link_preview_options"] == {"is_disabled": True}


async def test_a_one_message_reply_rides_the_webhook_response(world):
    status, body = await world.answered(message("/oncall who 01"))
    assert status == 200
    carried = json.loads(body)
    assert carried["method"] == "sendMessage"
    assert carried["chat_id"] == ALICE
    assert carried["parse_mode"] == "HTML"
    assert carried["text"].startswith("<b>01 Horaire</b>\nOn call now:")
    assert "Luc Lambert" in carried["text"]
    assert buttons(carried)["Week"] == '/oncall view week "01 Horaire"'
    assert world.fake.sent() == []  # Garde made no request of its own for it
    # Telegram performs it: the chat shows it like any message.
    [shown] = await world.exchange(message("/oncall who 01"))
    assert shown["text"] == carried["text"]
    assert world.fake.of("sendMessage")[-1].via_webhook


async def test_a_reply_of_two_messages_keeps_its_order_the_last_in_the_response(world):
    [first, second] = await world.exchange(message("/oncall"), count=2)
    assert first["text"].startswith("<b>01 Horaire</b>")
    assert second["text"].startswith("<b>02 Soirs</b>")
    calls = world.fake.of("sendMessage")
    assert [c.via_webhook for c in calls] == [False, True]


async def test_a_command_past_the_budget_gets_200_and_its_reply_through_the_api(world):
    world.adapter.answer_budget = 0.0  # the webhook answers before the command is done
    assert await world.answered(message("/oncall who 01")) == (200, b"")
    [call] = await world.fake.wait_for("sendMessage")
    assert call.params["text"].startswith("<b>01 Horaire</b>")
    assert not call.via_webhook


async def test_a_webhook_request_cancelled_midway_still_gets_its_reply_through_the_api(
    db, db_url, tmp_path
):
    async with TelegramWorld.open(db_url, tmp_path, handler_cancellation=True) as world:
        world.fake.delays["answerCallbackQuery"] = 0.5  # the press is slow to answer
        with pytest.raises(TimeoutError):  # Telegram's side gives up: the request is cancelled
            async with world.http.post(
                world.base_url + WEBHOOK_PATH,
                json=press("/oncall who 01"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=ClientTimeout(total=0.1),
            ):
                pass
        [call] = await world.fake.wait_for("sendMessage")
        assert call.params["text"].startswith("<b>01 Horaire</b>")
        assert not call.via_webhook


async def test_webhook_refuses_a_wrong_or_missing_secret_and_dispatches_nothing(world):
    assert await world.post(message("/help", user_id=STRANGER), secret="wrong") == 403
    assert await world.post(message("/help", user_id=STRANGER), secret=None) == 403
    assert await world.post(message("/help", user_id=STRANGER), secret=SECRET[:-1]) == 403
    # The next update of that chat is answered first: the refused ones were never queued.
    reply = await world.say("/lang xx", user_id=STRANGER)
    assert "not linked" in reply["text"]
    assert len(world.fake.sent()) == 1


async def test_webhook_refuses_what_is_not_an_update(world):
    for body in (b"not json", b"{}", b"[]", b'{"update_id": 1, "message": 5}'):
        async with world.http.post(
            world.base_url + WEBHOOK_PATH,
            data=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as response:
            assert response.status == 400, body


async def test_what_a_user_typed_comes_back_escaped(world):
    reply = await world.say("/<b>& x", user_id=STRANGER)
    assert reply["text"] == "There is no command /&lt;b&gt;&amp;. /help lists them."


async def test_plain_text_in_private_gets_a_hint(world):
    reply = await world.say("who is on call?")
    assert reply["text"] == "Send a command, e.g. /oncall. /help lists them all."


async def test_in_a_group_each_member_acts_as_themselves(world):
    saved = await world.say("/override@GardeBot marie 03-13 08:00 03-15 08:00 01", chat_id=GROUP)
    assert saved["chat_id"] == str(GROUP)
    assert saved["text"].startswith("Override #51 saved: Marie Tremblay covers 01 Horaire")
    assert saved["reply_parameters"]["message_id"] > 0  # quotes the command
    refused = await world.say(
        "/override marie 03-20 08:00 03-21 08:00 01", chat_id=GROUP, user_id=STRANGER
    )
    assert refused["chat_id"] == str(GROUP)
    assert refused["text"].startswith("This chat is not linked to a Garde user yet.")
    # An accented alias is not in the menu but works when typed.
    undone = await world.say("/désassigner #51", chat_id=GROUP)
    assert "#51" in undone["text"] and "There is no command" not in undone["text"]


async def test_commands_for_another_bot_and_group_chatter_are_ignored(world):
    assert await world.post(message("/oncall@OtherBot", chat_id=GROUP)) == 200
    assert await world.post(message("/weather", chat_id=GROUP)) == 200  # not ours
    assert await world.post(message("nice weather", chat_id=GROUP)) == 200
    reply = await world.say("/help@gardebot", chat_id=GROUP)
    assert "/oncall" in reply["text"]
    assert len(world.fake.sent()) == 1


async def test_start_with_a_code_links_the_sender(world):
    async with world.garde.db.write() as session:
        code = await create_link_code(session, "bob", NOW)
    greeting = await world.say("/start", user_id=STRANGER)
    assert greeting["text"].startswith("Hello! Garde shows your on-call schedules")
    linked = await world.say(f"/start {code}", user_id=STRANGER)
    assert linked["text"] == "Linked: you act as Bob Martin (bob). Try /oncall or /help."
    [first, _] = await world.exchange(message("/oncall", user_id=STRANGER), count=2)
    assert first["text"].startswith("<b>01 Horaire</b>")


async def test_replies_follow_the_telegram_language_fr(world):
    [first, _] = await world.exchange(message("/garde", lang="fr"), count=2)
    assert first["text"].startswith("<b>01 Horaire</b>\nDe garde maintenant :")
    assert "jusqu'au lun. 17 mars 07 h 30" in first["text"]
    assert buttons(first)["Semaine"] == '/oncall view week "01 Horaire"'


async def test_long_polling_without_public_url(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path, webhook=False) as world:
        assert world.fake.of("setWebhook") == []
        await world.fake.wait_for("getUpdates")
        assert world.fake.of("deleteWebhook")  # a stale webhook would block polling
        world.fake.add_update(message("/help"))
        world.fake.add_update(message("/start", user_id=STRANGER))
        replies = [c.params for c in await world.fake.wait_for("sendMessage", 2)]
        assert {r["chat_id"] for r in replies} == {str(ALICE), str(STRANGER)}
        offsets = [c.params.get("offset") for c in world.fake.of("getUpdates")]
        assert any(o and int(o) > 1 for o in offsets)  # later polls confirm what was read
        async with world.http.post(world.base_url + WEBHOOK_PATH, json={}) as response:
            assert response.status == 404  # no webhook route when polling


async def test_a_webhook_secret_telegram_would_refuse_is_refused_at_once():
    garde = Garde.create(Settings(database_url="sqlite+aiosqlite:///:memory:", _env_file=None))
    try:
        with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET") as raised:
            TelegramAdapter(
                TOKEN,
                dispatcher=garde.dispatcher,
                catalogs=garde.catalogs,
                db=garde.db,
                clock=garde.clock,
                public_url=PUBLIC_URL,
                webhook_secret="has spaces!",
            )
        assert "has spaces" not in str(raised.value)
    finally:
        await garde.close()


async def test_a_refused_token_stops_the_start_without_showing_it():
    fake = await FakeBotAPI().start()
    garde = Garde.create(
        Settings(
            database_url="sqlite+aiosqlite:///:memory:",
            telegram_bot_token="42:wrong-token",
            telegram_api_url=fake.url,
            public_url=PUBLIC_URL,
            _env_file=None,
        )
    )
    adapter = garde.adapter("telegram")
    assert isinstance(adapter, TelegramAdapter)
    try:
        with pytest.raises(TelegramStartError) as raised:
            await adapter.start()
        assert "wrong-token" not in str(raised.value)
        assert fake.of("setWebhook") == []
    finally:
        await adapter.application.bot.request.shutdown()
        await garde.close()
        await fake.close()


async def test_updates_of_one_chat_wait_for_each_other_not_those_of_others():
    order, log, gate = ChatOrder(8), [], asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        log.append(f"{name} starts")
        if wait:
            await gate.wait()
        log.append(f"{name} ends")

    def update(user_id: int) -> Update:
        return Update.de_json(message("/help", user_id=user_id), None)

    tasks = [
        asyncio.create_task(order.process_update(update(1), work("a1", wait=True))),
        asyncio.create_task(order.process_update(update(1), work("a2"))),
        asyncio.create_task(order.process_update(update(2), work("b1"))),
    ]
    await asyncio.sleep(0.05)
    assert log == ["a1 starts", "b1 starts", "b1 ends"]
    gate.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["a1 ends", "a2 starts", "a2 ends"]
    assert order._chats == {}  # nothing kept once a chat is idle


async def test_neither_token_nor_secret_reaches_the_logs(db, db_url, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with TelegramWorld.open(db_url, tmp_path) as world:
        await world.exchange(message("/oncall"), count=2)
        assert await world.post(message("/help"), secret="bad") == 403
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert SECRET not in logged
    assert "Telegram bot @GardeBot on (webhook)" in caplog.text
