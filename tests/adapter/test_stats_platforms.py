"""/stats on the phone: Telegram sends the report as messages and the chart as a photo;
Slack shows the rows and uploads the chart as an image file. Real slack-bolt and
python-telegram-bot against the fake platforms, demo data of account 4000."""

from __future__ import annotations

import json

from testing.fake_slack import slack_env
from testing.telegram_world import TelegramWorld, message


async def test_telegram_sends_the_report_then_the_chart_as_a_photo(db, db_url, tmp_path):
    async with TelegramWorld.open(db_url, tmp_path) as world:
        sent = await world.expect(message("/stats 2025-03-01..2025-03-12"), sendPhoto=1)
        texts = [c.params["text"] for c in world.fake.of("sendMessage")]
    [photo] = sent["sendPhoto"]
    assert photo["photo"]["filename"] == "stats-4000-2025-03-01-2025-03-12.png"
    assert photo["photo"]["size"] > 10_000
    report = "\n".join(texts)
    assert "<b>Demo Genesis — account 4000</b>" in report
    assert "Total inbound calls · " in report and "Busy signal · " in report
    assert "1/2" not in report  # two short messages, no pager


async def test_slack_shows_the_rows_and_uploads_the_chart(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as env:
        response = await env.command("/stats", "2025-03-01..2025-03-12")
        assert response.status == 200
        await env.fake.wait_for("files.completeUploadExternal")
        texts = json.dumps(env.fake.calls_to("response_url"), ensure_ascii=False)
        [ticket] = env.fake.calls_to("files.getUploadURLExternal")
        [upload] = env.fake.uploads.values()
    assert "Total inbound calls" in texts or "Total des appels entrants" in texts
    assert ticket["filename"] == "stats-4000-2025-03-01-2025-03-12.png"
    assert upload[:8] == b"\x89PNG\r\n\x1a\n"
