"""/override asked step by step in Telegram: contact, start, end, schedule; Cancel.

The state lives in the ``prompts`` table; each answer (a button or typed text) is
appended to the command, which is dispatched once complete.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.pending import PendingForm as Prompt
from core.models import Override
from testing.telegram_world import (
    GROUP,
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


async def pending(world) -> list[str]:
    async with world.garde.db.read() as session:
        return [p.text for p in await session.scalars(select(Prompt))]


async def saved(world) -> list[Override]:
    async with world.garde.db.read() as session:
        return list(await session.scalars(select(Override)))


async def test_override_asked_step_by_step_with_buttons_and_typed_answers(world):
    ask = await world.say("/remplacement")
    assert ask["text"].startswith("Who covers? Choose a contact or type a name.")
    assert ask["text"].endswith("<code>/remplacement</code>")
    choices = buttons(ask)
    assert choices["Marie Tremblay"] == "a:@marie" and choices["Cancel"] == "x"
    assert await pending(world) == ["/remplacement"]

    [ask] = await world.exchange(press("a:@marie", message_id=5), "editMessageText")
    assert ask["message_id"] == "5"  # the question changes in place
    assert ask["text"].startswith("From when?")
    starts = buttons(ask)
    assert starts["Now"] == "a:now"
    assert "a:2025-03-13 07:30" in starts.values()  # the next usual handovers

    ask = await world.say("03-13 08:00")  # typed
    assert ask["text"].startswith("Until when?")
    assert "<code>/remplacement @marie 03-13 08:00</code>" in ask["text"]

    ask = await world.say("tomorrow 25:00")  # not a time: asked again
    assert ask["text"].startswith("“25:00” is not a valid time.")
    assert "\nUntil when?" in ask["text"]
    assert ask["text"].endswith("<code>/remplacement @marie 03-13 08:00</code>")

    ask = await world.say("03-15 08:00")
    assert ask["text"].startswith("Which schedule?")
    assert buttons(ask)["01 Horaire"] == "a:01 Horaire"

    found = await world.expect(press("a:01 Horaire"), editMessageText=1, sendMessage=1)
    [done], [reply] = found["editMessageText"], found["sendMessage"]
    command = '/remplacement @marie 03-13 08:00 03-15 08:00 "01 Horaire"'
    assert done["text"] == f"<code>{command}</code>" and "reply_markup" not in done
    assert reply["text"].startswith("Override #51 saved: Marie Tremblay covers 01 Horaire")
    assert await pending(world) == []
    assert [o.ref for o in await saved(world)] == [51]


async def test_a_wrong_contact_is_asked_again_and_cancel_forgets_everything(world):
    await world.say("/override")
    ask = await world.say("Tremblay")  # two contacts match
    assert "Marie Tremblay" in ask["text"] and "Patrick Tremblay" in ask["text"]
    assert ask["text"].endswith("<code>/override</code>")
    ask = await world.say("luc")
    assert ask["text"].startswith("From when?")
    [cancelled] = await world.exchange(press("x"), "editMessageText")
    assert cancelled["text"] == "Cancelled: nothing was saved."
    assert await pending(world) == []
    hint = await world.say("now")  # no question pending any more
    assert hint["text"].startswith("Send a command")
    [answer] = await world.exchange(press("x"), "answerCallbackQuery")
    assert answer["text"] == "This button has expired. Send the command again."
    assert await saved(world) == []


async def test_start_and_end_may_come_in_one_answer(world):
    await world.say("/override luc")
    ask = await world.say("03-13 08:00 03-15 08:00")
    assert ask["text"].startswith("Which schedule?")
    assert ask["text"].endswith("<code>/override luc 03-13 08:00 03-15 08:00</code>")


async def test_a_partial_override_asks_only_what_is_missing(world):
    ask = await world.say("/override marc now")
    assert ask["text"].startswith("Until when?")
    assert await pending(world) == ["/override marc now"]
    # A new command replaces the question: what comes next is no answer to it.
    [_, _] = await world.exchange(message("/oncall"), count=2)
    hint = await world.say("tomorrow 08:00")
    assert hint["text"].startswith("Send a command")
    assert await pending(world) == [] and await saved(world) == []


async def test_a_complete_override_and_a_forbidden_one_are_not_asked(world):
    reply = await world.say("/override marie 03-13 08:00 03-15 08:00 01")
    assert reply["text"].startswith("Override #51 saved")
    refused = await world.say("/override", user_id=STRANGER)
    assert refused["text"].startswith("This chat is not linked")
    assert await pending(world) == []


async def test_questions_lapse_after_ten_minutes(world):
    await world.say("/override")
    async with world.garde.db.write() as session:
        prompt = await session.scalar(select(Prompt))
        prompt.created_at = NOW - timedelta(minutes=11)
    hint = await world.say("luc")
    assert hint["text"].startswith("Send a command")


async def test_in_a_group_the_question_belongs_to_who_asked(world):
    ask = await world.say("/override", chat_id=GROUP)
    assert ask["chat_id"] == str(GROUP)
    [answer] = await world.exchange(
        press("a:@luc", chat_id=GROUP, user_id=STRANGER), "answerCallbackQuery"
    )
    assert answer["text"] == "This button has expired. Send the command again."
    [ask] = await world.exchange(press("a:@luc", chat_id=GROUP), "editMessageText")
    assert ask["text"].startswith("From when?")


async def test_questions_in_french_fr(world):
    ask = await world.say("/remplacement", lang="fr")
    assert ask["text"].startswith("Qui remplace ? Choisissez un contact ou tapez un nom.")
    assert buttons(ask)["Annuler"] == "x"


async def test_an_assign_button_asks_the_contact_with_buttons_then_assigns(world):
    # « /assign #5 » is the Assign button of an empty shift (#5 of 01 Horaire, nobody).
    ask = (await world.exchange(press("/assign #5", message_id=7)))[0]
    assert ask["text"].startswith("Who covers? Choose a contact or type a name.")
    assert ask["text"].endswith("<code>/assign #5</code>")
    assert buttons(ask)["Patrick Tremblay"] == "a:@patrick"
    assert await pending(world) == ["/assign #5"]
    found = await world.expect(press("a:@patrick", message_id=8), editMessageText=1, sendMessage=1)
    [done], [reply] = found["editMessageText"], found["sendMessage"]
    assert done["text"] == "<code>/assign @patrick #5</code>"
    assert "Patrick Tremblay" in reply["text"] and "#5" in reply["text"]
    assert await pending(world) == []
