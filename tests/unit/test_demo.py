"""The demo data set: its promised shape, its gaps, its recordings, its determinism.

Coverage is recomputed here from the JSON alone (per shift, days cut at local
midnight), independently of the engine, so the gaps the demo advertises are checked
against what the document really holds.
"""

from __future__ import annotations

import json
import wave
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.demo import build_demo

# A Wednesday three days after the spring-forward change (2025-03-09): the first week of
# shifts and the call log both straddle it.
TODAY = date(2025, 3, 12)
# Also: a Sunday a week after the fall-back change (2025-11-02), whose first week of shifts
# straddles it, and a Friday on a 20th (an invoice day).
TODAYS = [TODAY, date(2025, 11, 9), date(2025, 6, 20)]


def _load(tmp_path: Path, today: date = TODAY, seed: int = 4000) -> tuple[Path, dict]:
    path = build_demo(tmp_path, today=today, seed=seed)
    return path, json.loads(path.read_text(encoding="utf-8"))


def _account(doc: dict, number: str) -> dict:
    return next(a for a in doc["accounts"] if a["number"] == number)


def _schedule(account: dict, name: str) -> dict:
    return next(s for s in account["schedules"] if s["name"] == name)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _coverage(schedule: dict, day: date) -> str | None:
    """FULL / PARTIAL / NONE for ``day`` (None: no shift time), as product.md §1 says."""
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    staffed = [
        s["contact"] is not None
        for s in schedule["shifts"]
        if _parse(s["start"]) < end and _parse(s["end"]) > start
    ]
    if not staffed:
        return None
    if all(staffed):
        return "FULL"
    return "PARTIAL" if any(staffed) else "NONE"


@pytest.mark.parametrize("today", TODAYS)
def test_accounts_contacts_and_users(tmp_path: Path, today: date) -> None:
    _, doc = _load(tmp_path, today)
    assert [a["number"] for a in doc["accounts"]] == ["4000", "4100"]
    genesis = _account(doc, "4000")
    assert (genesis["name"], genesis["timezone"], genesis["locale"], genesis["billing_number"]) == (
        "Demo Genesis",
        "America/Toronto",
        "fr",
        "B-4000",
    )
    contacts = {c["key"]: c for c in genesis["contacts"]}
    assert 6 <= len(contacts) <= 8
    assert contacts["luc"]["name"] == "Luc Lambert"
    assert {"anthony", "patrick", "helene", "marie"} <= contacts.keys()
    for contact in contacts.values():
        assert contact["email"].endswith("@example.com")
        assert all("555" in phone for phone in contact["phones"])
    assert any("slack_user_id" in c for c in contacts.values())
    assert any("telegram_username" in c for c in contacts.values())
    plomberie = _account(doc, "4100")
    assert plomberie["timezone"] != genesis["timezone"]
    assert len(plomberie["contacts"]) == 3 and len(plomberie["schedules"]) == 1
    users = {u["username"]: u for u in doc["users"]}
    assert users["demo"]["accounts"] == {"4000": "admin", "4100": "viewer"}
    assert users["alice"]["slack"] == [{"team_id": "T0001", "user_id": "U0ALICE"}]
    assert users["alice"]["telegram"] == [{"user_id": 100200300}]
    assert users["bob"]["locale"] == "en"


