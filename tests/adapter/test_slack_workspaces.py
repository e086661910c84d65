"""Several workspaces: "Add to Slack" (OAuth against the fake), installations in the
database, commands and pushes with each workspace's own token."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from bot.adapters.slack.tables import SlackInstallation, SlackOAuthState
from bot.contract import PermanentFailure, Reply
from testing.fake_slack import BOT_TOKEN, CLIENT_ID, slack_env

NEW_TEAM = "T0NEW"
NEW_TOKEN = "xoxb-new-workspace"


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path, multi=True) as e:
        e.fake.oauth_codes["good-code"] = {
            "access_token": NEW_TOKEN,
            "token_type": "bot",
            "scope": "commands,chat:write,files:write,users:read,im:write",
            "bot_user_id": "UGARDE2",
            "app_id": "A0GARDE",
            "team": {"id": NEW_TEAM, "name": "New Co"},
            "enterprise": None,
            "authed_user": {"id": "U0INSTALLER"},
        }
        yield e


async def install(env) -> None:
    """The browser's trip: /slack/install, Slack's consent page, back to the redirect."""
    start = await env.client.get("/slack/install", allow_redirects=False)
    assert start.status == 302
    location = urlparse(start.headers["Location"])
    assert location.netloc == "slack.com" and location.path == "/oauth/v2/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["https://garde.example.com/slack/oauth_redirect"]
    assert "commands" in query["scope"][0].split(",")
    [state] = query["state"]
    cookie = SimpleCookie(start.headers["Set-Cookie"])
    [(name, morsel)] = cookie.items()
    assert morsel.value == state
    async with env.garde.db.read() as session:
        assert await session.scalar(select(SlackOAuthState.state)) == state

    back = await env.client.get(
        "/slack/oauth_redirect",
        params={"code": "good-code", "state": state},
        headers={"Cookie": f"{name}={state}"},
    )
    assert back.status == 200


async def test_add_to_slack_stores_the_installation_and_its_team_then_works(env):
    await install(env)
    async with env.garde.db.read() as session:
        [row] = list(await session.scalars(select(SlackInstallation)))
        assert await session.scalar(select(SlackOAuthState.state)) is None  # spent
    assert (row.client_id, row.team_id, row.bot_token) == (CLIENT_ID, NEW_TEAM, NEW_TOKEN)
    assert NEW_TOKEN not in str(row.data)  # the token lives in its column only
    [exchange] = env.fake.calls_to("oauth.v2.access")
    assert exchange["code"] == "good-code"

    response = await env.command("/oncall", "who", user="U0NEWUSER", team=NEW_TEAM)
    assert response.status == 200
    [reply] = await env.fake.wait_for("response_url")
    assert "/link" in reply["blocks"][0]["text"]["text"]  # unlinked there, but served
    info = [c for c in env.fake.calls if c.method == "users.info"]
    assert [c.token for c in info] == [NEW_TOKEN]

    await env.adapter.push(f"{NEW_TEAM}/C0ALERTS", [Reply("Coverage alert")])
    [post] = [c for c in env.fake.calls if c.method == "chat.postMessage"]
    assert (post.token, post.params["channel"]) == (NEW_TOKEN, "C0ALERTS")


async def test_an_uninstalled_workspace_is_forgotten(env):
    await install(env)
    response = await env.event({"type": "app_uninstalled"}, team=NEW_TEAM)
    assert response.status == 200
    await env.settle()
    async with env.garde.db.read() as session:
        assert list(await session.scalars(select(SlackInstallation))) == []
    with pytest.raises(PermanentFailure):
        await env.adapter.push(f"{NEW_TEAM}/C0ALERTS", [Reply("alert")])


async def test_a_state_not_issued_here_is_refused_and_nothing_is_stored(env):
    back = await env.client.get(
        "/slack/oauth_redirect",
        params={"code": "good-code", "state": "forged"},
        headers={"Cookie": "slack-app-oauth-state=forged"},
    )
    assert back.status == 401
    async with env.garde.db.read() as session:
        assert list(await session.scalars(select(SlackInstallation))) == []
    assert env.fake.calls_to("oauth.v2.access") == []


async def test_a_workspace_that_did_not_install_garde_is_told_so_fr(env):
    response = await env.command("/oncall", "who", team="T0ELSEWHERE")
    assert response.status == 200
    [reply] = await env.fake.wait_for("response_url")
    assert reply["text"].startswith("Garde n'est pas installé")  # default locale: fr
    with pytest.raises(PermanentFailure):
        await env.adapter.push("T0ELSEWHERE/C1", [Reply("x")])


async def test_the_bot_token_still_serves_its_own_workspace_beside_installations(
    db, db_url, tmp_path
):
    async with slack_env(db_url, tmp_path, multi=True, token=True) as env:
        await env.command("/oncall", "who")  # T0001, the token's workspace: no installation
        [reply] = await env.fake.wait_for("response_url")
        assert reply["blocks"][0]["text"]["text"] == "01 Horaire"
        assert {c.token for c in env.fake.calls if c.method == "users.info"} == {BOT_TOKEN}
        await env.command("/oncall", "who", team="T0ELSEWHERE", response="other")
        [_, other] = await env.fake.wait_for("response_url", 2)
        assert other["text"] != reply["text"]  # not installed there: told so
        await env.adapter.push("C0ALERTS", [Reply("alert")])
        assert env.fake.calls[-1].token == BOT_TOKEN
