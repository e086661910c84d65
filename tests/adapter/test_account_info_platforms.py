"""/account info paged on both platforms, through the real libraries and the fakes: each
page fits one Telegram message and Slack's sections; Next is a button that works."""

from __future__ import annotations

import pytest

from testing.fake_slack import slack_env
from testing.fake_telegram import check_html
from testing.telegram_world import TelegramWorld, buttons, press
from tests.adapter.test_slack_commands import buttons as slack_buttons
from tests.adapter.test_slack_commands import headers, sections
from tests.builders import account_doc, load
from tests.contract.test_account_info_pages import INFO


async def with_long_info(garde) -> None:
    await load(garde.db, account_doc([], number="4300", info_pages=INFO))
    held = {"4000": "scheduler", "4300": "viewer"}
    await load(garde.db, {"users": [{"username": "alice", "accounts": held}]})


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        await with_long_info(opened.garde)
        yield opened


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        await with_long_info(e.garde)
        yield e


async def test_telegram_pages_the_info_one_message_each_with_next(world):
    await world.say("/account 4300")
    first = await world.say("/account info")
    assert first["text"].startswith("<b>Procédures</b>\nÉtape 1 :")
    assert first["text"].endswith("Page 1 of 3")
    assert len(first["text"]) <= 4096
    assert buttons(first) == {"Next ›": "/account info page 2"}
    [second] = await world.exchange(press("/account info page 2"))
    shown = check_html(second["text"])
    assert shown.startswith("Procédures (continued)\n") and shown.endswith("Page 2 of 3")
    assert buttons(second) == {"‹ Previous": "/account info", "Next ›": "/account info page 3"}


async def test_slack_pages_the_info_within_a_section_with_next(env):
    await env.command("/account", "4300")
    await env.fake.wait_for("response_url")
    await env.command("/account", "info", response="info")
    replies = await env.fake.wait_for("response_url", 2)
    page = replies[-1]
    assert headers(page) == ["Procédures"]
    assert all(len(text) <= 3000 for text in sections(page))
    assert sections(page)[-1].endswith("Page 1 of 3")
    assert slack_buttons(page) == {"Next ›": "/account info page 2"}
