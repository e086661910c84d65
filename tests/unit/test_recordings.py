"""The recordings store and the transcoder: names chosen by Garde, nothing written outside
the store whatever the identifiers, the real MP3 encoder checked with an independent reader,
the cache, and the 60-day purge of recordings and their transcodes."""

from __future__ import annotations

import os
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from sqlalchemy import select

from bot.documents.audio import UnreadableRecording, playable
from core import retention
from core.audio import write_tones
from core.ingest.document import InvalidDocument
from core.ingest.importer import import_document
from core.models import Call
from core.records.recordings import OutsideStore, RecordingStore

NOW = datetime(2025, 5, 1, 12, tzinfo=UTC)


def call(cid: str, start: str, recording: str | None = None) -> dict:
    out = {"id": cid, "start": start, "duration_s": 60, "answered": True, "caller_id": "5149150123"}
    return out | ({"recording": recording} if recording else {})


def doc(number: str, calls: list[dict]) -> dict:
    return {"accounts": [{"number": number, "name": "N", "timezone": "UTC", "calls": calls}]}


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and not p.name.startswith("garde.db")}


async def test_hostile_identifiers_never_write_outside_the_store(db, tmp_path):
    work = tmp_path / "work"
    write_tones(work / "in" / "a.wav", [(440, 0.2)])
    store_dir = work / "a" / "b" / "c" / "d" / "store"  # deep: `../` stays in tmp_path
    hostile = [
        doc("../../../../tmp/x", [call("c1", "2025-04-30T10:00", "in/a.wav")]),
        doc("/tmp/x", [call("c2", "2025-04-30T10:00", "in/a.wav")]),
        doc("4000", [call("../../../x", "2025-04-30T10:00", "in/a.wav")]),
        doc("4000", [call("/tmp/y", "2025-04-30T10:00", "in/a.wav")]),
    ]
    before = files_under(tmp_path)
    for raw in hostile:
        try:
            async with db.write() as session:
                await import_document(
                    session, raw, base_dir=work, recordings_dir=store_dir, now=NOW
                )
        except InvalidDocument:
            pass  # refusing the identifier is fine too: what matters is where files go
    new = files_under(tmp_path) - before
    assert all(p.is_relative_to(store_dir) for p in new), new
    assert not any(map(os.path.exists, ("/tmp/x/c2.wav", "/tmp/y.wav")))
    for p in new:  # the store chose every name: a content hash, nothing of the input
        assert "x" not in p.relative_to(store_dir).parts[:-1] and ".." not in str(p)


def test_the_store_refuses_names_that_leave_it(tmp_path):
    store = RecordingStore(tmp_path / "store")
    for name in ("../x.wav", "../../etc/passwd", "/etc/passwd", "a/../../x", ""):
        with pytest.raises(OutsideStore):
            store.path(name)
    with pytest.raises(OutsideStore):
        store.cache_path("a" * 64 + ".wav", "../mp3")
    assert store.path("4000/15325576.wav") == (tmp_path / "store" / "4000/15325576.wav").resolve()


def test_same_content_is_stored_once_under_its_hash(tmp_path):
    write_tones(tmp_path / "a.wav", [(440, 0.3)])
    (tmp_path / "b.WAV").write_bytes((tmp_path / "a.wav").read_bytes())
    store = RecordingStore(tmp_path / "store")
    first, second = store.put(tmp_path / "a.wav"), store.put(tmp_path / "b.WAV")
    assert first == second and first.endswith(".wav") and len(first) == 68
    assert [p.name for p in files_under(tmp_path / "store")] == [first]


def test_transcoding_gives_a_small_mp3_of_the_recordings_duration(tmp_path):
    write_tones(tmp_path / "call.wav", [(440, 20.0), (880, 10.5)])
    store = RecordingStore(tmp_path / "store")
    name = store.put(tmp_path / "call.wav")
    audio = playable(store, name)
    info = MP3(audio.path).info  # an independent reader
    assert abs(info.length - 30.5) < 0.15 and info.sample_rate == 16000 and info.channels == 1
    assert audio.duration_s == 30 and audio.content_type == "audio/mpeg"
    assert audio.path.stat().st_size * 4 < store.path(name).stat().st_size


def test_a_second_request_uses_the_cache(tmp_path):
    write_tones(tmp_path / "call.wav", [(440, 2.0)])
    store = RecordingStore(tmp_path / "store")
    name = store.put(tmp_path / "call.wav")
    first = playable(store, name)
    os.utime(first.path, (1, 1))  # a re-encode would write a new file with a new time
    again = playable(store, name)
    assert again.path == first.path and again.path.stat().st_mtime == 1


@pytest.mark.parametrize(
    "content",
    [b"not audio at all", b"RIFF\x10\x00\x00\x00WAVEfmt ", b""],
    ids=["text", "truncated-wav", "empty"],
)
def test_a_corrupt_recording_is_refused_clearly(tmp_path, content):
    (tmp_path / "bad.wav").write_bytes(content)
    store = RecordingStore(tmp_path / "store")
    with pytest.raises(UnreadableRecording):
        playable(store, store.put(tmp_path / "bad.wav"))
    assert not (tmp_path / "store" / "cache").exists() or not files_under(
        tmp_path / "store" / "cache"
    )


def test_an_8_bit_wav_is_refused_not_garbled(tmp_path):
    with wave.open(str(tmp_path / "u8.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8000)
        w.writeframes(bytes(800))
    store = RecordingStore(tmp_path / "store")
    with pytest.raises(UnreadableRecording):
        playable(store, store.put(tmp_path / "u8.wav"))


async def test_purge_removes_old_recordings_and_their_transcodes_but_not_shared_ones(db, tmp_path):
    work, store_dir = tmp_path / "work", tmp_path / "store"
    write_tones(work / "old.wav", [(440, 0.5)])
    write_tones(work / "shared.wav", [(550, 0.5)])
    old_day = (NOW - timedelta(days=61)).strftime("%Y-%m-%dT%H:%M")
    new_day = (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    raw = doc(
        "4000",
        [
            call("old", old_day, "old.wav"),
            call("old-shared", old_day, "shared.wav"),
            call("new-shared", new_day, "shared.wav"),
        ],
    )
    async with db.write() as session:
        await import_document(session, raw, base_dir=work, recordings_dir=store_dir, now=NOW)
    store = RecordingStore(store_dir)
    async with db.read() as session:
        names = dict((await session.execute(select(Call.ext_id, Call.recording))).all())
    old_mp3 = playable(store, names["old"]).path
    async with db.write() as session:
        purged = await retention.purge(session, NOW)
    assert purged.counts["calls"] == 2 and purged.recordings == [names["old"]]
    assert retention.remove_recordings(store_dir, purged.recordings) == 1
    assert not store.path(names["old"]).exists() and not old_mp3.exists()
    assert store.path(names["new-shared"]).is_file()
