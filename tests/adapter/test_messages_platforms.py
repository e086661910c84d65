"""The inbox on both platforms, through the real libraries and the fake platforms.

Telegram: an agent's system posts an urgent message to the ingest API; the delivery worker
pushes it once to the subscribed group with Open and Close; Alice (scheduler) presses
Close and the message is closed. Then the list and the CSV as a document.
Slack: the list as Block Kit with its buttons, the export uploaded into the user's DM.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.notify.delivery import DeliveryWorker
from core.models import Message
from testing.fake_slack import slack_env
from testing.telegram_world import GROUP, TelegramWorld, buttons, message, press
from tests.adapter.test_slack_commands import buttons as slack_buttons
from tests.adapter.test_slack_commands import headers, sections
from tests.builders import subscription
from tests.conftest import NOW

TOKEN = "ingest-secret"


@pytest.fixture
async def world(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path, ingest_token=TOKEN) as opened:
        yield opened


async def test_a_posted_urgent_message_reaches_the_subscribed_group_once_and_closes(world):
    garde = world.garde
    await subscription(garde.db, "urgent", now=NOW, conversation=str(GROUP))
    taken = (NOW - timedelta(minutes=2)).isoformat()
    body = {
        "messages": [
            {
                "id": "7700001",
                "taken_at": taken,
                "subject": "URGENCE",
                "urgent": True,
                "fields": [["Prénom", "Hélène"], ["Tel", "(514) 555-0199"]],
            }
        ]
    }
    url = world.base_url + "/api/v1/accounts/4000/messages"
    for _ in range(2):  # the agent's system retries: still one push
        async with world.http.post(
            url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            assert response.status == 200
    worker = DeliveryWorker(garde.db, garde.catalogs, [world.adapter], garde.now)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    [push] = world.fake.sent()
    assert push["chat_id"] == str(GROUP)
    assert push["text"].startswith("🚨 Message urgent : URGENCE (pris le mer. 12 mars 09 h 58)")
    assert "Prénom: Hélène" in push["text"]
    keys = buttons(push)
    assert set(keys) == {"Ouvrir", "Fermer"}
    assert keys["Fermer"] == "/message 7700001 close account 4000"

    [closed] = await world.exchange(press(keys["Fermer"], chat_id=GROUP))
    assert closed["text"] == "Message 7700001 is closed."
    async with garde.db.read() as session:
        stored = await session.scalar(select(Message).where(Message.ext_id == "7700001"))
    assert stored.status == "closed"
    assert stored.history[-1]["via"] == f"telegram:{GROUP}"


async def test_telegram_lists_pages_and_sends_the_export_as_a_document(world):
    first = await world.say("/messages week")
    assert first["text"].startswith("<b>Messages of Thu, Mar 6 – Wed, Mar 12</b>\n13 message(s)")
    keys = buttons(first)
    assert keys["Open 2617040"] == "/message 2617040"
    assert "Next ›" in keys
    found = await world.expect(message("/messages export week"), sendDocument=1)
    [document] = found["sendDocument"]
    assert document["chat_id"] == str(100200300)


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        yield e


async def test_slack_lists_with_open_buttons_and_exports_into_the_dm(env):
    env.fake.locales["U0ALICE"] = "fr-CA"
    await env.command("/messages", "aujourd'hui")
    [reply] = await env.fake.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert headers(reply) == ["Messages du mer. 12 mars"]
    assert sections(reply)[0].startswith("2 message(s)")
    assert slack_buttons(reply)["Ouvrir 2617040"] == "/message 2617040"

    await env.command("/messages", "export week", response="exp")
    await env.fake.wait_for("files.completeUploadExternal")
    [ticket] = env.fake.calls_to("files.getUploadURLExternal")
    assert ticket["filename"] == "messages-4000-2025-03-06-2025-03-12.csv"
    [content] = env.fake.uploads.values()
    assert content.startswith(b"\xef\xbb\xbfid,prise,objet,urgent,statut,agent,Pr\xc3\xa9nom")
    assert env.fake.calls_to("files.completeUploadExternal")[0]["channel_id"].startswith("D")
