"""The directory's phone numbers, tappable on a phone, through the real libraries and fakes.

Slack: a number is a ``tel:`` link in the section's mrkdwn (Slack's apps dial it when
tapped); what is not a number (« poste 12 ») stays text. Telegram: the number is plain
text outside any tag or ``<pre>``, in the international form Telegram's apps recognise.
"""

from __future__ import annotations

import re

import pytest

from testing.fake_slack import slack_env
from testing.fake_telegram import check_html
from testing.telegram_world import TelegramWorld
from tests.adapter.test_slack_commands import sections
from tests.builders import CONTACTS, account_doc, load

LEVESQUE = {
    "key": "chantal",
    "name": "Chantal Lévesque",
    "phones": ["514 915 0123", "poste 12"],
    "sms": "+33 6 12 34 56 78",
}


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        await load(e.garde.db, account_doc([], number="4000", contacts=[*CONTACTS, LEVESQUE]))
        yield e


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as opened:
        doc = account_doc([], number="4000", contacts=[*CONTACTS, LEVESQUE])
        await load(opened.garde.db, doc)
        yield opened


async def test_slack_directory_numbers_are_tel_links(env):
    await env.command("/directory", "lev")
    [reply] = await env.fake.wait_for("response_url")
    text = "\n".join(sections(reply))
    assert "Phone: <tel:+15149150123|+1 514-915-0123> · poste 12" in text
    assert "SMS: <tel:+33612345678|+33 6 12 34 56 78>" in text
    assert len(re.findall(r"<tel:", text)) == 2  # « poste 12 » is not a number to dial


async def test_slack_text_that_looks_like_a_number_is_not_linked_elsewhere(env):
    await env.command("/directory", "lambert")
    [reply] = await env.fake.wait_for("response_url")
    text = "\n".join(sections(reply))
    assert "<tel:+15145550101|+1 514-555-0101>" in text
    assert "<tel:+15149150123" not in text  # only the numbers this reply shows


async def test_telegram_directory_numbers_are_plain_text_outside_tags(world):
    sent = await world.say("/directory lev")
    html = sent["text"]
    assert "Phone: +1 514-915-0123 · poste 12" in html
    assert "<pre>" not in html and "<code>" not in html and "<a " not in html
    assert "SMS: +33 6 12 34 56 78" in check_html(html)  # what the user reads
