"""Signed recording links on Garde's own server: the audio with ranges for seeking, 403 for
a tampered token, 410 for an expired one or a purged recording, nothing internal named."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import ClientSession, web
from mutagen.mp3 import MP3
from pydantic import SecretStr
from sqlalchemy import select

from core.models import Call
from core.records.recordings import RecordingStore
from tests.conftest import NOW


@pytest.fixture
async def server(garde, clock) -> AsyncIterator[tuple[str, ClientSession]]:
    garde.settings.public_url = "https://garde.example.com"
    garde.settings.link_secret = SecretStr("a-long-random-secret")
    runner = web.AppRunner(garde.web_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with ClientSession() as http:
        yield f"http://127.0.0.1:{port}", http
    await runner.cleanup()


async def link_of(ask, garde) -> tuple[Call, str]:
    async with garde.db.read() as s:
        call = await s.scalar(select(Call).where(Call.recording.is_not(None)).limit(1))
    [reply] = await ask(f"/recording {call.ext_id} link")
    url = reply.text.split()[-1]
    return call, url.removeprefix("https://garde.example.com")


async def test_the_link_serves_the_audio_whole_and_by_ranges(server, ask, garde, tmp_path):
    base, http = server
    call, path = await link_of(ask, garde)
    async with http.get(base + path) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "audio/mpeg"
        assert r.headers["Accept-Ranges"] == "bytes"
        assert f'filename="call-{call.ext_id}.mp3"' in r.headers["Content-Disposition"]
        whole = await r.read()
    (tmp_path / "got.mp3").write_bytes(whole)
    assert MP3(tmp_path / "got.mp3").info.length > 0.5
    async with http.get(base + path, headers={"Range": "bytes=100-199"}) as r:
        assert r.status == 206 and await r.read() == whole[100:200]
        assert r.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    async with http.get(base + path, headers={"Range": "bytes=-50"}) as r:
        assert r.status == 206 and await r.read() == whole[-50:]
    async with http.get(base + path, headers={"Range": f"bytes={len(whole) + 10}-"}) as r:
        assert r.status == 416


async def test_a_tampered_token_gets_403_and_names_nothing(server, ask, garde):
    base, http = server
    _, path = await link_of(ask, garde)
    token = path.rsplit("/", 1)[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, "x", "not.a.token", "A" * 5000, token + "x"):
        async with http.get(f"{base}/recordings/{bad}") as r:
            text = await r.text()
            assert r.status == 403, bad
            assert "Traceback" not in text and "recordings" not in text.lower()


async def test_an_expired_link_gets_410(server, ask, garde, clock):
    base, http = server
    _, path = await link_of(ask, garde)
    clock.now = NOW + timedelta(hours=23, minutes=59)
    async with http.get(base + path) as r:
        assert r.status == 200
    clock.now = NOW + timedelta(hours=24)
    async with http.get(base + path) as r:
        assert r.status == 410 and "expired" in await r.text()


async def test_a_purged_recording_gets_410(server, ask, garde):
    base, http = server
    call, path = await link_of(ask, garde)
    assert RecordingStore(garde.settings.recordings_dir).remove([call.recording]) == 1
    async with http.get(base + path) as r:
        assert r.status == 410
