"""Slash commands and buttons through the real slack-bolt, signed as Slack signs them.

Each test posts what Slack would post to ``/slack/events`` and reads what Garde sent
back to the fake Slack: the response_url payloads a user would see (section text,
buttons and their commands, ephemeral or in channel), and the database for changes.
Demo facts: see ``tests/contract/test_changes_chat.py`` (today Wed 2025-03-12 10:00
Toronto; « 01 Horaire » rank 0 #3 Luc until Mon 03-17 07:30, #5 nobody after).
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from core.models import Override, Shift
from testing.fake_slack import BOT_TOKEN, SECRET, sign, slack_env


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        yield e


def sections(payload: dict) -> list[str]:
    """The text of every section of a message, as Slack would show it (mrkdwn source)."""
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section" and "text" in b]


def headers(payload: dict) -> list[str]:
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "header"]


def buttons(payload: dict) -> dict[str, str]:
    """Button label -> the command it runs."""
    return {
        e["text"]["text"]: e["value"]
        for b in payload["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def test_oncall_who_is_answered_privately_with_mentions_and_buttons(env):
    response = await env.command("/oncall", "who")
    assert response.status == 200
    assert await response.text() == ""  # acked at once, empty: the answer comes after
    [reply] = await env.fake.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert headers(reply) == ["01 Horaire", "02 Soirs"]
    first = sections(reply)[0]
    assert first.startswith("On call now:\nRank 0 (Rotation): <@U0LUC> · +15145550101")
    assert buttons(reply)["Next"] == '/oncall next "02 Soirs"'  # the last reply's, per label
    assert all(b.get("text", {}).get("verbatim") for b in reply["blocks"] if b["type"] == "section")
    [info] = env.fake.calls_to("users.info")
    assert info["include_locale"] in ("true", "1", True)
    assert env.fake.calls[0].token == BOT_TOKEN


async def test_the_slack_locale_chooses_french_fr(env):
    env.fake.locales["U0ALICE"] = "fr-CA"
    await env.command("/oncall", "qui")
    [reply] = await env.fake.wait_for("response_url")
    assert sections(reply)[0].startswith("De garde maintenant :")
    assert "Semaine" in buttons(reply)


async def test_share_posts_in_the_channel_and_is_not_dispatched(env):
    await env.command("/oncall", "who share")
    [reply] = await env.fake.wait_for("response_url")
    assert reply["response_type"] == "in_channel"
    assert headers(reply) == ["01 Horaire", "02 Soirs"]  # "share" was not read as a schedule


async def test_user_text_cannot_make_markup_mentions_or_links(env, garde_shift_comment):
    # Slack escapes &, < and > in a command's text; the adapter reads them back.
    typed = "#5 &lt;script&gt;x&lt;/script&gt; &amp; &lt;!channel&gt; https://evil.example"
    await env.command("/comment", typed)
    [reply] = await env.fake.wait_for("response_url")
    assert reply["response_type"] == "in_channel"  # a change is announced
    text = sections(reply)[0]
    assert "“&lt;script&gt;x&lt;/script&gt; &amp; &lt;!channel&gt; https://evil.example”" in text
    assert "<script>" not in text and "<!channel>" not in text
    assert "<https://" not in text
    assert (
        await garde_shift_comment(env, 5) == "<script>x</script> & <!channel> https://evil.example"
    )


@pytest.fixture
def garde_shift_comment():
    async def read(env, ref: int) -> str | None:
        async with env.garde.db.read() as session:
            return await session.scalar(select(Shift.comment).where(Shift.ref == ref))

    return read


async def test_a_confirm_button_press_saves_the_two_overrides(env):
    await env.command("/override", "marc 03-16 12:00 03-18 12:00 01")
    [plan] = await env.fake.wait_for("response_url")
    assert plan["response_type"] == "ephemeral"
    assert "Nothing is saved until you confirm." in sections(plan)[0]
    confirm = buttons(plan)["Confirm"]
    assert (
        confirm == '/override @marc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" rank 0 confirm'
    )
    async with env.garde.db.read() as session:
        assert list(await session.scalars(select(Override))) == []

    response = await env.press(confirm)
    assert response.status == 200
    _, saved = await env.fake.wait_for("response_url", 2)
    assert saved["replace_original"] is False  # the plan stays; the outcome follows it
    assert saved["response_type"] == "in_channel"
    assert "overrides #51, #52 saved" in sections(saved)[0]
    assert buttons(saved)["Undo"] == "/unassign #51 #52"
    async with env.garde.db.read() as session:
        refs = list(await session.scalars(select(Override.ref).order_by(Override.ref)))
    assert refs == [51, 52]


async def test_an_unlinked_slack_user_is_told_how_to_link(env):
    await env.command("/oncall", "", user="U0STRANGER")
    [reply] = await env.fake.wait_for("response_url")
    assert "/link CODE" in sections(reply)[0]


@pytest.mark.parametrize(
    "case",
    ["bad secret", "no signature", "five minutes old", "replayed", "body changed"],
)
async def test_unsigned_or_replayed_requests_are_refused_and_not_run(env, case):
    body = urlencode(
        {
            "command": "/oncall",
            "text": "who",
            "user_id": "U0ALICE",
            "team_id": "T0001",
            "channel_id": "C1",
            "response_url": env.fake.response_url(),
        }
    )
    form = "application/x-www-form-urlencoded"
    if case == "replayed":
        signed = sign(body)
        assert (await env.post(body, form, signed)).status == 200
        await env.fake.wait_for("response_url")
        headers = signed
    else:
        headers = {
            "bad secret": sign(body, secret="not-the-secret"),
            "no signature": {},
            "five minutes old": sign(body, timestamp=int(time.time()) - 301),
            "body changed": sign(body.replace("who", "next")),
        }[case]
    response = await env.post(body, form, headers)
    assert response.status == 401
    await env.settle()
    expected = 1 if case == "replayed" else 0
    assert len(env.fake.calls_to("response_url")) == expected
    assert len(env.fake.calls_to("users.info")) == expected


async def test_a_failure_after_the_ack_is_logged_and_apologized_for(env, monkeypatch, caplog):
    async def broken(actor):
        raise RuntimeError("directory down")

    monkeypatch.setattr(env.adapter.directory, "mentions", broken)
    with caplog.at_level(logging.INFO):
        await env.command("/oncall", "who")
        [reply] = await env.fake.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert sections(reply)[0].startswith("Sorry, something went wrong (reference ")
    assert "a request failed after its ack" in caplog.text
    for secret in (BOT_TOKEN, SECRET):
        assert secret not in caplog.text
