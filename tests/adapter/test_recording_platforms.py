"""Recordings reach the phone as audio: Telegram ``sendAudio`` (from the command and from
the « Voice » button of /appels), Slack a file upload with its player, a link when the
file is over the platform's limit; through the real libraries and the fake platforms."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from core.models import Call
from core.records.recordings import RecordingStore
from testing.fake_slack import slack_env
from testing.telegram_world import TelegramWorld, buttons, message, press
from tests.conftest import NOW


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        yield opened


async def recorded(garde) -> Call:
    async with garde.db.read() as s:
        return await s.scalar(
            select(Call).where(Call.recording.is_not(None)).order_by(Call.start_at.desc())
        )


async def test_telegram_plays_the_recording_from_the_voice_button(world):
    call = await recorded(world.garde)
    day = call.start_at.astimezone(NOW.tzinfo).date()
    sent = await world.exchange(message(f"/appels {day:%Y-%m-%d}", lang="fr"))
    voice = {label: data for label, data in buttons(sent[-1]).items() if label.startswith("Voice")}
    assert f"/recording {call.ext_id}" in voice.values()
    data = next(d for d in voice.values() if d == f"/recording {call.ext_id}")
    found = await world.expect(press(data, lang="fr"), sendAudio=1)
    [audio] = found["sendAudio"]
    assert audio["audio"]["filename"] == f"call-{call.ext_id}.mp3"
    assert audio["title"].startswith(f"Appel {call.ext_id} · ")
    assert audio["caption"].startswith("Appel du ") and call.caller_id in audio["caption"]
    assert int(audio["duration"]) >= 1
    cached = RecordingStore(world.garde.settings.recordings_dir).cache_path(call.recording, "mp3")
    assert audio["audio"]["size"] == cached.stat().st_size
    assert world.fake.of("sendDocument") == []


async def test_telegram_sends_the_link_when_the_file_is_over_the_limit(world):
    world.garde.settings.link_secret = SecretStr("a-long-random-secret")
    world.adapter.chat.file_limit = 1000
    call = await recorded(world.garde)
    [sent] = await world.exchange(message(f"/recording {call.ext_id}"))
    assert sent["text"].startswith("This recording is too large to send here.\n")
    assert "https://garde.example.org/recordings/" in sent["text"]
    assert world.fake.of("sendAudio") == []


async def test_slack_uploads_the_recording_as_an_mp3_file(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as env:
        call = await recorded(env.garde)
        response = await env.command("/recording", call.ext_id)
        assert response.status == 200
        [done] = await env.fake.wait_for("files.completeUploadExternal")
        [asked] = env.fake.calls_to("files.getUploadURLExternal")
        assert asked["filename"] == f"call-{call.ext_id}.mp3"
        assert done["files"].count(f"Call {call.ext_id}") == 1  # the file's title
        cached = RecordingStore(env.garde.settings.recordings_dir).cache_path(call.recording, "mp3")
        [upload] = env.fake.uploads.values()
        assert upload == cached.read_bytes()


async def test_slack_says_the_link_when_the_file_is_over_its_limit(
    db, db_url, tmp_path, monkeypatch
):
    from bot.adapters.slack import send

    monkeypatch.setattr(send, "FILE_LIMIT", 1000)  # a 1 GB file is no test fixture
    async with slack_env(db_url, tmp_path) as env:
        env.garde.settings.public_url = "https://garde.example.com"
        env.garde.settings.link_secret = SecretStr("a-long-random-secret")
        call = await recorded(env.garde)
        assert (await env.command("/recording", call.ext_id)).status == 200
        [posted] = await env.fake.wait_for("chat.postMessage")
        assert posted["text"].startswith("This recording is too large to send here.\n")
        assert "https://garde.example.com/recordings/" in posted["text"]
        assert env.fake.uploads == {}
