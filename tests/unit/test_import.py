"""The import contract: upsert by natural key, idempotent, refused whole when invalid."""

from __future__ import annotations

import wave
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.demo import build_demo
from core.ingest.document import InvalidDocument
from core.ingest.importer import ANALYZE_AFTER, import_document, read_json
from core.models import (
    Account,
    Assignment,
    Call,
    ChatIdentity,
    Contact,
    Membership,
    Message,
    Shift,
    User,
)
from core.records.recordings import RecordingStore
from tests.builders import account_doc, shift, snapshot

NOW = datetime(2025, 5, 1, tzinfo=UTC)


async def run_import(db, raw, tmp_path: Path, base_dir: Path | None = None):
    async with db.write() as session:
        return await import_document(
            session, raw, base_dir=base_dir, recordings_dir=tmp_path / "store", now=NOW
        )


async def test_demo_imports_and_a_second_import_changes_nothing(db, tmp_path):
    path = build_demo(tmp_path / "demo", today=date(2025, 3, 12))
    first = await run_import(db, read_json(path), tmp_path, path.parent)
    assert first.counts["accounts"] == 2 and first.counts["users"] == 3
    assert first.counts["calls"] == 120
    before = await snapshot(db)
    await run_import(db, read_json(path), tmp_path, path.parent)
    assert await snapshot(db) == before
    assert len(before["shifts"]) == first.counts["shifts"]
    async with db.read() as s:
        recorded = list(await s.scalars(select(Call.recording).where(Call.recording.is_not(None))))
        idents = list(await s.scalars(select(ChatIdentity)))
        roles = dict(
            (
                await s.execute(
                    select(Account.number, Membership.role)
                    .join(Membership, Membership.account_id == Account.id)
                    .join(User, User.id == Membership.user_id)
                    .where(User.username == "demo")
                )
            ).all()
        )
    assert len(recorded) == 8
    store = RecordingStore(tmp_path / "store")
    with wave.open(str(store.path(recorded[0])), "rb") as w:
        assert w.getframerate() == 8000 and w.getnframes() > 0
    assert {(i.platform, i.external_id) for i in idents} >= {
        ("slack", "U0ALICE"),
        ("telegram", "100200300"),
    }
    assert roles == {"4000": "admin", "4100": "viewer"}


async def test_later_document_updates_and_records_assignment_history(db, tmp_path):
    sched = {"name": "01 Horaire", "shifts": [shift("s1", "2025-05-05T07:30", "2025-05-12T07:30")]}
    await run_import(db, account_doc([sched]), tmp_path)
    sched["shifts"][0]["contact"] = "luc"
    await run_import(db, account_doc([sched], name="Demo Genesis 2"), tmp_path)
    async with db.read() as s:
        the_shift = await s.scalar(select(Shift))
        history = list(await s.scalars(select(Assignment).order_by(Assignment.id)))
        name = await s.scalar(select(Account.name))
        luc = await s.scalar(select(Contact.id).where(Contact.key == "luc"))
    assert the_shift.contact_id == luc
    assert [h.source for h in history] == ["import", "import"]
    assert name == "Demo Genesis 2"
    # Stored in UTC: 07:30 EDT is 11:30Z.
    assert the_shift.start_at == datetime(2025, 5, 5, 11, 30, tzinfo=UTC)


