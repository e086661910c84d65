"""Junk on ``POST /slack/events`` (issue 10): 400 or 401 with one log line, never a 500.

The signature is checked over the raw bytes before anything parses them; a signed body
that Slack would never send is refused with 400; the replay guard only remembers a
signature once it has been verified.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from bot.adapters.slack.send import Target, deliver
from bot.contract import Reply, Visibility
from testing.fake_slack import BOT_TOKEN, SECRET, sign, slack_env

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        yield e


def signed(body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    """Slack's headers for raw ``body`` bytes (which need not be UTF-8)."""
    ts = str(int(time.time())) if timestamp is None else timestamp
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def post(env, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    response = await env.client.post(
        "/slack/events", data=body, headers={"Content-Type": content_type, **headers}
    )
    await response.read()
    return response.status


def assert_quiet(caplog, most: int = 1) -> None:
    """No traceback, and at most ``most`` log lines at WARNING or above."""
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in records]
    assert len(records) <= most, [r.getMessage() for r in records]


JUNK = [
    (b'{"type": "event_callback", ', JSON),
    (b"payload=%7Bnot-json", FORM),
    (b"payload=%5B1%2C2%5D", FORM),
    (b"payload=%22text%22", FORM),
    (b"\xff\xfe\x00junk\x80", FORM),
    (b"\xff\xfe\x00junk\x80", JSON),
    (b"[1, 2]", JSON),
]


@pytest.mark.parametrize(("body", "content_type"), JUNK)
async def test_unsigned_junk_is_401_without_a_traceback(env, caplog, body, content_type):
    caplog.set_level(logging.DEBUG)
    assert await post(env, body, content_type, {}) == 401
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    assert await post(env, body, content_type, forged) == 401
    assert_quiet(caplog, most=2)
    assert env.fake.calls == []


@pytest.mark.parametrize("timestamp", ["abc", "", "1e10", "-1", "9" * 400, "٣"])
async def test_a_bad_timestamp_is_401_without_a_traceback(env, caplog, timestamp):
    caplog.set_level(logging.DEBUG)
    body = b"command=%2Foncall&text=who"
    assert await post(env, body, FORM, signed(body, timestamp=timestamp)) == 401
    assert_quiet(caplog)


@pytest.mark.parametrize(("body", "content_type"), JUNK)
async def test_signed_junk_is_400_without_a_traceback(env, caplog, body, content_type):
    caplog.set_level(logging.DEBUG)
    assert await post(env, body, content_type, signed(body)) == 400
    assert_quiet(caplog)
    await env.settle()
    assert env.fake.calls == []


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "view_submission", "view": {"callback_id": "garde.override"}},
        {"type": "view_submission", "view": "not-an-object"},
        {"type": "view_submission"},
        {"type": "block_actions", "actions": "nope", "user": {"id": "U0ALICE"}},
        {"type": "block_actions", "actions": [{"action_id": 5}], "user": 7},
        {"type": 12345},
    ],
)
async def test_a_signed_payload_slack_would_not_send_is_refused_quietly(env, caplog, payload):
    caplog.set_level(logging.DEBUG)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert await post(env, body, FORM, signed(body)) in (200, 400, 404)
    await env.settle()
    assert_quiet(caplog, most=2)


async def test_the_replay_guard_remembers_only_verified_signatures(env):
    body = "command=%2Foncall&text=who&user_id=U0ALICE&team_id=T0001&channel_id=C0GENERAL"
    good = sign(body)
    # An attacker sends junk under the signature they expect a genuine request to carry:
    assert await post(env, b"payload=%7Bnot-json", FORM, good) == 401
    # ... which must not block the genuine request.
    response = await env.post(body, FORM, good)
    assert response.status == 200
    # The genuine one, replayed, is refused.
    assert (await env.post(body, FORM, good)).status == 401


@pytest.mark.parametrize("count", [5, 8, 12])
async def test_never_more_than_five_posts_to_a_response_url(env, count):
    lines = [f"{n:04d} " + "x" * 2990 for n in range(count * 50)]  # a section each, 50 a post
    replies = [Reply("In private", visibility=Visibility.DIRECT), Reply("\n".join(lines))]
    target = Target("U0ALICE", "C0GENERAL", env.fake.response_url("big"))
    client = env.adapter.web_client(BOT_TOKEN)
    await deliver(client, env.adapter.session, target, replies)
    posted = [c.params for c in env.fake.calls if c.method == "response_url"]
    assert len(posted) == min(count, 5)
    firsts = [p["blocks"][0]["text"]["text"][:4] for p in posted]
    if count > 5:
        assert firsts == ["0000", "0050", "0100", "0150", "…"]
    else:
        assert firsts == ["0000", "0050", "0100", "0150", "0200"]
    assert len(env.fake.calls_to("chat.postMessage")) == 1  # the direct one still goes


async def test_a_huge_command_is_answered_in_one_short_post(env):
    await env.command("/oncall", "view " + "x" * 200_000)
    [reply] = await env.fake.wait_for("response_url")
    await env.settle()
    assert len([c for c in env.fake.calls if c.method == "response_url"]) == 1
    assert len(json.dumps(reply)) < 2000
