"""Pushes for the outbox (errors mapped to what the outbox should do), files, manifest."""

from __future__ import annotations

import json

import pytest

from bot.__main__ import main
from bot.adapters.slack.manifest import manifest
from bot.adapters.slack.send import Target, deliver
from bot.contract import (
    Attachment,
    PermanentFailure,
    RateLimited,
    Reply,
    TemporaryFailure,
    Visibility,
)
from bot.registry import CommandSpec, Registry
from testing.fake_slack import ALICE, BOT_TOKEN, Failure, slack_env


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        yield e


async def test_push_posts_the_rendered_blocks_with_the_bot_token(env):
    await env.adapter.push("C0ALERTS", [Reply("3 days not covered", title="01 Horaire")])
    [call] = [c for c in env.fake.calls if c.method == "chat.postMessage"]
    assert call.token == BOT_TOKEN
    assert call.params["channel"] == "C0ALERTS"
    assert call.params["text"] == "01 Horaire\n3 days not covered"
    assert call.params["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "01 Horaire"},
    }


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (Failure(429, "ratelimited", {"Retry-After": "7"}), RateLimited),
        (Failure(500), TemporaryFailure),
        (Failure(200, "channel_not_found"), PermanentFailure),
        (Failure(200, "not_in_channel"), PermanentFailure),
        (Failure(200, "is_archived"), PermanentFailure),
        (Failure(200, "account_inactive"), PermanentFailure),
        (Failure(200, "token_revoked"), PermanentFailure),
        (Failure(200, "invalid_auth"), PermanentFailure),
        (Failure(200, "service_unavailable"), TemporaryFailure),
    ],
)
async def test_push_errors_say_what_the_outbox_should_do(env, failure, expected):
    env.fake.failures["C0ALERTS"] = failure
    with pytest.raises(expected) as raised:
        await env.adapter.push("C0ALERTS", [Reply("alert")])
    if expected is RateLimited:
        assert raised.value.retry_after == 7.0


async def test_push_when_slack_cannot_be_reached_is_temporary(env):
    await env.fake.stop()
    with pytest.raises(TemporaryFailure):
        await env.adapter.push("C0ALERTS", [Reply("alert")])


async def test_files_are_uploaded_with_files_upload_v2(env, tmp_path):
    path = tmp_path / "week.csv"
    path.write_bytes(b"ref,start\n#3,2025-03-10 07:30\n")
    reply = Reply(
        "Your export",
        files=[Attachment("week.csv", "text/csv", path)],
        visibility=Visibility.IN_CHANNEL,
    )
    client = env.adapter.web_client(BOT_TOKEN)
    await deliver(client, None, Target(ALICE, "C0GENERAL", env.fake.response_url()), [reply])
    [ticket] = env.fake.calls_to("files.getUploadURLExternal")
    assert ticket["filename"] == "week.csv" and ticket["length"] == str(path.stat().st_size)
    assert list(env.fake.uploads.values()) == [path.read_bytes()]
    [done] = env.fake.calls_to("files.completeUploadExternal")
    assert done["channel_id"] == "C0GENERAL"
    assert json.loads(done["files"])[0]["title"] == "week.csv"

    private = Reply("Only for you", files=[Attachment("week.csv", "text/csv", path)])
    await deliver(client, None, Target(ALICE, "C0GENERAL", env.fake.response_url()), [private])
    assert env.fake.calls_to("conversations.open")[0]["users"] == ALICE
    assert env.fake.calls_to("files.completeUploadExternal")[1]["channel_id"] == "D" + ALICE


async def test_a_direct_reply_goes_to_the_users_own_chat(env):
    client = env.adapter.web_client(BOT_TOKEN)
    replies = [Reply("for your eyes", visibility=Visibility.DIRECT), Reply("here")]
    await deliver(client, None, Target(ALICE, "C0GENERAL", env.fake.response_url()), replies)
    [post] = env.fake.calls_to("chat.postMessage")
    assert post["channel"] == ALICE and post["text"] == "for your eyes"
    [here] = env.fake.calls_to("response_url")
    assert here["response_type"] == "ephemeral" and here["text"] == "here"


async def test_the_manifest_lists_the_registrys_commands_and_the_public_urls(env):
    registry = env.garde.registry
    extra = CommandSpec("example", registry.find("help").handler, "An example.", "/example [RANGE]")
    doc = manifest(Registry([*registry.specs(), extra]), env.garde.catalogs, "https://g.example/")
    commands = {c["command"]: c for c in doc["features"]["slash_commands"]}
    english = [f"/{s.name}" for s in registry.specs() if s.name != "start"] + ["/example"]
    assert list(commands)[: len(english)] == english
    # The French names Garde tells people to type (/lier CODE) are slash commands too,
    # described in French; within Slack's 50 commands per app.
    french = list(commands)[len(english) :]
    assert {"/garde", "/remplacement", "/lier", "/aide", "/desassigner"} <= set(french)
    assert "/désassigner" not in commands  # its plain-ASCII twin is registered
    assert len(commands) <= 50
    assert commands["/remplacement"]["usage_hint"].startswith("CONTACT DÉBUT FIN [HORAIRE]")
    assert commands["/lier"]["description"] == "Lier cette conversation à votre utilisateur Garde."
    assert {"/oncall", "/override", "/assign", "/unassign", "/swap", "/comment"} <= set(commands)
    assert {"/account", "/link", "/lang", "/help"} <= set(commands)
    assert commands["/override"]["usage_hint"].startswith("CONTACT START END [SCHEDULE]")
    assert commands["/example"]["usage_hint"] == "[RANGE]"
    assert all(c["url"] == "https://g.example/slack/events" for c in commands.values())
    assert "app_home_opened" in doc["settings"]["event_subscriptions"]["bot_events"]
    assert doc["settings"]["interactivity"]["request_url"] == "https://g.example/slack/events"
    assert doc["oauth_config"]["redirect_urls"] == ["https://g.example/slack/oauth_redirect"]
    assert {"commands", "chat:write", "files:write", "users:read", "im:write"} <= set(
        doc["oauth_config"]["scopes"]["bot"]
    )


def test_past_slacks_limit_only_the_english_names_are_registered(env):
    registry = env.garde.registry
    helper = registry.find("help").handler
    many = [
        CommandSpec(f"extra{n}", helper, "Extra.", f"/extra{n}", aliases=(f"plus{n}",))
        for n in range(20)
    ]
    doc = manifest(Registry([*registry.specs(), *many]), env.garde.catalogs, "https://g/")
    names = [c["command"] for c in doc["features"]["slash_commands"]]
    assert len(names) <= 50 and "/extra19" in names
    assert "/garde" not in names and "/plus0" not in names


def test_garde_slack_manifest_prints_json(monkeypatch, capsys):
    monkeypatch.setenv("PUBLIC_URL", "https://garde.example.com")
    assert main(["slack-manifest"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["features"]["slash_commands"][0]["command"] == "/oncall"
    assert doc["settings"]["interactivity"]["request_url"].startswith("https://garde.example.com/")