async def test_invalid_document_lists_every_problem_and_writes_nothing(db, tmp_path):
    doc = account_doc(
        [
            {
                "name": "01 Horaire",
                "timezone": "Mars/Olympus",
                "shifts": [
                    shift("s1", "2025-05-05T07:30", "2025-05-04T07:30"),
                    shift("s2", "2025-05-05T07:30", "2025-05-12T07:30", "nobody"),
                    shift("s2", "2025-03-09T02:30", "2025-03-09T09:00"),
                    {"id": "s4", "start": "tomorrow", "end": "2025-05-12T07:30", "rank": -1},
                ],
            },
        ],
        calls=[
            {
                "id": "c1",
                "start": "2025-05-01T08:00",
                "duration_s": 10,
                "recording": "../../etc/passwd",
            }
        ],
    )
    doc["users"] = [{"username": "zoe", "accounts": {"9999": "admin", "4000": "boss"}}]
    with pytest.raises(InvalidDocument) as refused:
        await run_import(db, doc, tmp_path, base_dir=tmp_path)
    paths = {p.path: p.key for p in refused.value.problems}
    s = "accounts[0].schedules[0]"
    # One run says everything: the shape's problems, and the checks' of the rest.
    assert set(paths) == {
        f"{s}.shifts[3].rank",
        "users[0].accounts.4000",
        f"{s}.timezone",
        f"{s}.shifts[0].end",
        f"{s}.shifts[1].contact",
        f"{s}.shifts[1].id",
        f"{s}.shifts[2].id",
        f"{s}.shifts[2].start",  # 02:30 does not exist on 2025-03-09 in Toronto
        f"{s}.shifts[3].start",
        "accounts[0].calls[0].recording",
        "users[0].accounts.9999",
    }
    assert "not after" in paths[f"{s}.shifts[0].end"]
    assert "skip" in paths[f"{s}.shifts[2].start"]
    assert await snapshot(db) == {name: [] for name in await snapshot(db)}


async def test_new_account_needs_name_and_zone(db, tmp_path):
    with pytest.raises(InvalidDocument) as refused:
        await run_import(db, {"accounts": [{"number": "5000"}]}, tmp_path)
    assert {p.path for p in refused.value.problems} == {"accounts[0].name", "accounts[0].timezone"}


async def test_partial_document_may_use_contacts_already_imported(db, tmp_path):
    await run_import(db, account_doc([]), tmp_path)
    await run_import(
        db,
        {
            "accounts": [
                {
                    "number": "4000",
                    "schedules": [
                        {
                            "name": "02 Soirs",
                            "shifts": [shift("e1", "2025-05-05T17:00", "2025-05-06T08:00", "luc")],
                        }
                    ],
                    "messages": [
                        {
                            "id": "m1",
                            "taken_at": "2025-05-01T09:16:44",
                            "subject": "URGENCE",
                            "urgent": True,
                            "fields": [["Prénom", "Jean"]],
                        }
                    ],
                }
            ]
        },
        tmp_path,
    )
    async with db.read() as s:
        assert await s.scalar(select(Shift.ext_id)) == "e1"
        message = await s.scalar(select(Message))
    assert message.fields == [["Prénom", "Jean"]]
    assert message.taken_at == datetime(2025, 5, 1, 13, 16, 44, tzinfo=UTC)


