"""The ingest API over real HTTP (aiohttp's test server on Garde's own web app).

Bearer token, 401/404/413/400 with every problem by JSON path and nothing written, the
per-account endpoints through the one importer, multipart calls with recordings, and the
same message posted again or eight times at once: stored once, pushed once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import wave
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import Garde, link_console
from bot.contract import Actor, Conversation
from bot.settings import Settings
from core.models import Call, Message, OutboxItem
from core.records.recordings import RecordingStore
from testing.fake_slack import load_demo
from tests.builders import snapshot, subscription
from tests.conftest import NOW

TOKEN = "s3cret-ingest-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def api(db, db_url, tmp_path):
    settings = Settings(
        database_url=db_url,
        recordings_dir=tmp_path / "rec",
        ingest_token=TOKEN,
        ingest_max_mb=1,
        _env_file=None,
    )
    garde = Garde.create(settings, clock=lambda: NOW)
    await load_demo(garde, tmp_path)
    client = TestClient(TestServer(garde.web_app()))
    await client.start_server()
    client.garde = garde  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        await client.close()
        await garde.close()


def message(mid: str, *, minutes_ago: int = 5, urgent: bool = True) -> dict:
    taken = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {
        "id": mid,
        "taken_at": taken,
        "subject": "URGENCE",
        "urgent": urgent,
        "agent": "F-CAROLANE",
        "fields": [["Prénom", "Jean"], ["Tel", "(514) 555-0101"]],
        "history": [{"at": taken, "event": "delivered", "detail": None}],
    }


async def subscribe_chat(garde: Garde, conversation: str, *kinds: str, number: str = "4000"):
    for kind in kinds:
        await subscription(
            garde.db, kind, now=NOW, conversation=conversation, number=number, locale="en"
        )


async def count(garde: Garde, model, *where) -> int:
    async with garde.db.read() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_the_api_is_off_without_a_token(garde):
    async with TestClient(TestServer(garde.web_app())) as client:
        response = await client.post("/api/v1/import", json={}, headers=AUTH)
        assert response.status == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer "},
    ],
)
async def test_a_wrong_or_missing_token_is_401_and_never_logged(api, caplog, headers):
    caplog.set_level(logging.DEBUG)
    before = await snapshot(api.garde.db)
    for path in ("/api/v1/import", "/api/v1/accounts/4000/messages"):
        response = await api.post(path, json={"messages": [message("m1")]}, headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert await snapshot(api.garde.db) == before
    assert TOKEN not in caplog.text


async def test_unknown_account_or_kind_is_404(api):
    response = await api.post("/api/v1/accounts/9999/messages", json={"messages": []}, headers=AUTH)
    assert response.status == 404
    assert await response.json() == {"error": "There is no account 9999."}
    response = await api.post("/api/v1/accounts/4000/users", json={"users": []}, headers=AUTH)
    assert response.status == 404


async def test_an_invalid_document_lists_every_problem_by_path_and_writes_nothing(api):
    before = await snapshot(api.garde.db)
    bad = [
        message("ok"),
        {**message("m2"), "status": "lost"},
        {**message("m3"), "taken_at": "soon"},
    ]
    response = await api.post(
        "/api/v1/accounts/4000/messages", json={"messages": bad}, headers=AUTH
    )
    assert response.status == 400
    errors = (await response.json())["errors"]
    # Every problem in one answer: the shape's and the checks' alike.
    assert [e["path"] for e in errors] == ["messages[1].status", "messages[2].taken_at"]
    assert errors[0]["message"] == "Expected one of: 'open' or 'closed'."
    fixed = [message("ok"), message("m2"), {**message("m3"), "taken_at": "soon"}]
    response = await api.post(
        "/api/v1/accounts/4000/messages", json={"messages": fixed}, headers=AUTH
    )
    assert (await response.json())["errors"] == [
        {
            "path": "messages[2].taken_at",
            "message": "“soon” is not an ISO 8601 time such as 2025-05-01T07:30.",
        }
    ]
    assert await snapshot(api.garde.db) == before


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b"{not json", "$"),
        (b"\xff\xfe", "$"),
        (b"[]", "$"),
        (b'{"messages": [], "calls": []}', "calls"),
        (b'{"message": []}', "message"),
        (b"{}", "messages"),
    ],
)
async def test_a_malformed_body_is_400_never_500(api, body, path):
    response = await api.post(
        "/api/v1/accounts/4000/messages",
        data=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status == 400
    assert path in [e["path"] for e in (await response.json())["errors"]]


async def test_a_body_over_the_limit_is_413_even_without_a_length(api):
    big = json.dumps({"messages": [message(f"m{i}") for i in range(5000)]}).encode()
    assert len(big) > 1024 * 1024
    response = await api.post("/api/v1/accounts/4000/messages", data=big, headers=AUTH)
    assert response.status == 413

    async def chunks():
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    response = await api.post("/api/v1/import", data=chunks(), headers=AUTH)
    assert response.status == 413
    assert await count(api.garde, Message, Message.ext_id == "m1") == 0


async def test_posted_messages_are_stored_and_pushed_once_per_chat(api):
    await subscribe_chat(api.garde, "-100", "messages", "urgent")  # both: still one push
    await subscribe_chat(api.garde, "-200", "urgent")
    body = {
        "messages": [
            message("n1"),
            message("n2", urgent=False),
            message("old", minutes_ago=25 * 60),  # a backfill: stored, not pushed
        ]
    }
    for _ in range(2):  # posting again changes nothing
        response = await api.post("/api/v1/accounts/4000/messages", json=body, headers=AUTH)
        assert response.status == 200
        assert (await response.json())["imported"]["messages"] == 3
    assert await count(api.garde, Message, Message.ext_id.in_(["n1", "n2", "old"])) == 3
    async with api.garde.db.read() as session:
        pushes = sorted(
            (o.conversation_id, o.payload["id"])
            for o in await session.scalars(select(OutboxItem).where(OutboxItem.kind == "message"))
        )
    assert pushes == [("-100", "n1"), ("-100", "n2"), ("-200", "n1")]


async def test_eight_concurrent_posts_of_the_same_message_store_and_push_it_once(api):
    await subscribe_chat(api.garde, "-100", "urgent")
    body = {"messages": [message("same")]}

    async def post() -> int:
        response = await api.post("/api/v1/accounts/4000/messages", json=body, headers=AUTH)
        return response.status

    assert await asyncio.gather(*(post() for _ in range(8))) == [200] * 8
    assert await count(api.garde, Message, Message.ext_id == "same") == 1
    assert await count(api.garde, OutboxItem, OutboxItem.kind == "message") == 1


async def test_a_repost_keeps_a_close_made_in_garde_and_its_history(api):
    await subscribe_chat(api.garde, "-100", "urgent")
    first = {"messages": [message("kept")]}
    assert (await api.post("/api/v1/accounts/4000/messages", json=first, headers=AUTH)).ok
    await link_console(api.garde.db, "demo", NOW, "4000")
    actor, where = Actor("console", "demo"), Conversation("console", "demo")
    [done] = await api.garde.dispatcher.run("/message kept close", actor, where, NOW, lang="en")
    assert done.text == "Message kept is closed."
    again = message("kept")
    again["agent"] = "F-MARIE"  # the service's own fields may change
    again["history"].append({"at": NOW.isoformat(), "event": "email_completed", "detail": None})
    for _ in range(2):
        response = await api.post(
            "/api/v1/accounts/4000/messages", json={"messages": [again]}, headers=AUTH
        )
        assert response.status == 200
    async with api.garde.db.read() as session:
        stored = await session.scalar(select(Message).where(Message.ext_id == "kept"))
    assert (stored.status, stored.agent) == ("closed", "F-MARIE")
    assert [e["event"] for e in stored.history] == ["delivered", "closed", "email_completed"]
    assert await count(api.garde, Message, Message.ext_id == "kept") == 1
    assert await count(api.garde, OutboxItem, OutboxItem.kind == "message") == 1


async def test_the_whole_document_endpoint_takes_the_import_shape(api):
    doc = {"accounts": [{"number": "4000", "messages": [message("w1")]}]}
    response = await api.post("/api/v1/import", json=doc, headers=AUTH)
    assert response.status == 200
    assert (await response.json())["imported"]["messages"] == 1
    response = await api.post("/api/v1/import", json={"accounts": [{"number": "77"}]}, headers=AUTH)
    assert response.status == 400
    assert {e["path"] for e in (await response.json())["errors"]} == {
        "accounts[0].name",
        "accounts[0].timezone",
    }


def wav(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return path


def call(cid: str) -> dict:
    return {"id": cid, "start": "2025-03-12T08:20:00", "duration_s": 60, "answered": True}


async def test_multipart_calls_carry_their_recordings_into_the_store(api, tmp_path):
    form = aiohttp.FormData()
    form.add_field("document", json.dumps({"calls": [call("c-1"), call("c-2")]}))
    form.add_field("c-1", wav(tmp_path / "x.wav").read_bytes(), filename="../../evil.WAV")
    response = await api.post("/api/v1/accounts/4000/calls", data=form, headers=AUTH)
    assert response.status == 200, await response.text()
    async with api.garde.db.read() as session:
        stored = {
            c.ext_id: c.recording
            for c in await session.scalars(select(Call).where(Call.ext_id.in_(["c-1", "c-2"])))
        }
    assert stored["c-2"] is None and stored["c-1"] is not None
    assert "evil" not in stored["c-1"] and "c-1" not in stored["c-1"]  # Garde names its files
    store = RecordingStore(api.garde.settings.recordings_dir)
    with wave.open(str(store.path(stored["c-1"]))) as saved:
        assert saved.getnframes() == 8000


async def test_multipart_refuses_a_recording_of_no_call_and_a_missing_document(api, tmp_path):
    before = await snapshot(api.garde.db)
    form = aiohttp.FormData()
    form.add_field("document", json.dumps({"calls": [call("c-1")]}))
    form.add_field("c-9", b"RIFF....", filename="c-9.wav")
    response = await api.post("/api/v1/accounts/4000/calls", data=form, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["errors"][0]["path"] == "c-9"
    form = aiohttp.FormData()
    form.add_field("c-1", b"RIFF....", filename="c-1.wav")
    response = await api.post("/api/v1/accounts/4000/calls", data=form, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["errors"][0]["path"] == "document"
    assert await snapshot(api.garde.db) == before
