"""Hostile import documents (issue 10): refused by JSON path, nothing written anywhere.

Identifiers that look like paths, times past what a zone can convert, JSON nested
100,000 levels, booleans and numbers written as text, overlapping shifts, and
terminal escapes in free text.
"""

from __future__ import annotations

import json
import uuid
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.ingest.document import InvalidDocument
from core.ingest.importer import import_document, read_json
from core.models import Account, Call, Contact, Message, Shift
from tests.builders import account_doc, shift, snapshot
from tests.contract.test_cli import cli

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def files_under(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def exists(path: Path) -> bool:
    return path.exists()


def recording(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(folder / "r.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)


def call(cid: str, **extra) -> dict:
    return {"id": cid, "start": "2025-04-01T08:00", "duration_s": 30, **extra}


async def refused(db, raw, *, base_dir: Path | None = None, store: Path | None = None) -> dict:
    """Import ``raw``; it must be refused. Returns path -> problem key."""
    with pytest.raises(InvalidDocument) as caught:
        async with db.write() as session:
            await import_document(
                session,
                raw,
                base_dir=base_dir,
                recordings_dir=store or Path("/nonexistent"),
                now=NOW,
            )
    return {p.path: p for p in caught.value.problems}


@pytest.mark.parametrize(
    ("number", "call_id"),
    [
        ("../../../../tmp/x", "c1"),
        ("/tmp/x", "c1"),
        ("4000", "../../../x"),
        ("4000", "/etc/x"),
        (".hidden", "c1"),
        ("4000", "a/b"),
        ("4000", ".."),
    ],
)
async def test_identifiers_that_look_like_paths_write_nothing_anywhere(
    db, tmp_path, number, call_id
):
    docs = tmp_path / "docs"
    recording(docs)
    store = tmp_path / "a" / "b" / "c" / "store"  # "../../../x" would land in tmp_path
    probe = Path(f"/tmp/gp-{uuid.uuid4().hex[:8]}")
    if number == "/tmp/x":
        number = str(probe)
    raw = account_doc([], number=number, calls=[call(call_id, recording="r.wav")])
    before, files = await snapshot(db), files_under(tmp_path)
    problems = await refused(db, raw, base_dir=docs, store=store)
    where = "accounts[0].number" if number != "4000" else "accounts[0].calls[0].id"
    assert problems[where].key.startswith("An identifier is 1 to 64 letters")
    assert await snapshot(db) == before
    assert files_under(tmp_path) == files and not exists(probe)


async def test_every_key_and_id_follows_the_identifier_rule(db):
    raw = account_doc(
        [{"name": "01", "shifts": [shift("s 1", "2025-05-05T07:30", "2025-05-06T07:30")]}],
        messages=[{"id": "m\x1b", "taken_at": "2025-04-01T08:00"}],
    )
    raw["accounts"][0]["contacts"] = [{"key": "luc/..", "name": "Luc"}]
    raw["users"] = [{"username": "u", "accounts": {"../4000": "viewer"}}]
    problems = await refused(db, raw)
    assert {
        "accounts[0].contacts[0].key",
        "accounts[0].schedules[0].shifts[0].id",
        "accounts[0].messages[0].id",
        "users[0].accounts.../4000.[key]",
    } <= set(problems)
    ok = account_doc([], calls=[call("A-1_b.2" + "x" * 57)])  # 64 characters, all allowed
    async with db.write() as session:
        await import_document(session, ok, base_dir=None, recordings_dir=Path("/x"), now=NOW)


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00", "9999-12-31T23:59+00:00"])
async def test_a_time_out_of_range_is_refused_by_path(db, when):
    raw = account_doc([{"name": "01", "shifts": [shift("s1", "2025-05-05T07:30", when)]}])
    problems = await refused(db, raw)
    problem = problems["accounts[0].schedules[0].shifts[0].end"]
    assert problem.key == "{value} is out of range: years {min}–{max}."
    assert problem.params["value"] == when


def test_json_nested_100000_levels_is_refused_without_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidDocument) as caught:
        read_json(path)
    [problem] = caught.value.problems
    assert (problem.path, problem.key) == ("$", "The document is nested too deeply.")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("answered", "yes"),
        ("answered", 1),
        ("busy", "false"),
        ("duration_s", "30"),
        ("duration_s", 30.5),
        ("duration_s", True),
        ("duration_s", 10**20),
        ("charge", 1.25),
        ("charge", "1e999999"),
        ("charge", "NaN"),
        ("charge", "0.125"),
    ],
)
async def test_booleans_and_numbers_are_strict(db, field, value):
    problems = await refused(db, account_doc([], calls=[call("c1", **{field: value})]))
    assert set(problems) == {f"accounts[0].calls[0].{field}"}