def test_unreadable_json_is_one_clear_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"accounts": [', encoding="utf-8")
    with pytest.raises(InvalidDocument) as refused:
        read_json(bad)
    [problem] = refused.value.problems
    assert problem.path == "$" and problem.params["line"] == 1


def test_json_paths_name_nested_lists_and_keys():
    from core.ingest.document import json_path

    assert json_path(("accounts", 0, "schedules", 2, "shifts", 3, "end")) == (
        "accounts[0].schedules[2].shifts[3].end"
    )
    assert json_path(()) == "$"


async def test_absent_fields_leave_stored_values_alone(db, tmp_path):
    doc = account_doc(
        [
            {
                "name": "01 Horaire",
                "shifts": [shift("s1", "2025-05-05T07:30", "2025-05-12T07:30", "luc")],
            }
        ]
    )
    doc["users"] = [
        {"username": "zoe", "name": "Zoé Roy", "locale": "fr", "accounts": {"4000": "viewer"}}
    ]
    await run_import(db, doc, tmp_path)
    later = {
        "accounts": [
            {
                "number": "4000",
                "contacts": [{"key": "luc", "name": "Luc L."}],
                "schedules": [
                    {
                        "name": "01 Horaire",
                        "shifts": [
                            {"id": "s1", "start": "2025-05-05T07:30", "end": "2025-05-12T07:30"}
                        ],
                    }
                ],
            }
        ],
        "users": [{"username": "zoe", "accounts": {"4000": "admin"}}],
    }
    summary = await run_import(db, later, tmp_path)
    async with db.read() as s:
        zoe = await s.scalar(select(User).where(User.username == "zoe"))
        luc = await s.scalar(select(Contact).where(Contact.key == "luc"))
        the_shift = await s.scalar(select(Shift))
        account = await s.scalar(select(Account))
    assert (zoe.name, zoe.locale) == ("Zoé Roy", "fr")  # no name, no locale: kept
    assert (luc.name, luc.phones, luc.slack_user_id) == ("Luc L.", ["+15145550101"], "U0LUC")
    assert the_shift.contact_id == luc.id and the_shift.label == "Rotation"
    assert account.name == "Demo Genesis"
    assert summary.updated == {
        "accounts": 0,
        "contacts": 1,
        "schedules": 0,
        "shifts": 0,
        "messages": 0,
        "calls": 0,
        "billing": 0,
        "info_pages": 0,
        "users": 1,
    }
    assert summary.unchanged("accounts") == 1 and summary.unchanged("shifts") == 1


async def test_counts_say_created_updated_unchanged(db, tmp_path):
    sched = {
        "name": "01 Horaire",
        "shifts": [
            shift("s1", "2025-05-05T07:30", "2025-05-12T07:30"),
            shift("s2", "2025-05-12T07:30", "2025-05-19T07:30"),
        ],
    }
    first = await run_import(db, account_doc([sched]), tmp_path)
    assert first.created["shifts"] == 2 and first.created["contacts"] == 4
    sched["shifts"][1]["contact"] = "luc"
    sched["shifts"].append(shift("s3", "2025-05-19T07:30", "2025-05-26T07:30"))
    second = await run_import(db, account_doc([sched]), tmp_path)
    assert (second.created["shifts"], second.updated["shifts"], second.unchanged("shifts")) == (
        1,
        1,
        1,
    )
    assert (second.created["contacts"], second.updated["contacts"]) == (0, 0)
    assert second.unchanged("contacts") == 4 and second.unchanged("accounts") == 1


async def test_shape_and_checks_together_with_the_original_paths(db, tmp_path):
    doc = account_doc(
        [
            {
                "name": "01 Horaire",
                "shifts": [
                    {"id": "s0", "end": "2025-05-12T07:30"},  # no start: left out, said once
                    shift(
                        "s1", "2025-05-05T07:30", "2025-05-12T07:30", "ghost"
                    ),  # shape-bad contact
                    shift("s2", "2025-05-12T07:30", "2025-05-11T07:30"),  # end before start
                ],
            }
        ],
    )
    doc["accounts"][0]["contacts"] = [*doc["accounts"][0]["contacts"], {"key": "ghost"}]
    with pytest.raises(InvalidDocument) as refused:
        await run_import(db, doc, tmp_path)
    problems = {p.path: p.key for p in refused.value.problems}
    s = "accounts[0].schedules[0].shifts"
    assert set(problems) == {
        f"{s}[0].start",  # the shape's
        "accounts[0].contacts[4].name",  # the shape's
        f"{s}[2].end",  # the check's, at its index in the document (not [1])
    }  # and no "No contact has the key ghost": ghost was only left out for its name
    assert problems[f"{s}[2].end"].startswith("The end ({end}) is not after")


async def test_a_bulk_import_leaves_postgresql_knowing_how_many_rows_it_brought(db):
    """Planned with a table it believed nearly empty, a re-import right after a bulk load
    filtered every stored call against thousands of keys (minutes, not seconds) until
    autovacuum came by: the import analyzes the tables it filled."""
    if db.dialect != "postgresql":
        pytest.skip("the planner's statistics: PostgreSQL")
    calls = [
        {"id": f"x{n}", "start": f"2025-04-{1 + n % 28:02d}T{n % 24:02d}:00:00Z", "duration_s": 60}
        for n in range(ANALYZE_AFTER)
    ]
    doc = {"accounts": [{"number": "4000", "name": "A", "timezone": "UTC", "calls": calls}]}
    async with db.write() as session:
        await import_document(
            session, doc, base_dir=None, recordings_dir=Path("/nonexistent"), now=NOW
        )
    async with db.read() as session:
        known = await session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'calls'"))
    assert known == ANALYZE_AFTER
