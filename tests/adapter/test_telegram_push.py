"""Telegram out: pushes for the outbox, their errors as DeliveryError kinds, and files."""

from __future__ import annotations

import pytest

from bot.contract import (
    Action,
    Attachment,
    PermanentFailure,
    RateLimited,
    Reply,
    TemporaryFailure,
)
from testing.telegram_world import ALICE, GROUP, TelegramWorld, buttons, message

ALERT = Reply(
    "Nobody is on call on Mon, Mar 17 from 7:30 a.m. <urgent> & more",
    title="01 Horaire",
    actions=[Action("Coverage", "/oncall coverage 2025-03 01")],
)


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        yield opened


async def test_push_sends_html_with_its_buttons_to_a_chat_or_a_group(world):
    await world.adapter.push(str(GROUP), [ALERT])
    [sent] = world.fake.sent()
    assert sent["chat_id"] == str(GROUP) and sent["parse_mode"] == "HTML"
    assert sent["text"] == (
        "<b>01 Horaire</b>\n"
        "Nobody is on call on Mon, Mar 17 from 7:30 a.m. &lt;urgent&gt; &amp; more"
    )
    assert buttons(sent) == {"Coverage": "/oncall coverage 2025-03 01"}


async def test_a_long_push_is_sent_as_several_messages_cut_between_lines(world):
    lines = [f"{i:04d} " + "x" * 60 for i in range(200)]
    await world.adapter.push(str(ALICE), [Reply("\n".join(lines), actions=ALERT.actions)])
    sent = world.fake.sent()
    assert len(sent) == 4 and all(len(s["text"]) <= 4096 for s in sent)
    assert "\n".join(s["text"] for s in sent).split("\n") == lines
    assert [bool(s.get("reply_markup")) for s in sent] == [False, False, False, True]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after
@pytest.mark.parametrize(
    ("status", "description", "parameters", "kind"),
    [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, RateLimited),
        (403, "Forbidden: bot was blocked by the user", {}, PermanentFailure),
        (403, "Forbidden: bot was kicked from the supergroup chat", {}, PermanentFailure),
        (400, "Bad Request: chat not found", {}, PermanentFailure),
        (500, "Internal Server Error", {}, TemporaryFailure),
        (502, "Bad Gateway", {}, TemporaryFailure),
    ],
)
async def test_push_errors_say_whether_to_retry(world, status, description, parameters, kind):
    world.fake.fail("sendMessage", status, description, **parameters)
    with pytest.raises(kind) as raised:
        await world.adapter.push(str(ALICE), [ALERT])
    if kind is RateLimited:
        assert raised.value.retry_after == 7.0
    with pytest.raises(PermanentFailure):
        await world.adapter.push("not-a-chat", [ALERT])


async def test_push_to_an_unreachable_api_is_temporary(world):
    await world.fake.close()
    with pytest.raises(TemporaryFailure):
        await world.adapter.push(str(ALICE), [ALERT])


async def test_files_go_as_audio_or_document_with_a_chat_action(world, tmp_path):
    audio, csv = tmp_path / "call-1234.mp3", tmp_path / "messages.csv"
    audio.write_bytes(b"ID3" + b"\0" * 2000)
    csv.write_text("id,text\n1,hello\n")
    files = [
        Attachment("call-1234.mp3", "audio/mpeg", audio),
        Attachment("messages.csv", "text/csv", csv),
    ]
    await world.adapter.push(str(ALICE), [Reply("Your files", files=files)])
    actions = [c.params["action"] for c in world.fake.of("sendChatAction")]
    assert actions == ["upload_voice", "upload_document"]
    [sent_audio] = world.fake.of("sendAudio")
    assert sent_audio.params["audio"] == {"filename": "call-1234.mp3", "size": 2003}
    [sent_doc] = world.fake.of("sendDocument")
    assert sent_doc.params["document"]["filename"] == "messages.csv"
    assert [s["text"] for s in world.fake.sent()] == ["Your files"]


async def push_too_large(world, tmp_path) -> str:
    """Push a 3 MB recording with a 1 MB limit; the text sent instead."""
    big = tmp_path / "call-9.mp3"
    big.write_bytes(b"\0" * 3 * 1024 * 1024)
    world.adapter.chat.file_limit = 1024 * 1024
    await world.adapter.push(
        str(ALICE), [Reply("", files=[Attachment("call-9.mp3", "audio/mpeg", big)])]
    )
    assert world.fake.of("sendAudio") == [] and world.fake.of("sendChatAction") == []
    [sent] = world.fake.sent()
    return sent["text"]


async def test_a_file_over_the_limit_is_replaced_by_a_message(world, tmp_path):
    text = await push_too_large(world, tmp_path)  # in the default language (fr)
    assert text.startswith("call-9.mp3 ") and "(3 M" in text and " 1 M" in text


async def test_a_file_over_the_limit_is_explained_fr(world, tmp_path):
    assert await push_too_large(world, tmp_path) == (
        "call-9.mp3 est trop volumineux pour être envoyé ici (3 Mo ; la limite est de 1 Mo)."
    )


async def test_a_reply_that_fails_is_logged_and_the_next_update_is_served(world, caplog):
    world.fake.fail("sendMessage", 400, "Bad Request: chat not found")
    # Two schedules, two messages: the first goes through the API, and is refused.
    [refused] = await world.exchange(message("/oncall"))
    assert refused["text"].startswith("<b>01 Horaire</b>")
    reply = await world.say("/help")
    assert "/oncall" in reply["text"]
    assert "Telegram update failed" in caplog.text
    assert "Chat not found" in caplog.text