async def test_strict_types_still_take_what_the_format_says(db):
    raw = account_doc(
        [],
        calls=[call("c1", answered=True, charge="1.25", billable_units=5)],
        billing=[{"date": "2025-04-20", "kind": "invoice", "reference": "I-1", "amount": 12}],
        messages=[{"id": "m1", "taken_at": "2025-04-01T08:00", "urgent": True}],
    )
    async with db.write() as session:
        await import_document(session, raw, base_dir=None, recordings_dir=Path("/x"), now=NOW)
    async with db.read() as s:
        assert (await s.scalar(select(Call))).answered is True
        assert (await s.scalar(select(Message))).urgent is True


async def test_overlapping_shifts_of_one_rank_are_refused_with_both_ids(db):
    shifts = [
        shift("a", "2025-05-05T07:30", "2025-05-12T07:30"),
        shift("b", "2025-05-12T07:30", "2025-05-19T07:30"),  # touches a: fine
        shift("c", "2025-05-18T07:30", "2025-05-20T07:30"),  # overlaps b
        shift("d", "2025-05-06T07:30", "2025-05-07T07:30", rank=1),  # another rank: fine
    ]
    problems = await refused(db, account_doc([{"name": "01", "shifts": shifts}]))
    [problem] = problems.values()
    assert problem.path == "accounts[0].schedules[0].shifts[2].start"
    assert problem.params == {"first": "b", "second": "c", "rank": 0}


async def test_a_shift_overlapping_a_stored_one_is_refused(db):
    first = [shift("a", "2025-05-05T07:30", "2025-05-12T07:30")]
    async with db.write() as session:
        await import_document(
            session,
            account_doc([{"name": "01", "shifts": first}]),
            base_dir=None,
            recordings_dir=Path("/x"),
            now=NOW,
        )
    before = await snapshot(db)
    later = [shift("z", "2025-05-11T07:30", "2025-05-13T07:30")]
    problems = await refused(db, account_doc([{"name": "01", "shifts": later}]))
    assert problems["accounts[0].schedules[0].shifts[0].start"].params["first"] == "a"
    assert await snapshot(db) == before
    # The same shift moved by a later document is not an overlap with itself.
    moved = [shift("a", "2025-05-06T07:30", "2025-05-13T07:30")]
    async with db.write() as session:
        await import_document(
            session,
            account_doc([{"name": "01", "shifts": moved}]),
            base_dir=None,
            recordings_dir=Path("/x"),
            now=NOW,
        )


async def test_control_characters_are_stripped_from_imported_text(db):
    raw = account_doc(
        [
            {
                "name": "01\x1b[2J",
                "shifts": [
                    {
                        **shift("s1", "2025-05-05T07:30", "2025-05-06T07:30", "luc"),
                        "comment": "a\x07b\nc\td",
                    }
                ],
            }
        ],
        name="Demo\x1b]0;pwned\x07 Genesis",
        messages=[
            {
                "id": "m1",
                "taken_at": "2025-04-01T08:00",
                "subject": "\x9b31mRED",
                "fields": [["Nom\x1b", "Jean\x00"]],
                "history": [{"at": "2025-04-01T08:01", "event": "taken", "detail": "x\x1b[1Ay"}],
            }
        ],
    )
    raw["accounts"][0]["contacts"] = [{"key": "luc", "name": "Luc\x1b[31m Lambert\u202e"}]
    async with db.write() as session:
        await import_document(session, raw, base_dir=None, recordings_dir=Path("/x"), now=NOW)
    async with db.read() as s:
        assert await s.scalar(select(Account.name)) == "Demo]0;pwned Genesis"
        assert await s.scalar(select(Contact.name)) == "Luc[31m Lambert"
        assert await s.scalar(select(Shift.comment)) == "ab\nc\td"
        message = await s.scalar(select(Message))
    assert message.subject == "31mRED"
    assert message.fields == [["Nom", "Jean"]]
    assert message.history[0]["detail"] == "x[1Ay"


async def test_garde_import_exits_1_and_lists_problems_by_path(garde, db_url, tmp_path):
    await garde.close()
    deep = tmp_path / "deep.json"
    deep.write_text('{"accounts": ' + "[" * 100_000 + "]" * 100_000 + "}")
    out = cli(["--lang", "en", "import", str(deep)], db_url, tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "  $: The document is nested too deeply." in out.stderr
    far = tmp_path / "far.json"
    doc = account_doc(
        [{"name": "01", "shifts": [shift("s1", "2025-05-05T07:30", "9999-12-31T23:59")]}],
        number="4200",
    )
    far.write_text(json.dumps(doc))
    out = cli(["--lang", "en", "import", str(far)], db_url, tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "accounts[0].schedules[0].shifts[0].end: 9999-12-31T23:59 is out of range" in out.stderr
    far.write_text(json.dumps({"users": [{"username": "u", "accounts": {"\x1b[2J": "viewer"}}]}))
    out = cli(["--lang", "en", "import", str(far)], db_url, tmp_path)
    assert "users[0].accounts.\\x1b[2J" in out.stderr  # the escape in a path, spelled out
    assert "\x1b" not in out.stderr