@pytest.mark.parametrize("today", TODAYS)
def test_schedules_span_six_weeks_with_valid_shifts(tmp_path: Path, today: date) -> None:
    _, doc = _load(tmp_path, today)
    monday = today - timedelta(days=7 + today.weekday())
    for account in doc["accounts"]:
        keys = {c["key"] for c in account["contacts"]}
        ids = [s["id"] for sch in account["schedules"] for s in sch["shifts"]]
        assert len(ids) == len(set(ids))
        for schedule in account["schedules"]:
            for shift in schedule["shifts"]:
                assert shift["contact"] is None or shift["contact"] in keys
                assert _parse(shift["end"]) > _parse(shift["start"])
                assert "+" not in shift["start"] and shift["id"].endswith(f"-r{shift['rank']}")
    genesis = _account(doc, "4000")
    assert [s["name"] for s in genesis["schedules"]] == ["01 Horaire", "02 Soirs"]
    horaire = _schedule(genesis, "01 Horaire")["shifts"]
    weekly = [s for s in horaire if s["rank"] == 0]
    assert [s["start"] for s in weekly] == [
        f"{monday + timedelta(weeks=w)}T07:30" for w in range(6)
    ]
    assert all(s["end"].endswith("T07:30") for s in weekly)  # wall time, across DST too
    assert weekly[0]["id"] == f"h1-{monday}-r0"
    assert any(s["rank"] == 1 for s in horaire)
    soirs = _schedule(genesis, "02 Soirs")["shifts"]
    assert soirs[0]["start"] == f"{monday}T17:00"
    assert soirs[-1]["end"] == f"{monday + timedelta(days=42)}T08:00"


@pytest.mark.parametrize("today", TODAYS)
def test_gaps_are_where_the_module_says(tmp_path: Path, today: date) -> None:
    _, doc = _load(tmp_path, today)
    genesis = _account(doc, "4000")
    shifts = [s for sch in genesis["schedules"] for s in sch["shifts"]]
    assert any(s["contact"] is None for s in shifts)
    monday = today - timedelta(days=7 + today.weekday())
    horaire = _schedule(genesis, "01 Horaire")
    week2 = monday + timedelta(weeks=2)
    assert _coverage(horaire, week2) == "PARTIAL"
    assert [_coverage(horaire, week2 + timedelta(days=n)) for n in range(1, 7)] == ["NONE"] * 6
    assert _coverage(horaire, week2 + timedelta(weeks=1)) == "PARTIAL"
    assert _coverage(horaire, today) == "FULL"
    soirs = _schedule(genesis, "02 Soirs")
    expected = {
        -3: "PARTIAL",
        -2: "PARTIAL",
        0: "FULL",
        2: "PARTIAL",
        3: "PARTIAL",
        5: "FULL",
        6: None,
        7: "FULL",
        9: "PARTIAL",
        10: "NONE",
        11: "PARTIAL",
    }
    got = {n: _coverage(soirs, today + timedelta(days=n)) for n in expected}
    assert got == expected
    starts = {_parse(s["start"]).date() for s in soirs["shifts"]}
    assert today + timedelta(days=6) not in starts
    others = [_coverage(soirs, monday + timedelta(days=n)) for n in range(42)]
    assert others.count(None) == 1 and others.count("NONE") == 1
    assert all(
        _coverage(s, d) == "FULL"
        for s in _account(doc, "4100")["schedules"]
        for d in (today, today + timedelta(days=14))
    )


def test_messages_and_calls_are_plausible(tmp_path: Path) -> None:
    _, doc = _load(tmp_path)
    genesis = _account(doc, "4000")
    messages, calls = genesis["messages"], genesis["calls"]
    assert 35 <= len(messages) <= 45 and 110 <= len(calls) <= 130
    assert {m["subject"] for m in messages} >= {"RENDEZ-VOUS", "URGENCE", "INFO"}
    assert sum(m["taken_at"].startswith(TODAY.isoformat()) for m in messages) >= 2
    assert any(m["urgent"] for m in messages) and {m["status"] for m in messages} == {
        "open",
        "closed",
    }
    for message in messages:
        assert TODAY - timedelta(days=20) <= _parse(message["taken_at"]).date() <= TODAY
        assert [f[0] for f in message["fields"][:3]] == ["Prénom", "Nom", "Tel"]
        ats = [_parse(h["at"]) for h in message["history"]]
        assert ats == sorted(ats) and ats[0] > _parse(message["taken_at"])
        assert ats[-1] - _parse(message["taken_at"]) < timedelta(minutes=30)
    for call in calls:
        assert TODAY - timedelta(days=30) <= _parse(call["start"]).date() <= TODAY
        assert not call["answered"] or call["assigned"]
        assert not call["ivr_only"] or (call["duration_s"] < 60 and not call["assigned"])
        assert call["hold_total_s"] >= call["hold_s"] and call["duration_s"] > 0
        assert call["transferred"] == (call["transfer_s"] > 0)
        assert call["direction"] == "in" or call["wait_s"] == 0
        assert call["billed"] == call["answered"] and call["charge"].count(".") == 1
    assert any(c["direction"] == "out" for c in calls) and any(c["busy"] for c in calls)
    assert any(c["hold_s"] > 10 for c in calls) and any(c["wait_s"] > 30 for c in calls)
    starts = [c["start"] for c in calls]
    assert starts == sorted(starts) and len({c["id"] for c in calls}) == len(calls)


