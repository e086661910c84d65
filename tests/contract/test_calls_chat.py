"""/calls and /recording through the real dispatcher on the demo data (2025-03-12), with the
real transcoder: what a user reads, presses and hears, and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mutagen.mp3 import MP3
from pydantic import SecretStr
from sqlalchemy import select, update

from core.models import Account, Call
from core.records.recordings import RecordingStore
from tests.builders import snapshot
from tests.conftest import NOW


async def calls_of(garde, **where) -> list[Call]:
    async with garde.db.read() as s:
        stmt = select(Call).join(Account, Account.id == Call.account_id)
        stmt = stmt.where(Account.number == "4000", Call.answered.is_(True))
        for name, value in where.items():
            stmt = stmt.where(getattr(Call, name) == value)
        return list(await s.scalars(stmt.order_by(Call.start_at.desc(), Call.id.desc())))


async def recorded(garde) -> Call:
    async with garde.db.read() as s:
        return await s.scalar(
            select(Call).where(Call.recording.is_not(None)).order_by(Call.start_at.desc())
        )


def ids(replies) -> list[str]:
    return [row[4].split()[0] for r in replies for row in r.rows[1:]]


def enable_links(garde) -> None:
    garde.settings.public_url = "https://garde.example.com/"
    garde.settings.link_secret = SecretStr("a-long-random-secret")


async def test_calls_lists_the_last_7_days_newest_first_in_pages(ask, garde):
    replies = await ask("/calls")
    since = NOW.replace(day=6, hour=0)  # local midnight of the 7th day back (Toronto)
    week = [c for c in await calls_of(garde) if c.start_at >= since]
    assert ids(replies) == [c.ext_id for c in week[:10]]
    [reply] = replies
    assert reply.title == "Calls, last 7 days" and reply.text.startswith("Answered calls, ")
    assert reply.rows[0] == ["Start", "Duration", "Agent", "Caller", "Call"]
    first = week[0]
    m, s = divmod(first.duration_s, 60)
    assert reply.rows[1][1:4] == [f"{m:02d}:{s:02d}", first.agent, first.caller_id]
    assert [a.command for a in reply.actions][-1] == "/calls page 2"
    page2 = await ask("/calls page 2")
    assert ids(page2) == [c.ext_id for c in week[10:20]]
    assert "page 2" in page2[0].text


async def test_the_archive_part_holds_calls_older_than_7_days(ask, garde):
    everything = []
    page = 1
    while True:
        replies = await ask(f"/calls month page {page}")
        for r in replies:
            everything += [(r.title, row[4].split()[0]) for row in r.rows[1:]]
        if not any(a.command.endswith(f"page {page + 1}") for a in replies[-1].actions):
            break
        page += 1
    limit = NOW.replace(day=6, hour=0)  # local midnight, 6 days back
    month_start = NOW.replace(month=2, day=11, hour=0)  # 29 days back
    month = [c for c in await calls_of(garde) if c.start_at >= month_start]
    assert [cid for _, cid in everything] == [c.ext_id for c in month]
    titles = {cid: title for title, cid in everything}
    for c in month:
        expected = "Calls, last 7 days" if c.start_at >= limit else "Archive (8 to 60 days)"
        assert titles[c.ext_id] == expected


async def test_a_recorded_call_carries_a_voice_button_and_details_otherwise(ask, garde):
    call = await recorded(garde)
    day = call.start_at.astimezone(NOW.tzinfo).date()
    replies = await ask(f"/calls {day:%Y-%m-%d}")
    rows = {row[4].split()[0]: row[4].split()[1] for r in replies for row in r.rows[1:]}
    assert rows[call.ext_id] == "Voice"
    assert set(rows.values()) <= {"Voice", "Details"}
    voice = [a for r in replies for a in r.actions if a.command == f"/recording {call.ext_id}"]
    assert len(voice) == 1 and voice[0].label.startswith("Voice ")


@pytest.mark.parametrize("typed", ["514-915-0123", "+1 514 915 0123", "(514) 915.0123"])
async def test_caller_search_matches_the_digits_whatever_the_formatting(ask, garde, typed):
    target = (await calls_of(garde))[3]
    async with garde.db.write() as s:
        await s.execute(
            update(Call)
            .where(Call.id == target.id)
            .values(caller_id="5149150123", caller_digits="5149150123")
        )
    replies = await ask(f"/calls month caller {typed}")
    assert ids(replies) == [target.ext_id]
    assert "from " + typed in replies[0].text
    fr = await ask(f"/appels mois appelant {typed}", lang="fr")
    assert ids(fr) == [target.ext_id]


async def test_yesterday_in_french(ask, garde):
    replies = await ask("/appels hier", lang="fr")
    yesterday = (NOW - timedelta(days=1)).date()
    expected = [
        c.ext_id
        for c in await calls_of(garde)
        if c.start_at.astimezone(NOW.tzinfo).date() == yesterday
    ]
    assert ids(replies) == expected[:10]
    assert replies[0].title == "Appels, 7 derniers jours"
    assert replies[0].rows[0][0] == "Début"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("/calls 2025-13-40", "not a range"),
        ("/calls week banana", "I did not understand “banana” here"),
        ("/calls caller", "Give the caller's number after “caller”"),
        ("/calls caller abc", "Give the caller's number"),
        ("/calls page 0", "is not a page number"),
        ("/calls 2024-01-01..2024-01-31", "holds the last 60 days"),
        ("/calls page 99", "past the end"),
    ],
)
async def test_bad_calls_arguments_say_what_is_wrong_and_write_nothing(ask, garde, text, says):
    await ask("/help")  # the console links its identity on first use
    before = await snapshot(garde.db)
    [reply] = await ask(text)
    assert says in reply.text and not reply.rows
    assert await snapshot(garde.db) == before


async def test_recording_sends_an_mp3_of_the_recordings_duration(ask, garde):
    call = await recorded(garde)
    [reply] = await ask(f"/recording {call.ext_id}")
    [audio] = reply.files
    assert audio.content_type == "audio/mpeg" and audio.name == f"call-{call.ext_id}.mp3"
    store = RecordingStore(garde.settings.recordings_dir)
    wav = store.path(call.recording)
    assert audio.path.stat().st_size * 4 < wav.stat().st_size
    length = MP3(audio.path).info.length
    assert abs(length - audio.duration_s) <= 1 and audio.duration_s >= 1
    assert audio.title.startswith(f"Call {call.ext_id} · ")
    assert call.caller_id in audio.caption and call.agent in audio.caption
    [fr] = await ask(f"/enregistrement {call.ext_id}", lang="fr")
    assert fr.files[0].caption.startswith("Appel du ") and fr.files[0].path == audio.path


async def test_recording_errors(ask, garde):
    talk = next(c for c in await calls_of(garde) if c.recording is None)
    [reply] = await ask(f"/recording {talk.ext_id}")
    assert "transaction without conversation" in reply.text and not reply.files
    [unknown] = await ask("/recording 999")
    assert unknown.text.startswith("No call 999 in account 4000.")
    [usage] = await ask("/recording")
    assert "Give one call id" in usage.text
    [fr] = await ask(f"/enregistrement {talk.ext_id}", lang="fr")
    assert "transaction sans conversation" in fr.text


async def test_another_accounts_call_answers_exactly_like_an_unknown_one(ask, garde):
    call = await recorded(garde)
    [theirs] = await ask(f"/recording {call.ext_id}", account="4100")
    [unknown] = await ask("/recording 15000000", account="4100")
    assert theirs.text == unknown.text.replace("15000000", call.ext_id)
    assert not theirs.files
    [listed] = await ask(f"/calls month caller {call.caller_id}", account="4100")
    assert not listed.rows


async def test_a_corrupt_recording_is_explained_and_the_call_still_lists(ask, garde):
    call = await recorded(garde)
    RecordingStore(garde.settings.recordings_dir).path(call.recording).write_bytes(b"junk")
    [reply] = await ask(f"/recording {call.ext_id}")
    assert "cannot be played" in reply.text and not reply.files
    day = call.start_at.astimezone(NOW.tzinfo).date()
    assert call.ext_id in ids(await ask(f"/calls {day:%Y-%m-%d}"))


async def test_a_link_without_public_url_says_what_to_set(ask, garde):
    call = await recorded(garde)
    [reply] = await ask(f"/recording {call.ext_id} link")
    assert "PUBLIC_URL" in reply.text and "LINK_SECRET" in reply.text and not reply.files
    [fr] = await ask(f"/enregistrement {call.ext_id} lien", lang="fr")
    assert "PUBLIC_URL" in fr.text and "administrateur" in fr.text


async def test_a_link_names_only_a_token(ask, garde):
    enable_links(garde)
    call = await recorded(garde)
    [reply] = await ask(f"/recording {call.ext_id} link")
    url = reply.text.split()[-1]
    assert url.startswith("https://garde.example.com/recordings/") and not reply.files
    token = url.rsplit("/", 1)[1]
    assert call.recording not in url and "/" not in token and str(call.id) != token
    assert "until" in reply.text
    [audio] = (await ask(f"/recording {call.ext_id}")).pop().files
    assert audio.fallback and "https://garde.example.com/recordings/" in audio.fallback
