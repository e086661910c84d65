"""An urgent message at night climbs the ranks of a vet clinic, in Slack (issue 15).

The real slack-bolt adapter against the fake Slack Web API, the message posted to the
ingest API, the scheduler's jobs run by hand with the injected clock (a minute passes
without sleeping): the vet on call gets a direct message from the bot with « I'm on
it »; nobody answers; a minute later the second vet gets one, and presses the button
(an interactivity request signed as Slack signs it); the first vet's page (and his own)
is updated with ``chat.update`` to say who took it; ``/message ID`` shows the whole trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from testing.clinic import clinic, slack_id, subject, urgent
from testing.fake_slack import Failure, SlackEnv, slack_env

TORONTO = ZoneInfo("America/Toronto")
NIGHT = datetime(2025, 3, 12, 2, 10, 30, tzinfo=TORONTO)
TOKEN = "ingest-s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FIRST, SECOND = slack_id(0, 0), slack_id(0, 1)  # Vet 0-0 on call (rank 0), Vet 0-1 behind


@pytest.fixture
async def env(db, db_url, tmp_path, clock):
    clock.set(NIGHT)
    async with slack_env(db_url, tmp_path, clock=clock, ingest_token=TOKEN) as opened:
        yield opened


@pytest.fixture
async def jobs(env):
    """The scheduler's jobs, run by hand; its leadership (a PostgreSQL lock) given back."""
    scheduler = env.garde.scheduler()
    yield scheduler
    await scheduler.leader.release()


async def arrive(env: SlackEnv, doc: dict) -> None:
    """A document posted to the ingest API, as the answering service's system does."""
    response = await env.client.post("/api/v1/import", json=doc, headers=AUTH)
    assert response.status == 200, await response.text()


def pages_to(env: SlackEnv, user: str) -> list[dict]:
    return [p for p in env.fake.calls_to("chat.postMessage") if p["channel"] == user]


def button_values(blocks: list[dict]) -> dict[str, str]:
    """label -> value of the buttons of a message's blocks."""
    return {
        e["text"]["text"]: e["value"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


def ts_of(env: SlackEnv, user: str) -> str:
    """The ts Slack gave the first page in the direct chat with ``user``."""
    return next(ts for (channel, ts) in env.fake.posted if channel == "D" + user)


async def climb_to_rank_one(env: SlackEnv, clock, jobs) -> dict:
    """The clinic and an urgent message arrive; rank 0 is paged, then rank 1. Rank 1's page."""
    await arrive(env, clinic(NIGHT, 1, delay=1, platform="slack"))
    fields = [["Animal", "Dog, 8"], ["Problem", "Bleeding"]]
    await arrive(env, urgent(range(1), NIGHT - timedelta(seconds=20), 1, fields))
    await jobs.escalate()
    [page] = pages_to(env, FIRST)
    assert subject(0) in page["text"] and "(rank 0)" in page["text"]
    assert button_values(page["blocks"]) == {"I'm on it": "/ack m0 5000", "Open": "/message m0"}
    clock.advance(timedelta(seconds=59))  # not yet the minute
    await jobs.escalate()
    assert pages_to(env, SECOND) == []
    clock.advance(timedelta(seconds=2))
    await jobs.escalate()
    [second] = pages_to(env, SECOND)
    assert "(rank 1)" in second["text"]
    return second


async def test_the_climb_at_night_in_slack(env, clock, jobs):
    second = await climb_to_rank_one(env, clock, jobs)

    pressed = await env.press(
        button_values(second["blocks"])["I'm on it"],
        user=SECOND,
        channel="D" + SECOND,
        message_ts=ts_of(env, SECOND),
    )
    assert pressed.status == 200
    await env.settle()
    [said] = env.fake.calls_to("response_url")
    assert said["text"].startswith("You took urgent message m0 (URG00000).")

    await jobs.deliver()
    update, own = env.fake.calls_to("chat.update")
    assert (update["channel"], update["ts"]) == ("D" + FIRST, ts_of(env, FIRST))
    assert (own["channel"], own["ts"]) == ("D" + SECOND, ts_of(env, SECOND))  # his own too
    assert own["text"].startswith("🚨 Urgent message for you, on call (rank 1): URG00000")
    assert button_values(own["blocks"]) == {"Open": "/message m0"}
    assert update["text"].startswith("🚨 Urgent message for you, on call (rank 0): URG00000")
    assert "Problem: Bleeding" in update["text"]  # still the page, its details kept
    assert "✅ Vet 0-1 took urgent message m0 (URG00000): Slack, " in update["text"]
    assert button_values(update["blocks"]) == {"Open": "/message m0"}  # no « I'm on it » left
    assert len(pages_to(env, FIRST)) == 1  # updated, not a second message

    await env.command("/message", "m0", user=SECOND, channel="D" + SECOND, response="trail")
    await env.settle()
    trail = env.fake.calls_to("response_url")[-1]["text"]
    lines = trail[trail.index("Escalation:") :].splitlines()
    assert lines[1] == "• Wed, Mar 12 2:10\u202fa.m. · rank 0: Vet 0-0 paged (Slack)"
    assert lines[2] == "• Wed, Mar 12 2:11\u202fa.m. · rank 1: Vet 0-1 paged (Slack)"
    assert lines[3] == "• Wed, Mar 12 2:11\u202fa.m. · taken by Vet 0-1 (Slack)"
    assert len(lines) == 4


async def test_a_page_slack_will_not_update_gets_a_note_instead(env, clock, jobs):
    second = await climb_to_rank_one(env, clock, jobs)
    env.fake.edit_failures["D" + FIRST] = Failure(200, "cant_update_message")
    await env.press(button_values(second["blocks"])["I'm on it"], user=SECOND)
    await env.settle()
    await jobs.deliver()
    tried = [c["channel"] for c in env.fake.calls_to("chat.update")]
    assert tried == ["D" + FIRST, "D" + SECOND]  # hers refused; his own page updated
    note = pages_to(env, FIRST)[-1]
    assert note["text"].startswith("✅ Vet 0-1 took urgent message m0 (URG00000): Slack, ")