def test_every_local_time_exists_in_the_account_zone(tmp_path: Path) -> None:
    """Nothing falls in the spring-forward gap (2025-03-09 02:00–03:00 in Toronto)."""
    _, doc = _load(tmp_path)
    for account in doc["accounts"]:
        tz = ZoneInfo(account["timezone"])
        times = [c["start"] for c in account["calls"]]
        times += [m["taken_at"] for m in account["messages"]]
        times += [h["at"] for m in account["messages"] for h in m["history"]]
        times += [
            t for s in account["schedules"] for sh in s["shifts"] for t in (sh["start"], sh["end"])
        ]
        for text in times:
            local = _parse(text)
            back = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
            assert back.replace(tzinfo=None) == local, text


def test_billing_and_info_pages(tmp_path: Path) -> None:
    _, doc = _load(tmp_path)
    genesis = _account(doc, "4000")
    invoices = [b for b in genesis["billing"] if b["kind"] == "invoice"]
    assert len(invoices) >= 2 and all(b["date"].endswith("-20") for b in invoices)
    assert any(b["kind"] == "payment" for b in genesis["billing"])
    balance = sum(Decimal(b["amount"]) for b in genesis["billing"])
    assert balance == Decimal(invoices[-1]["amount"]) - 15  # the latest invoice is due
    for entry in genesis["billing"]:
        assert isinstance(entry["amount"], str) and entry["amount"].lstrip("-")[-3] == "."
        assert date.fromisoformat(entry["date"]) <= TODAY
    titles = [p["title"] for p in genesis["info_pages"]]
    assert titles == ["Instructions générales", "Procédure d'urgence"]


def test_recordings_are_small_valid_wavs(tmp_path: Path) -> None:
    path, doc = _load(tmp_path)
    recorded = [c for c in _account(doc, "4000")["calls"] if "recording" in c]
    assert 6 <= len(recorded) <= 10
    contents = set()
    for call in recorded:
        assert call["recording"] == f"recordings/{call['id']}.wav" and call["answered"]
        wav = path.parent / call["recording"]
        assert wav.is_file()
        with wave.open(str(wav), "rb") as audio:
            assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (
                8000,
                1,
                2,
            )
            assert 8000 <= audio.getnframes() <= 3 * 8000
        contents.add(wav.read_bytes())
    assert len(contents) == len(recorded)  # a different sound per call
    assert sorted(p.name for p in (path.parent / "recordings").iterdir()) == sorted(
        f"{c['id']}.wav" for c in recorded
    )


def test_two_builds_are_identical(tmp_path: Path) -> None:
    first, _ = _load(tmp_path / "a")
    second, _ = _load(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    for wav in (first.parent / "recordings").iterdir():
        assert wav.read_bytes() == (second.parent / "recordings" / wav.name).read_bytes()
    other, _ = _load(tmp_path / "c", seed=4001)
    assert other.read_bytes() != first.read_bytes()


def test_yesterday_has_a_recorded_call_to_press_voice_on(tmp_path: Path) -> None:
    """The first thing a newcomer tries: « /appels hier », then « Voice »."""
    _, doc = _load(tmp_path)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    calls = _account(doc, "4000")["calls"]
    assert any(c["start"].startswith(yesterday) and "recording" in c for c in calls)
